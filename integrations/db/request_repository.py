"""Change requests waiting for a production lead, and the audit log of every request and decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.db import models as m
from planbridge.records import AuditEntry, StoredRequest


class SqlRequestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, request: StoredRequest) -> None:
        self.session.add(m.ChangeRequestRow(**request.__dict__))
        self.session.flush()

    def get(self, request_id: str, *, for_update: bool = False) -> StoredRequest | None:
        query = select(m.ChangeRequestRow).where(m.ChangeRequestRow.request_id == request_id)
        if for_update:
            query = query.with_for_update()
        row = self.session.scalars(query).first()
        return None if row is None else _stored(row)

    def list(self, *, status: str | None = None, limit: int = 50) -> list[StoredRequest]:
        query = select(m.ChangeRequestRow).order_by(m.ChangeRequestRow.created_at.desc()).limit(limit)
        if status:
            query = query.where(m.ChangeRequestRow.status == status)
        return [_stored(row) for row in self.session.scalars(query)]

    def decide(self, request_id: str, *, status: str, user_id: str, at: datetime, impact: dict[str, Any] | None = None) -> None:
        row = self.session.get(m.ChangeRequestRow, request_id)
        assert row is not None
        row.status, row.decided_by, row.decided_at = status, user_id, at
        if impact is not None:
            row.impact = impact
        self.session.flush()


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, entry: AuditEntry) -> None:
        self.session.add(m.AuditEntryRow(**entry.__dict__))
        self.session.flush()

    def list(self, *, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        query = select(m.AuditEntryRow).order_by(m.AuditEntryRow.id.desc()).limit(limit)
        if subject:
            query = query.where(m.AuditEntryRow.subject == subject)
        return [AuditEntry(r.at, r.user_id, r.action, r.subject, r.detail) for r in self.session.scalars(query)]


def _stored(row: m.ChangeRequestRow) -> StoredRequest:
    return StoredRequest(
        row.request_id, row.kind, row.order_id, row.payload, row.impact, row.status, row.requested_by,
        row.decided_by, row.created_at, row.decided_at, row.plant_version,
    )
