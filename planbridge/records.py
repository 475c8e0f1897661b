"""Records the service layer stores through its ports: change requests and audit entries.

Kept outside `planbridge.services` so that the adapters storing them (`integrations/db`) need
nothing from the service layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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


# -- digest subscriptions and background jobs (issue 12) ---------------------------------------


class DigestSection(StrEnum):
    """Who a digest is for: each audience gets its own part."""

    SALES = "sales"  # their orders at risk, to re-promise
    PRODUCTION = "production"  # load, pending requests, shortages
    MANAGEMENT = "management"  # OTD/OTIF trend, backlog


@dataclass(frozen=True)
class DigestSubscription:
    """A digest posted to `channel` at `at` (HH:MM) in `timezone`, daily or on one `weekday` (mon..sun)."""

    subscription_id: int
    channel: str
    at: str
    timezone: str
    language: str
    weekday: str | None
    sections: tuple[str, ...]
    owner: str | None  # the sales section lists only this rep's orders
    source: str  # cli, api, slack, settings
    created_by: str | None
    created_at: datetime


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"  # a worker holds the lease and has not called the chat platform yet
    POSTING = "posting"  # the chat platform is being called
    POSTED = "posted"
    ABANDONED = "abandoned"  # too many workers died holding it


@dataclass(frozen=True)
class DigestClaim:
    subscription_id: int
    period: date
    status: str
    holder: str
    lease_until: datetime
    attempts: int
    claimed_at: datetime
    posted_at: datetime | None
    detail: dict[str, Any]


class ReceiptStatus(StrEnum):
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ChatReceipt:
    """One chat event or click, by its platform key: whether it was handled, and what came of it."""

    key: str
    status: str
    attempts: int
    lease_until: datetime
    received_at: datetime
    finished_at: datetime | None
    outcome: dict[str, Any]


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class JobRecord:
    """Long work (schedule, MRP, forecast, digest, promise-state rebuild) run outside the request."""

    job_id: str
    kind: str
    params: dict[str, Any]
    status: str
    submitted_at: datetime
    submitted_by: str | None = None
    reply_channel: str | None = None  # where the result goes in chat (a thread when reply_thread is set)
    reply_thread: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    worker: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    result_posted_at: datetime | None = None
