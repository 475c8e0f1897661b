"""Digest subscriptions, and the claims that make each subscription's digest of a period post once.

A claim is a row keyed by (subscription, period): inserting it is the claim, so two workers
can never both hold one. Its lease lets another worker take it over when the holder died.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from integrations.db import models as m
from planbridge.records import ClaimStatus, DigestClaim, DigestSubscription

UNFINISHED = (ClaimStatus.CLAIMED.value, ClaimStatus.POSTING.value)


class SqlDigestSubscriptions:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, subscription: DigestSubscription) -> int:
        values = {k: v for k, v in subscription.__dict__.items() if k != "subscription_id"}
        row = m.DigestSubscriptionRow(**{**values, "sections": list(subscription.sections)})
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, subscription_id: int) -> DigestSubscription | None:
        row = self.session.get(m.DigestSubscriptionRow, subscription_id)
        return None if row is None else _subscription(row)

    def list(self, *, channel: str | None = None, limit: int = 1000) -> list[DigestSubscription]:
        query = select(m.DigestSubscriptionRow).order_by(m.DigestSubscriptionRow.id).limit(limit)
        if channel:
            query = query.where(m.DigestSubscriptionRow.channel == channel)
        return [_subscription(row) for row in self.session.scalars(query)]

    def remove(self, subscription_id: int) -> bool:
        removed = self.session.execute(
            delete(m.DigestSubscriptionRow).where(m.DigestSubscriptionRow.id == subscription_id))
        self.session.execute(delete(m.DigestClaimRow).where(m.DigestClaimRow.subscription_id == subscription_id))
        return bool(getattr(removed, "rowcount", 0))


class SqlDigestClaims:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, subscription_id: int, period: date, *, holder: str, now: datetime, lease: timedelta,
              max_attempts: int) -> DigestClaim | None:
        """Take the period's claim: a new row, or one whose holder's lease ran out (it died);
        None when another worker holds it, it was posted, or it was tried `max_attempts` times."""
        values: dict[str, Any] = {
            "subscription_id": subscription_id, "period": period, "status": ClaimStatus.CLAIMED.value,
            "holder": holder, "lease_until": now + lease, "attempts": 1, "claimed_at": now, "posted_at": None,
            "detail": {},
        }
        insert = postgresql_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        # RETURNING says whether the row is new: rowcount of ON CONFLICT DO NOTHING is not reliable on every driver
        inserted = self.session.execute(insert(m.DigestClaimRow).values(**values).on_conflict_do_nothing()
                                        .returning(m.DigestClaimRow.subscription_id)).first()
        if inserted is None:
            taken = self.session.execute(
                update(m.DigestClaimRow)
                .where(*_key(subscription_id, period), m.DigestClaimRow.status.in_(UNFINISHED),
                       m.DigestClaimRow.lease_until <= now, m.DigestClaimRow.attempts < max_attempts)
                .values(holder=holder, lease_until=now + lease, attempts=m.DigestClaimRow.attempts + 1,
                        claimed_at=now)
            )
            if not getattr(taken, "rowcount", 0):
                return None
        return self.get(subscription_id, period)

    def start_posting(self, subscription_id: int, period: date, *, holder: str, now: datetime,
                      lease: timedelta) -> bool:
        """Renew the lease and mark the call to the chat platform, if `holder` still holds the claim."""
        result = self.session.execute(
            update(m.DigestClaimRow)
            .where(*_key(subscription_id, period), m.DigestClaimRow.holder == holder,
                   m.DigestClaimRow.status.in_(UNFINISHED), m.DigestClaimRow.lease_until >= now)
            .values(status=ClaimStatus.POSTING.value, lease_until=now + lease)
        )
        return bool(getattr(result, "rowcount", 0))

    def posted(self, subscription_id: int, period: date, *, holder: str, now: datetime,
               detail: dict[str, Any]) -> bool:
        result = self.session.execute(
            update(m.DigestClaimRow)
            .where(*_key(subscription_id, period), m.DigestClaimRow.holder == holder,
                   m.DigestClaimRow.status.in_(UNFINISHED))
            .values(status=ClaimStatus.POSTED.value, posted_at=now, detail=detail)
        )
        return bool(getattr(result, "rowcount", 0))

    def release(self, subscription_id: int, period: date, *, holder: str, now: datetime) -> None:
        """The holder failed (the chat platform refused the post): end its lease now, so that the
        next attempt need not wait for it."""
        self.session.execute(
            update(m.DigestClaimRow)
            .where(*_key(subscription_id, period), m.DigestClaimRow.holder == holder,
                   m.DigestClaimRow.status.in_(UNFINISHED))
            .values(status=ClaimStatus.CLAIMED.value, lease_until=now)
        )

    def abandon(self, subscription_id: int, period: date) -> None:
        self.session.execute(
            update(m.DigestClaimRow).where(*_key(subscription_id, period), m.DigestClaimRow.status.in_(UNFINISHED))
            .values(status=ClaimStatus.ABANDONED.value)
        )

    def get(self, subscription_id: int, period: date) -> DigestClaim | None:
        row = self.session.get(m.DigestClaimRow, (subscription_id, period), populate_existing=True)
        return None if row is None else _claim(row)

    def expired(self, *, now: datetime, limit: int = 100) -> list[DigestClaim]:
        """Unfinished claims whose holder's lease ran out, oldest first."""
        query = (select(m.DigestClaimRow)
                 .where(m.DigestClaimRow.status.in_(UNFINISHED), m.DigestClaimRow.lease_until <= now)
                 .order_by(m.DigestClaimRow.lease_until).limit(limit))
        return [_claim(row) for row in self.session.scalars(query)]

    def list(self, *, subscription_ids: Sequence[int] = (), limit: int = 1000) -> list[DigestClaim]:
        query = select(m.DigestClaimRow).order_by(m.DigestClaimRow.subscription_id, m.DigestClaimRow.period)
        if subscription_ids:
            query = query.where(m.DigestClaimRow.subscription_id.in_(list(subscription_ids)))
        return [_claim(row) for row in self.session.scalars(query.limit(limit))]


def _key(subscription_id: int, period: date) -> tuple[Any, Any]:
    return m.DigestClaimRow.subscription_id == subscription_id, m.DigestClaimRow.period == period


def _subscription(row: m.DigestSubscriptionRow) -> DigestSubscription:
    return DigestSubscription(row.id, row.channel, row.at, row.timezone, row.language, row.weekday,
                              tuple(row.sections), row.owner, row.source, row.created_by, _aware(row.created_at))


def _claim(row: m.DigestClaimRow) -> DigestClaim:
    return DigestClaim(row.subscription_id, row.period, row.status, row.holder, _aware(row.lease_until),
                       row.attempts, _aware(row.claimed_at), row.posted_at and _aware(row.posted_at), row.detail)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every moment stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
