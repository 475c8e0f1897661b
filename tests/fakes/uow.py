"""An in-memory unit of work: the repositories of `planbridge.services.ports` without a database.

Each unit of work works on a copy of the shared store and writes it back only on `commit`,
so a service that fails half-way changes nothing, as with the real database.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from planbridge.records import (
    AuditEntry,
    ChatReceipt,
    ClaimStatus,
    DigestClaim,
    DigestSubscription,
    JobRecord,
    JobStatus,
    JournalEntry,
    JournalKind,
    ReceiptStatus,
    StoredRequest,
)
from planning_core.forecasting import SavedForecast
from planning_core.model import (
    ForecastEntry,
    OrderStatus,
    PlantSnapshot,
    Priority,
    QualityEvent,
    QualityEventStatus,
    SalesOrder,
)
from planning_core.scheduling.saved import SavedSchedule

_NUMBERED = re.compile(r"^SO-(\d+)$")


@dataclass
class Store:
    """What a database would hold."""

    snapshot: PlantSnapshot | None = None
    version: int = 0
    schedules: list[SavedSchedule] = field(default_factory=list)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: dict[str, StoredRequest] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    subscriptions: dict[int, DigestSubscription] = field(default_factory=dict)
    claims: dict[tuple[int, date], DigestClaim] = field(default_factory=dict)
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)
    receipts: dict[str, ChatReceipt] = field(default_factory=dict)
    commits: int = 0


class FakePlantRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def exists(self) -> bool:
        return self.store.snapshot is not None

    def version(self) -> int:
        return self.store.version

    def identity(self) -> str:
        return f"v{self.store.version}-{id(self.store)}"

    def bump_version(self) -> int:
        self.store.version += 1
        return self.store.version

    def load(self) -> PlantSnapshot:
        assert self.store.snapshot is not None, "no plant loaded"
        return self.store.snapshot

    def replace(self, snapshot: PlantSnapshot, *, at: datetime) -> None:
        self.store.snapshot = snapshot
        self.store.version += 1
        self.store.journal.clear()


class FakeScheduleRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, *, as_of: date, plant_version: int, status: str, document: dict[str, Any], at: datetime) -> int:
        schedule_id = len(self.store.schedules) + 1
        self.store.schedules.append(SavedSchedule(schedule_id, at, as_of, plant_version, status, document))
        return schedule_id

    def latest(self) -> SavedSchedule | None:
        return self.store.schedules[-1] if self.store.schedules else None


class FakeConversationRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, thread_id: str) -> dict[str, Any] | None:
        return self.store.conversations.get(thread_id)

    def save(self, thread_id: str, *, user_id: str | None, state: dict[str, Any], at: datetime) -> None:
        self.store.conversations[thread_id] = state


class FakeForecastRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[tuple[ForecastEntry, str]]:
        return [(entry, "import") for entry in (self.store.snapshot.forecast if self.store.snapshot else ())]

    def save_statistical(
        self, entries: Sequence[ForecastEntry], *, first_period: date, override_imported: bool = False
    ) -> SavedForecast:
        assert self.store.snapshot is not None
        self.store.snapshot = replace(self.store.snapshot, forecast=(*self.store.snapshot.forecast, *entries))
        return SavedForecast(len(entries), len({e.item_id for e in entries}), (), 0)


class FakeOrderBook:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.locked = False

    def lock(self) -> None:
        self.locked = True

    def next_order_id(self) -> str:
        assert self.store.snapshot is not None
        numbers = [int(m.group(1)) for o in self.store.snapshot.sales_orders if (m := _NUMBERED.match(o.order_id))]
        return f"SO-{max(numbers, default=1000) + 1}"

    def add(self, order: SalesOrder, *, source: str, at: datetime) -> None:
        assert self.store.snapshot is not None
        self.store.snapshot = replace(self.store.snapshot, sales_orders=(*self.store.snapshot.sales_orders, order))

    def update(self, order_id: str, **values: Any) -> None:
        assert self.store.snapshot is not None
        typed = {k: OrderStatus(v) if k == "status" else Priority(v) if k == "priority" else v for k, v in values.items()}
        orders = tuple(replace(o, **typed) if o.order_id == order_id else o for o in self.store.snapshot.sales_orders)
        self.store.snapshot = replace(self.store.snapshot, sales_orders=orders)

    def get(self, order_id: str) -> SalesOrder | None:
        return self.store.snapshot.orders_by_id.get(order_id) if self.store.snapshot else None

    def record(self, kind: JournalKind, order_id: str, *, at: datetime) -> int:
        seq = len(self.store.journal) + 1
        self.store.journal.append(JournalEntry(seq, kind, order_id, at))
        return seq

    def journal_head(self) -> int:
        return len(self.store.journal)

    def journal_since(self, seq: int) -> list[JournalEntry]:
        return self.store.journal[seq:]


class FakeRequestRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, request: StoredRequest) -> None:
        self.store.requests[request.request_id] = request

    def get(self, request_id: str, *, for_update: bool = False) -> StoredRequest | None:
        return self.store.requests.get(request_id)

    def list(self, *, status: str | None = None, limit: int = 50) -> list[StoredRequest]:
        found = [r for r in self.store.requests.values() if status is None or r.status == status]
        return sorted(found, key=lambda r: r.created_at, reverse=True)[:limit]

    def decide(
        self, request_id: str, *, status: str, user_id: str, at: datetime, impact: dict[str, Any] | None = None
    ) -> None:
        request = self.store.requests[request_id]
        self.store.requests[request_id] = replace(request, status=status, decided_by=user_id, decided_at=at,
                                                  impact=request.impact if impact is None else impact)


class FakeAuditLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, entry: AuditEntry) -> None:
        self.store.audit.append(entry)

    def list(self, *, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        return [e for e in reversed(self.store.audit) if subject is None or e.subject == subject][:limit]


class FakeDigestSubscriptions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, subscription: DigestSubscription) -> int:
        subscription_id = max(self.store.subscriptions, default=0) + 1
        self.store.subscriptions[subscription_id] = replace(subscription, subscription_id=subscription_id)
        return subscription_id

    def get(self, subscription_id: int) -> DigestSubscription | None:
        return self.store.subscriptions.get(subscription_id)

    def list(self, *, channel: str | None = None, limit: int = 1000) -> list[DigestSubscription]:
        return [s for _, s in sorted(self.store.subscriptions.items()) if channel in (None, s.channel)][:limit]

    def remove(self, subscription_id: int) -> bool:
        self.store.claims = {k: c for k, c in self.store.claims.items() if k[0] != subscription_id}
        return self.store.subscriptions.pop(subscription_id, None) is not None


UNFINISHED = (ClaimStatus.CLAIMED.value, ClaimStatus.POSTING.value)


class FakeDigestClaims:
    def __init__(self, store: Store) -> None:
        self.store = store

    def claim(self, subscription_id: int, period: date, *, holder: str, now: datetime, lease: timedelta,
              max_attempts: int) -> DigestClaim | None:
        key = (subscription_id, period)
        held = self.store.claims.get(key)
        if held is None:
            self.store.claims[key] = DigestClaim(subscription_id, period, ClaimStatus.CLAIMED.value, holder,
                                                 now + lease, 1, now, None, {})
        elif held.status in UNFINISHED and held.lease_until <= now and held.attempts < max_attempts:
            self.store.claims[key] = replace(held, holder=holder, lease_until=now + lease, attempts=held.attempts + 1,
                                             claimed_at=now)
        else:
            return None
        return self.store.claims[key]

    def _held(self, key: tuple[int, date], holder: str) -> DigestClaim | None:
        held = self.store.claims.get(key)
        return held if held is not None and held.holder == holder and held.status in UNFINISHED else None

    def start_posting(self, subscription_id: int, period: date, *, holder: str, now: datetime,
                      lease: timedelta) -> bool:
        held = self._held((subscription_id, period), holder)
        if held is None or held.lease_until < now:
            return False
        self.store.claims[(subscription_id, period)] = replace(held, status=ClaimStatus.POSTING.value,
                                                               lease_until=now + lease)
        return True

    def posted(self, subscription_id: int, period: date, *, holder: str, now: datetime,
               detail: dict[str, Any]) -> bool:
        held = self._held((subscription_id, period), holder)
        if held is None:
            return False
        self.store.claims[(subscription_id, period)] = replace(held, status=ClaimStatus.POSTED.value, posted_at=now,
                                                               detail=detail)
        return True

    def release(self, subscription_id: int, period: date, *, holder: str, now: datetime) -> None:
        held = self._held((subscription_id, period), holder)
        if held is not None:
            self.store.claims[(subscription_id, period)] = replace(held, status=ClaimStatus.CLAIMED.value,
                                                                   lease_until=now)

    def abandon(self, subscription_id: int, period: date) -> None:
        held = self.store.claims.get((subscription_id, period))
        if held is not None and held.status in UNFINISHED:
            self.store.claims[(subscription_id, period)] = replace(held, status=ClaimStatus.ABANDONED.value)

    def get(self, subscription_id: int, period: date) -> DigestClaim | None:
        return self.store.claims.get((subscription_id, period))

    def expired(self, *, now: datetime, limit: int = 100) -> list[DigestClaim]:
        found = [c for c in self.store.claims.values() if c.status in UNFINISHED and c.lease_until <= now]
        return sorted(found, key=lambda c: c.lease_until)[:limit]

    def list(self, *, subscription_ids: Sequence[int] = (), limit: int = 1000) -> list[DigestClaim]:
        found = [c for k, c in sorted(self.store.claims.items()) if not subscription_ids or k[0] in subscription_ids]
        return found[:limit]


class FakeJobRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, job: JobRecord) -> None:
        self.store.jobs[job.job_id] = job

    def get(self, job_id: str) -> JobRecord | None:
        return self.store.jobs.get(job_id)

    def list(self, *, status: str | None = None, limit: int = 50) -> list[JobRecord]:
        found = [j for j in self.store.jobs.values() if status in (None, j.status)]
        return sorted(found, key=lambda j: j.submitted_at, reverse=True)[:limit]

    def start(self, job_id: str, *, worker: str, at: datetime, max_attempts: int) -> bool:
        job = self.store.jobs.get(job_id)
        if job is None or job.attempts >= max_attempts or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return False
        self.store.jobs[job_id] = replace(job, status=JobStatus.RUNNING.value, worker=worker, started_at=at,
                                          attempts=job.attempts + 1)
        return True

    def finish(self, job_id: str, *, worker: str, at: datetime, result: dict[str, Any] | None,
               error: str | None) -> bool:
        job = self.store.jobs.get(job_id)
        if job is None or job.worker != worker or job.status != JobStatus.RUNNING:
            return False
        status = JobStatus.FAILED.value if error is not None else JobStatus.SUCCEEDED.value
        self.store.jobs[job_id] = replace(job, status=status, finished_at=at, result=result, error=error)
        return True

    def mark_result_posted(self, job_id: str, *, at: datetime) -> bool:
        job = self.store.jobs.get(job_id)
        if job is None or job.result_posted_at is not None:
            return False
        self.store.jobs[job_id] = replace(job, result_posted_at=at)
        return True


class FakeChatReceipts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def begin(self, key: str, *, now: datetime, lease: timedelta) -> bool:
        held = self.store.receipts.get(key)
        if held is None:
            self.store.receipts[key] = ChatReceipt(key, ReceiptStatus.WORKING.value, 1, now + lease, now, None, {})
            return True
        if held.status == ReceiptStatus.FAILED.value or (
                held.status == ReceiptStatus.WORKING.value and held.lease_until <= now):
            self.store.receipts[key] = replace(held, status=ReceiptStatus.WORKING.value, attempts=held.attempts + 1,
                                               lease_until=now + lease)
            return True
        return False

    def begin_many(self, keys: Sequence[str], *, now: datetime, lease: timedelta) -> set[str]:
        return {key for key in dict.fromkeys(keys) if self.begin(key, now=now, lease=lease)}

    def finish(self, key: str, *, now: datetime, outcome: dict[str, Any]) -> None:
        held = self.store.receipts[key]
        self.store.receipts[key] = replace(held, status=ReceiptStatus.DONE.value, finished_at=now, outcome=outcome)

    def fail(self, key: str, *, now: datetime) -> None:
        held = self.store.receipts[key]
        if held.status == ReceiptStatus.WORKING.value:
            self.store.receipts[key] = replace(held, status=ReceiptStatus.FAILED.value, finished_at=now,
                                               lease_until=now)

    def get(self, key: str) -> ChatReceipt | None:
        return self.store.receipts.get(key)


class FakeQualityEventLog:
    """Quality events live in the stored snapshot, as they live in the plant tables."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def next_event_id(self) -> str:
        assert self.store.snapshot is not None
        numbers = [int(e.event_id[3:]) for e in self.store.snapshot.quality_events
                   if e.event_id.startswith("QE-") and e.event_id[3:].isdigit()]
        return f"QE-{max(numbers, default=1000) + 1}"

    def add(self, event: QualityEvent) -> None:
        assert self.store.snapshot is not None
        self.store.snapshot = replace(self.store.snapshot, quality_events=(*self.store.snapshot.quality_events, event))

    def get(self, event_id: str) -> QualityEvent | None:
        assert self.store.snapshot is not None
        return next((e for e in self.store.snapshot.quality_events if e.event_id == event_id), None)

    def set_status(self, event_id: str, status: QualityEventStatus) -> None:
        assert self.store.snapshot is not None
        events = tuple(replace(e, status=status) if e.event_id == event_id else e
                       for e in self.store.snapshot.quality_events)
        self.store.snapshot = replace(self.store.snapshot, quality_events=events)


