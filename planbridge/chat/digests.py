"""Digest subscriptions on any chat platform: each subscription's digest posted once per period.

`DigestDelivery.deliver(subscription, period)` is what a worker runs when a subscription is due
(the scheduler fires it; with a broker it runs in a Celery worker): it claims the period (one
row per subscription and period, with a lease), builds the digest in the subscription's language
with its audience's sections, checks it still holds the claim, posts the card and its chart (and,
for production leads, the saved schedule's Gantt chart) through the `ChatChannel` port, and marks the period posted. A worker that dies holding a claim
is replaced: once its lease is over, the next attempt takes the claim over and posts.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from planbridge.chat.ports import ChatChannel, Place
from planbridge.metrics import DIGEST_BUILD_SECONDS, DIGESTS_POSTED
from planbridge.presentation.catalogue import t
from planbridge.presentation.charts import digest_chart, gantt_png
from planbridge.presentation.digest import audience_card
from planbridge.records import ClaimStatus, DigestClaim, DigestSubscription
from planbridge.services.board import digest_gantt
from planbridge.services.context import ServiceContext
from planbridge.services.digest import Digest, DigestCommand, build_digest
from planbridge.services.scheduling import latest_saved_schedule
from planbridge.services.subscriptions import (
    ClaimPolicy,
    claim_period,
    due_period,
    get_subscription,
    mark_posted,
    release_claim,
    start_posting,
)

log = logging.getLogger("planbridge.digest")

CACHE_SECONDS = 60.0  # 500 subscriptions due in the same minute share one build per day and plant version


@dataclass
class DigestCache:
    """The digest's figures per (plant version, as-of day), built once for a short while and then
    named in each subscription's language (building is the slow part: MRP, KPIs, the promise engine)."""

    services: ServiceContext
    seconds: float = CACHE_SECONDS
    _built: dict[tuple[int, date | None], tuple[float, Digest]] = field(default_factory=dict)
    _charts: dict[tuple[date, int], bytes] = field(default_factory=dict)
    _gantts: dict[tuple[int, date, int], bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, *, language: str, as_of: date | None = None) -> Digest:
        with self.services.uow_factory() as uow:
            version = uow.plant.version()
        key = (version, as_of)
        with self._lock:  # one build at a time: the others wait for it and share it
            hit = self._built.get(key)
            if hit is None or time.monotonic() - hit[0] > self.seconds:
                started = time.perf_counter()
                digest = build_digest(DigestCommand(as_of=as_of, language=language), self.services)
                DIGEST_BUILD_SECONDS.observe(time.perf_counter() - started)
                self._built = {key: (time.monotonic(), digest)}
                self._charts = {}
                self._gantts = {}
                hit = self._built[key]
        return replace(hit[1], language=language)

    def chart(self, digest: Digest) -> bytes:
        """The chart of a digest from `get` (its labels do not depend on the language: drawn once)."""
        key = (digest.as_of, id(digest.snapshot))  # every language of one build shares its snapshot
        with self._lock:
            if key not in self._charts:
                self._charts[key] = digest_chart(digest)
            return self._charts[key]

    def gantt(self, digest: Digest) -> bytes | None:
        """The newest saved schedule's Gantt chart for a digest from `get` (None: no schedule saved)."""
        saved = latest_saved_schedule(self.services)
        if saved is None:
            return None
        key = (saved.schedule_id, digest.as_of, id(digest.snapshot))
        with self._lock:
            if key not in self._gantts:
                self._gantts[key] = gantt_png(digest_gantt(saved, digest))
            return self._gantts[key]


_holders = itertools.count(1)
HOST = f"{socket.gethostname()[:60]}:{os.getpid()}"


def new_holder() -> str:
    """Unique per attempt, so that two threads of one process never pass for each other."""
    return f"{HOST}:{next(_holders)}"


