"""What every service call needs, as ports: the database, the clock, the language model, the plant source.

`planbridge.bootstrap` wires the real adapters; tests wire in-memory fakes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from planbridge.errors import BadRequest
from planbridge.services.plants import PlantCache
from planbridge.services.ports import Clock, LanguageModels, PlantSource, UnitOfWork, no_language_model
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot

EARLIEST_AS_OF = date(1900, 1, 1)
LATEST_AS_OF = date(2999, 12, 31)


@dataclass(frozen=True)
class SystemClock:
    """Real time, unless `fixed_today` pins "today" (PLANBRIDGE_AS_OF, for demos and tests)."""

    fixed_today: date | None = None

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, timezone: str) -> date:
        return self.fixed_today or datetime.now(ZoneInfo(timezone)).date()


@dataclass
class ServiceContext:
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock = field(default_factory=SystemClock)
    plants: PlantCache = field(default_factory=PlantCache)
    settings: Settings = field(default_factory=lambda: Settings())
    language_model: LanguageModels = no_language_model
    plant_source: PlantSource | None = None

    def snapshot(self) -> PlantSnapshot:
        with self.uow_factory() as uow:
            return self.plants.snapshot(uow)

    def deadline(self) -> float:
        """When work started now must have answered (time.monotonic), by the time budget."""
        return time.monotonic() + self.settings.time_budget_seconds

    def as_of(self, requested: date | None, snapshot: PlantSnapshot) -> date:
        if requested is not None and not EARLIEST_AS_OF <= requested <= LATEST_AS_OF:
            # Plans reach years past their day, and history years before it: keep both inside the calendar.
            raise BadRequest(f"as_of {requested.isoformat()} is out of range: plan between "
                             f"{EARLIEST_AS_OF.isoformat()} and {LATEST_AS_OF.isoformat()}")
        return requested or self.clock.today(snapshot.plant.timezone)
