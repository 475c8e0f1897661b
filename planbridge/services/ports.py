"""Ports the services depend on: the database (a unit of work and its repositories), the clock,
the language model and the plant source. SQLAlchemy, LangChain and the CSV folder reader
implement them in `integrations/`; in-memory fakes stand in for them in unit tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from planbridge.records import AuditEntry, JournalEntry, JournalKind, StoredRequest
from planning_core.model import ForecastEntry, PlantSnapshot, SalesOrder
from planning_core.scheduling.saved import SavedSchedule

if TYPE_CHECKING:  # keeps numpy, HiGHS and pandas out of every command's start-up
    from planning_core.ctp.state import PromiseState
    from planning_core.forecasting import SavedForecast


class PlantRepository(Protocol):
    def exists(self) -> bool: ...
    def version(self) -> int: ...
    def bump_version(self) -> int: ...
    def load(self) -> PlantSnapshot: ...
    def replace(self, snapshot: PlantSnapshot, *, at: datetime) -> None: ...


class ScheduleRepository(Protocol):
    def add(self, *, as_of: date, plant_version: int, status: str, document: dict[str, Any], at: datetime) -> int: ...
    def latest(self) -> SavedSchedule | None: ...


class ConversationRepository(Protocol):
    """Slots remembered per chat thread, so that follow-ups ("and 300?") can reuse them."""

    def get(self, thread_id: str) -> dict[str, Any] | None: ...
    def save(self, thread_id: str, *, user_id: str | None, state: dict[str, Any], at: datetime) -> None: ...


class ForecastRepository(Protocol):
    """Forecast rows by source ('import' or 'statistical'); MRP reads them through the snapshot."""

    def all(self) -> list[tuple[ForecastEntry, str]]: ...
    def save_statistical(
        self, entries: Sequence[ForecastEntry], *, first_period: date, override_imported: bool = False
    ) -> SavedForecast: ...


class OrderBook(Protocol):
    """Sales orders booked or changed through planbridge (not by import)."""

    def lock(self) -> None: ...
    def next_order_id(self) -> str: ...
    def add(self, order: SalesOrder, *, source: str, at: datetime) -> None: ...
    def update(self, order_id: str, **values: Any) -> None: ...
    def get(self, order_id: str) -> SalesOrder | None: ...

    # The order journal: bookings and approved changes since the last import, in order.
    def record(self, kind: JournalKind, order_id: str, *, at: datetime) -> int: ...
    def journal_head(self) -> int: ...
    def journal_since(self, seq: int) -> list[JournalEntry]: ...


class RequestRepository(Protocol):
    def add(self, request: StoredRequest) -> None: ...
    def get(self, request_id: str, *, for_update: bool = False) -> StoredRequest | None: ...
    def list(self, *, status: str | None = None, limit: int = 50) -> list[StoredRequest]: ...
    def decide(
        self, request_id: str, *, status: str, user_id: str, at: datetime, impact: dict[str, Any] | None = None
    ) -> None: ...


class AuditLog(Protocol):
    def append(self, entry: AuditEntry) -> None: ...
    def list(self, *, subject: str | None = None, limit: int = 100) -> list[AuditEntry]: ...


class UnitOfWork(Protocol):
    """One database transaction: everything inside commits together or not at all."""

    @property
    def plant(self) -> PlantRepository: ...
    @property
    def schedules(self) -> ScheduleRepository: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def forecasts(self) -> ForecastRepository: ...
    @property
    def orders(self) -> OrderBook: ...
    @property
    def requests(self) -> RequestRepository: ...
    @property
    def audit(self) -> AuditLog: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class LanguageModel(Protocol):
    """A chat model that can be asked for tool calls (LangChain's `BaseChatModel` is one)."""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any: ...
    def invoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any: ...


class LanguageModelUnavailable(Exception):
    """The settings ask for a language model that cannot be built (no key, unknown provider, ...)."""


LanguageModels = Callable[[], LanguageModel | None]
"""Gives the configured language model (None when none is), built on first use;
raises `LanguageModelUnavailable` when it is configured but cannot be built."""


def no_language_model() -> LanguageModel | None:
    return None


class Clock(Protocol):
    def now(self) -> datetime: ...
    def today(self, timezone: str) -> date: ...


class PlantReading(Protocol):
    """What reading plant data found: a snapshot only when nothing was wrong."""

    @property
    def snapshot(self) -> PlantSnapshot | None: ...
    @property
    def errors(self) -> Sequence[object]:
        """One line each as a user reads it (`file:line: column: what is wrong` for a CSV folder)."""
        ...
    @property
    def warnings(self) -> Sequence[object]: ...
    @property
    def row_count(self) -> int: ...


class PlantSource(Protocol):
    """Where plant data comes from and goes to: a folder of CSV files today, an ERP later.

    `read` validates everything and returns a snapshot only when the data is usable as a whole.
    """

    def read(self, location: str) -> PlantReading: ...
    def write(self, snapshot: PlantSnapshot, location: str) -> None: ...


class PromiseStateStore(Protocol):
    """Compiled promise states kept between processes (a command line loads what `serve` or an
    earlier command built instead of building it again)."""

    def load(self, *, version: int, as_of: date) -> tuple[PromiseState, int] | None:
        """The state saved for this plant version and date, with the journal entries it has applied."""
        ...

    def save(self, state: PromiseState, *, version: int, as_of: date, seq: int) -> None: ...