REPOSITORIES: dict[str, type] = {
    "plant": FakePlantRepository, "schedules": FakeScheduleRepository, "conversations": FakeConversationRepository,
    "forecasts": FakeForecastRepository, "orders": FakeOrderBook, "requests": FakeRequestRepository,
    "audit": FakeAuditLog, "subscriptions": FakeDigestSubscriptions, "claims": FakeDigestClaims,
    "jobs": FakeJobRepository, "receipts": FakeChatReceipts, "quality": FakeQualityEventLog,
}


class FakeUnitOfWork:
    """One transaction on a copy of `store`: `commit` writes it back, anything else forgets it."""

    def __init__(self, store: Store) -> None:
        self.shared = store

    def __enter__(self) -> Self:
        self.working = copy.copy(self.shared)
        for name in ("schedules", "audit"):
            setattr(self.working, name, list(getattr(self.shared, name)))
        for name in ("conversations", "requests", "subscriptions", "claims", "jobs", "receipts"):
            setattr(self.working, name, dict(getattr(self.shared, name)))
        for name, repository in REPOSITORIES.items():
            setattr(self, name, repository(self.working))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self.shared.__dict__.update(self.working.__dict__)
        self.shared.commits += 1

    def rollback(self) -> None:
        pass  # the working copy is simply dropped
