"""Receipts of chat events and clicks: inserting the row is taking the work, so each is handled once.

A retry finds the row: it takes the work over only when the first attempt failed or its holder's
lease ran out (the process died); otherwise it sees what the first attempt did.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from integrations.db import models as m
from planbridge.records import ChatReceipt, ReceiptStatus


class SqlChatReceipts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def begin(self, key: str, *, now: datetime, lease: timedelta) -> bool:
        """Take the work for `key`: True for a new key, a failed attempt or a dead holder's lease."""
        return key in self.begin_many([key], now=now, lease=lease)

    def begin_many(self, keys: Sequence[str], *, now: datetime, lease: timedelta) -> set[str]:
        """`begin` for a burst of keys: one INSERT for the new ones (the usual case), then each already
        known key (a retry) on its own. Returns the keys taken."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return set()
        rows: list[dict[str, Any]] = [{"key": key, "status": ReceiptStatus.WORKING.value, "attempts": 1,
                                       "lease_until": now + lease, "received_at": now, "finished_at": None,
                                       "outcome": {}} for key in unique]
        insert = postgresql_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        # One statement for any number of rows (SQLAlchemy sends them as a multi-row INSERT): compiled once,
        # where `.values(rows)` would compile anew for each burst size.
        statement = insert(m.ChatReceiptRow).on_conflict_do_nothing().returning(m.ChatReceiptRow.key)
        inserted = set(self.session.connection().execute(statement, rows).scalars())
        return inserted | {key for key in unique if key not in inserted and self._take_over(key, now=now, lease=lease)}

    def _take_over(self, key: str, *, now: datetime, lease: timedelta) -> bool:
        row = m.ChatReceiptRow
        retried = self.session.execute(
            update(row).where(row.key == key, (row.status == ReceiptStatus.FAILED.value)
                              | ((row.status == ReceiptStatus.WORKING.value) & (row.lease_until <= now)))
            .values(status=ReceiptStatus.WORKING.value, attempts=row.attempts + 1, lease_until=now + lease))
        return bool(getattr(retried, "rowcount", 0))

    def finish(self, key: str, *, now: datetime, outcome: dict[str, Any]) -> None:
        self.session.execute(update(m.ChatReceiptRow).where(m.ChatReceiptRow.key == key).values(
            status=ReceiptStatus.DONE.value, finished_at=now, outcome=outcome))

    def fail(self, key: str, *, now: datetime) -> None:
        self.session.execute(update(m.ChatReceiptRow).where(
            m.ChatReceiptRow.key == key, m.ChatReceiptRow.status == ReceiptStatus.WORKING.value).values(
            status=ReceiptStatus.FAILED.value, finished_at=now, lease_until=now))

    def get(self, key: str) -> ChatReceipt | None:
        row = self.session.get(m.ChatReceiptRow, key, populate_existing=True)
        if row is None:
            return None
        return ChatReceipt(row.key, row.status, row.attempts, row.lease_until, row.received_at, row.finished_at,
                           dict(row.outcome or {}))