@dataclass
class DigestDelivery:
    services: ServiceContext
    channel: ChatChannel
    policy: ClaimPolicy = field(default_factory=ClaimPolicy)
    digests: DigestCache | None = None
    with_chart: bool = True
    # between building and posting (tests stop a worker there)
    before_post: Callable[[DigestClaim], None] | None = None

    def __post_init__(self) -> None:
        if self.digests is None:
            self.digests = DigestCache(self.services)

    def due(self, subscription_id: int, now: datetime | None = None) -> date | None:
        """The period a firing of this subscription is for (None: removed, or not due yet)."""
        subscription = get_subscription(self.services, subscription_id)
        if subscription is None:
            return None
        return due_period(subscription, now or self.services.clock.now())

    def deliver(self, subscription_id: int, period: date) -> bool:
        """Post the subscription's digest of `period` unless another worker has or does; True when this call posted it."""
        subscription = get_subscription(self.services, subscription_id)
        if subscription is None:
            return False
        claim = claim_period(self.services, subscription_id, period, holder=new_holder(), policy=self.policy)
        if claim is None:
            return False
        if claim.attempts > 1:
            log.warning("taking over the digest of %s for subscription %s (attempt %s)", period, subscription_id,
                        claim.attempts)
        if claim.status == ClaimStatus.POSTING:
            log.warning("the previous holder died while posting the digest of %s for subscription %s: "
                        "it may appear twice", period, subscription_id)
        try:
            return self._post(subscription, claim)
        except Exception:
            release_claim(self.services, claim)
            raise

    def _post(self, subscription: DigestSubscription, claim: DigestClaim) -> bool:
        assert self.digests is not None
        # Everything slow happens before the claim is marked as posting, so that the lease only
        # has to cover the calls to the chat platform.
        digest = self.digests.get(language=subscription.language)
        card = audience_card(digest, sections=subscription.sections, owner=subscription.owner,
                             weekly=subscription.weekday is not None)
        png = self._chart(digest) if self.with_chart else None
        # Production leads also get the schedule's Gantt chart (when one was saved).
        gantt = self._gantt(digest) if self.with_chart and "production" in subscription.sections else None
        if self.before_post is not None:
            self.before_post(claim)
        if not start_posting(self.services, claim, policy=self.policy):
            log.warning("lost the claim on the digest of %s for subscription %s: another worker posts it",
                        claim.period, subscription.subscription_id)
            return False
        posted = self.channel.post(Place(subscription.channel), card)
        detail: dict[str, Any] = {"channel": subscription.channel, "ts": posted.message_id if posted else None,
                                  "as_of": digest.as_of.isoformat(), "language": subscription.language,
                                  "sections": list(subscription.sections)}
        if png is not None:
            detail["chart"] = self._post_image(subscription, png, filename=f"digest-{digest.as_of.isoformat()}.png",
                                               title=t(subscription.language, "card.chart_title"))
        if gantt is not None:
            detail["gantt"] = self._post_image(subscription, gantt, filename=f"schedule-{digest.as_of.isoformat()}.png",
                                               title=t(subscription.language, "board.schedule_chart"))
        mark_posted(self.services, claim, detail)
        DIGESTS_POSTED.labels("takeover" if claim.attempts > 1 else "first").inc()
        log.info("posted the digest of %s for subscription %s to %s", claim.period, subscription.subscription_id,
                 subscription.channel)
        return True

    def _chart(self, digest: Digest) -> bytes | None:
        try:
            return self.digests.chart(digest) if self.digests is not None else digest_chart(digest)
        except Exception:
            log.exception("the digest chart could not be drawn")
            return None

    def _gantt(self, digest: Digest) -> bytes | None:
        try:
            assert self.digests is not None
            return self.digests.gantt(digest)
        except Exception:
            log.exception("the schedule's Gantt chart could not be drawn")
            return None

    def _post_image(self, subscription: DigestSubscription, png: bytes, *, filename: str, title: str) -> bool:
        # The digest itself is posted: a failed chart must not make the job post it again.
        try:
            self.channel.post_image(subscription.channel, png, filename=filename, title=title)
        except Exception:
            log.exception("the digest chart could not be uploaded")
            return False
        return True
