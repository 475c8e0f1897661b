"""Digest subscriptions: who gets which digest when, and the claims that post each one once.

A subscription posts to a channel at a local time (HH:MM in its time zone), every day or on one
weekday, in one language, with the sections of its audience (sales, production, management).
Its *period* is the local date of a due moment; `claim_period` lets exactly one worker post a
period's digest (a unique row per subscription and period, with a lease that another worker may
take over when the holder died).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planbridge.errors import BadRequest, NotFound
from planbridge.languages import is_known, normalize
from planbridge.records import AuditEntry, DigestClaim, DigestSection, DigestSubscription
from planbridge.services.context import ServiceContext
from planbridge.services.digest import digest_subject

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_SECTIONS = tuple(s.value for s in DigestSection)
MAX_SUBSCRIPTIONS = 5000
MAX_CHANNEL = 100
SOURCES = ("cli", "api", "slack", "settings")


@dataclass(frozen=True)
class Subscribe:
    channel: str
    at: str  # HH:MM, local time in `timezone`
    timezone: str | None = None  # default: the plant's
    language: str | None = None  # default: settings.digest_language
    weekly: str | None = None  # mon..sun; None: every day
    sections: Sequence[str] = ()  # default: all three
    owner: str | None = None  # a sales rep: the sales section lists only their orders
    source: str = "cli"
    user_id: str | None = None


@dataclass(frozen=True)
class ClaimPolicy:
    """How long a worker may hold a claim before another may take over, and how often to try."""

    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 5


def subscribe(cmd: Subscribe, ctx: ServiceContext) -> DigestSubscription:
    """Add a subscription; every value is checked first, so a bad one changes nothing."""
    channel = cmd.channel.strip()
    if not channel or len(channel) > MAX_CHANNEL or any(c.isspace() for c in channel):
        raise BadRequest(f"channel must be a chat channel id (no spaces, at most {MAX_CHANNEL} characters), not {cmd.channel!r}")
    at = parse_at(cmd.at).strftime("%H:%M")
    timezone = _zone(cmd.timezone) if cmd.timezone else ctx.snapshot().plant.timezone
    language = cmd.language or ctx.settings.digest_language
    if not is_known(language):
        raise BadRequest(f"language must be en, zh or zh-Hant, not {language!r}")
    weekday = _weekday(cmd.weekly)
    sections = _sections(cmd.sections)
    if cmd.source not in SOURCES:
        raise BadRequest(f"source must be one of {', '.join(SOURCES)}, not {cmd.source!r}")
    if cmd.owner is not None and cmd.owner not in ctx.snapshot().users:
        raise NotFound(f"unknown user {cmd.owner!r} (users.csv user_id)")
    subscription = DigestSubscription(0, channel, at, timezone, normalize(language), weekday, sections, cmd.owner,
                                      cmd.source, cmd.user_id, ctx.clock.now())
    with ctx.uow_factory() as uow:
        if len(uow.subscriptions.list(limit=MAX_SUBSCRIPTIONS + 1)) >= MAX_SUBSCRIPTIONS:
            raise BadRequest(f"at most {MAX_SUBSCRIPTIONS} digest subscriptions: remove some first")
        subscription_id = uow.subscriptions.add(subscription)
        uow.commit()
    return replace(subscription, subscription_id=subscription_id)


def list_subscriptions(ctx: ServiceContext, *, channel: str | None = None) -> list[DigestSubscription]:
    with ctx.uow_factory() as uow:
        return uow.subscriptions.list(channel=channel, limit=MAX_SUBSCRIPTIONS)


def get_subscription(ctx: ServiceContext, subscription_id: int) -> DigestSubscription | None:
    with ctx.uow_factory() as uow:
        return uow.subscriptions.get(subscription_id)


def unsubscribe(ctx: ServiceContext, subscription_id: int, *, channel: str | None = None) -> DigestSubscription:
    """Remove a subscription (only from `channel` when given: a chat user removes their channel's)."""
    with ctx.uow_factory() as uow:
        found = uow.subscriptions.get(subscription_id)
        if found is None or (channel is not None and found.channel != channel):
            raise NotFound(f"no digest subscription {subscription_id}" + (f" in {channel}" if channel else ""))
        uow.subscriptions.remove(subscription_id)
        uow.commit()
    return found


def ensure_configured(ctx: ServiceContext, *, channel: str, at: str, language: str) -> DigestSubscription | None:
    """The digest of PLANBRIDGE_DIGEST_CHANNEL as a subscription (source `settings`) in the plant's
    zone: added once, replaced when the settings changed. Under the plant's write lock, so several
    processes starting at once add it once. None while no plant is loaded."""
    with ctx.uow_factory() as uow:
        if not uow.plant.exists():
            return None
        uow.orders.lock()
        timezone = ctx.plants.snapshot(uow).plant.timezone
        mine = [s for s in uow.subscriptions.list(limit=MAX_SUBSCRIPTIONS) if s.source == "settings"]
        wanted = (channel, parse_at(at).strftime("%H:%M"), timezone, normalize(language))
        kept = [s for s in mine if (s.channel, s.at, s.timezone, s.language) == wanted]
        for stale in mine:
            if stale not in kept[:1]:
                uow.subscriptions.remove(stale.subscription_id)
        if kept:
            uow.commit()
            return kept[0]
        subscription = DigestSubscription(0, *wanted, None, ALL_SECTIONS, None, "settings", None, ctx.clock.now())
        subscription = replace(subscription, subscription_id=uow.subscriptions.add(subscription))
        uow.commit()
    return subscription


# -- when ------------------------------------------------------------------------------------


def parse_at(value: str) -> time:
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise BadRequest(f"time must be HH:MM, not {value!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise BadRequest(f"time must be between 00:00 and 23:59, not {value!r}")
    return time(int(hours), int(minutes))


def latest_due(subscription: DigestSubscription, now: datetime) -> datetime:
    """The most recent due moment at or before `now` (aware, in the subscription's zone)."""
    zone = ZoneInfo(subscription.timezone)
    local = now.astimezone(zone)
    due = datetime.combine(local.date(), parse_at(subscription.at), tzinfo=zone)
    if due > local:
        due -= timedelta(days=1)
    if subscription.weekday is not None:
        due -= timedelta(days=(due.weekday() - WEEKDAYS.index(subscription.weekday)) % 7)
    return datetime.combine(due.date(), parse_at(subscription.at), tzinfo=zone)  # the wall clock again across DST


def next_due(subscription: DigestSubscription, moment: datetime) -> datetime:
    """The first due moment at or after `moment`."""
    step = timedelta(days=7 if subscription.weekday else 1)
    latest = latest_due(subscription, moment)
    if latest == moment:
        return latest
    following = latest.date() + step
    return datetime.combine(following, parse_at(subscription.at), tzinfo=ZoneInfo(subscription.timezone))


def due_period(subscription: DigestSubscription, now: datetime) -> date | None:
    """The period whose digest is due at `now`: the latest due moment, unless that came before
    the subscription did (a subscription made at 10:00 for 08:00 starts tomorrow)."""
    due = latest_due(subscription, now)
    return due.date() if due >= subscription.created_at else None


# -- once per period -------------------------------------------------------------------------


def claim_period(ctx: ServiceContext, subscription_id: int, period: date, *, holder: str,
                 policy: ClaimPolicy) -> DigestClaim | None:
    """The claim on this period's digest for `holder`, or None when someone else has it or it is posted."""
    with ctx.uow_factory() as uow:
        claim = uow.claims.claim(subscription_id, period, holder=holder, now=ctx.clock.now(), lease=policy.lease,
                                 max_attempts=policy.max_attempts)
        uow.commit()
    return claim


def start_posting(ctx: ServiceContext, claim: DigestClaim, *, policy: ClaimPolicy) -> bool:
    """Just before calling the chat platform: False when the lease was lost (another worker took over)."""
    with ctx.uow_factory() as uow:
        ok = uow.claims.start_posting(claim.subscription_id, claim.period, holder=claim.holder, now=ctx.clock.now(),
                                      lease=policy.lease)
        uow.commit()
    return ok


def mark_posted(ctx: ServiceContext, claim: DigestClaim, detail: dict[str, Any]) -> bool:
    """The period's digest is posted: the claim says so, and the audit log has it (one transaction)."""
    now = ctx.clock.now()
    with ctx.uow_factory() as uow:
        ok = uow.claims.posted(claim.subscription_id, claim.period, holder=claim.holder, now=now, detail=dict(detail))
        channel = str(detail.get("channel") or "")
        uow.audit.append(AuditEntry(now, None, "digest_posted", digest_subject(claim.period, channel),
                                    {"subscription_id": claim.subscription_id, **detail}))
        uow.commit()
    return ok


def release_claim(ctx: ServiceContext, claim: DigestClaim) -> None:
    """The post failed: let the next attempt take the claim at once."""
    with ctx.uow_factory() as uow:
        uow.claims.release(claim.subscription_id, claim.period, holder=claim.holder, now=ctx.clock.now())
        uow.commit()


def claims_to_retry(ctx: ServiceContext, *, policy: ClaimPolicy, limit: int = 100) -> list[DigestClaim]:
    """Claims whose holder died or failed (lease over, not posted); those tried `max_attempts`
    times are abandoned instead (and left out)."""
    with ctx.uow_factory() as uow:
        expired = uow.claims.expired(now=ctx.clock.now(), limit=limit)
        retry = []
        for claim in expired:
            if claim.attempts >= policy.max_attempts:
                uow.claims.abandon(claim.subscription_id, claim.period)
            else:
                retry.append(claim)
        uow.commit()
    return retry


def claims_of(ctx: ServiceContext, subscription_ids: Sequence[int] = ()) -> list[DigestClaim]:
    with ctx.uow_factory() as uow:
        return uow.claims.list(subscription_ids=subscription_ids)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)") from None
    return name


def _weekday(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    day = value.strip().lower()[:3]
    if day not in WEEKDAYS:
        raise BadRequest(f"weekday must be one of {', '.join(WEEKDAYS)}, not {value!r}")
    return day


def _sections(values: Sequence[str]) -> tuple[str, ...]:
    wanted = [v.strip().lower() for value in values for v in value.split(",") if v.strip()]
    unknown = sorted(set(wanted) - set(ALL_SECTIONS))
    if unknown:
        raise BadRequest(f"sections must be among {', '.join(ALL_SECTIONS)}, not {', '.join(unknown)}")
    return tuple(s for s in ALL_SECTIONS if s in wanted) or ALL_SECTIONS
