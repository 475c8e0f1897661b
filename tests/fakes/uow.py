"""An in-memory unit of work: the repositories of `planbridge.services.ports` without a database.

Each unit of work works on a copy of the shared store and writes it back only on `commit`,
so a service that fails half-way changes nothing, as with the real database.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from planbridge.records import AuditEntry, JournalEntry, JournalKind, StoredRequest
from planning_core.forecasting import SavedForecast
from planning_core.model import ForecastEntry, OrderStatus, PlantSnapshot, Priority, SalesOrder
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
    journal: list[JournalEntry] = field(default_factory=list)
    commits: int = 0


class FakePlantRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def exists(self) -> bool:
        return self.store.snapshot is not None

    def version(self) -> int:
        return self.store.version

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


REPOSITORIES: dict[str, type] = {
    "plant": FakePlantRepository, "schedules": FakeScheduleRepository, "conversations": FakeConversationRepository,
    "forecasts": FakeForecastRepository, "orders": FakeOrderBook, "requests": FakeRequestRepository,
    "audit": FakeAuditLog,
}


class FakeUnitOfWork:
    """One transaction on a copy of `store`: `commit` writes it back, anything else forgets it."""

    def __init__(self, store: Store) -> None:
        self.shared = store

    def __enter__(self) -> Self:
        self.working = copy.copy(self.shared)
        for name in ("schedules", "audit"):
            setattr(self.working, name, list(getattr(self.shared, name)))
        for name in ("conversations", "requests"):
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
