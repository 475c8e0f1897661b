"""What every service call needs, as ports: the database, the clock, the language model, the plant source.

`planbridge.bootstrap` wires the real adapters; tests wire in-memory fakes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from planbridge.errors import NotFound
from planbridge.services.ports import Clock, LanguageModels, PlantSource, UnitOfWork, no_language_model
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot


@dataclass(frozen=True)
class SystemClock:
    """Real time, unless `fixed_today` pins "today" (PLANBRIDGE_AS_OF, for demos and tests)."""

    fixed_today: date | None = None

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, timezone: str) -> date:
        return self.fixed_today or datetime.now(ZoneInfo(timezone)).date()


@dataclass
class SnapshotCache:
    """Keeps the last loaded plant in memory until its version changes (warm bot and API)."""

    _version: int | None = None
    _snapshot: PlantSnapshot | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, uow: UnitOfWork) -> PlantSnapshot:
        if not uow.plant.exists():
            raise NotFound("no plant is loaded: run `planbridge import DIR` or `planbridge demo` first")
        version = uow.plant.version()
        with self._lock:
            if self._snapshot is None or self._version != version:
                self._snapshot = uow.plant.load()
                self._version = version
            return self._snapshot


@dataclass
class ServiceContext:
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock = field(default_factory=SystemClock)
    snapshots: SnapshotCache = field(default_factory=SnapshotCache)
    settings: Settings = field(default_factory=lambda: Settings())
    language_model: LanguageModels = no_language_model
    plant_source: PlantSource | None = None

    def snapshot(self) -> PlantSnapshot:
        with self.uow_factory() as uow:
            return self.snapshots.get(uow)

    def as_of(self, requested: date | None, snapshot: PlantSnapshot) -> date:
        return requested or self.clock.today(snapshot.plant.timezone)
