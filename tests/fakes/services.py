"""The services wired to fakes: no database, a fixed clock, an in-memory store."""

from __future__ import annotations

from datetime import date

from planbridge.services.context import ServiceContext
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.fakes.clock import FakeClock, at_noon
from tests.fakes.uow import FakeUnitOfWork, Store


def fake_services(snapshot: PlantSnapshot | None, *, today: date, clock: FakeClock | None = None) -> ServiceContext:
    store = Store(snapshot=snapshot, version=1 if snapshot else 0)
    ctx = ServiceContext(uow_factory=lambda: FakeUnitOfWork(store), clock=clock or at_noon(today),
                         settings=Settings(database_url="sqlite://", as_of=today))
    ctx.store = store  # type: ignore[attr-defined]  # tests look into what was stored
    return ctx


def store_of(ctx: ServiceContext) -> Store:
    store: Store = ctx.store  # type: ignore[attr-defined]
    return store
