"""Records the service layer stores through its ports: change requests and audit entries.

Kept outside `planbridge.services` so that the adapters storing them (`integrations/db`) need
nothing from the service layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class RequestKind(StrEnum):
    RUSH = "rush"
    CHANGE = "change"
    CANCEL = "cancel"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class StoredRequest:
    request_id: str
    kind: str
    order_id: str | None
    payload: dict[str, Any]
    impact: dict[str, Any]
    status: str
    requested_by: str
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None
    plant_version: int


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    user_id: str | None
    action: str
    subject: str | None
    detail: dict[str, Any]


class JournalKind(StrEnum):
    """What happened to an order after the last import (the order journal)."""

    BOOK = "book"  # a new confirmed order
    RUSH = "rush"  # an approved rush: first priority at its (new) promise
    CHANGE = "change"  # an approved change of quantity or date, held like a rush
    CANCEL = "cancel"
    REPROMISE = "repromise"  # made late by an approved change: flagged, its place unchanged


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    kind: JournalKind
    order_id: str
    at: datetime
