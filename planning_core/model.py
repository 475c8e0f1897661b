"""The plant data model: plain, immutable dataclasses that every algorithm takes.

Nothing here knows about files, databases or chat. Quantities are floats because
bills of materials carry decimal `qty_per` and scrap; ids are strings as the
plant writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar

T = TypeVar("T")


def quick_to_load(cls: type[T]) -> type[T]:
    """Pickled as a constructor call: a saved plant of 12,000 orders loads several times faster than
    through the generic state of frozen slotted dataclasses (which looks up every field per object)."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: T) -> tuple[type[T], tuple[Any, ...]]:
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


class ItemType(StrEnum):
    MAKE = "make"
    BUY = "buy"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday is 0, as in `date.weekday()`."""
        return list(Weekday).index(self)


class ExceptionKind(StrEnum):
    CLOSED = "closed"
    OPEN = "open"


class WorkOrderStatus(StrEnum):
    RELEASED = "released"
    RUNNING = "running"
    DONE = "done"


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    RUSH = "rush"

    @property
    def weight(self) -> int:
        """Tardiness weight used by schedulers: a rush day late hurts most."""
        return {Priority.NORMAL: 1, Priority.HIGH: 3, Priority.RUSH: 10}[self]


class OrderStatus(StrEnum):
    QUOTED = "quoted"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class Role(StrEnum):
    SALES = "sales"
    PRODUCTION = "production"
    PLANNER = "planner"
    ADMIN = "admin"


class Language(StrEnum):
    EN = "en"
    ZH = "zh"


class StockStatus(StrEnum):
    """What quality says of a lot of stock: only `available` stock may be promised."""

    AVAILABLE = "available"
    HOLD = "hold"  # suspect, waiting for a decision; may come back on its `release_date`
    QUARANTINE = "quarantine"  # blocked with no date in sight


class QualityEventKind(StrEnum):
    COMPLAINT = "complaint"
    RETURN = "return"
    NCR = "ncr"  # a non-conformance report raised inside the plant


class QualityEventStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@quick_to_load
@dataclass(frozen=True, slots=True)
class PlantInfo:
    name: str = "Plant"
    timezone: str = "UTC"
    country: str | None = None


@quick_to_load
@dataclass(frozen=True, slots=True)
class Item:
    item_id: str
    name: str
    type: ItemType
    uom: str = "pcs"
    lead_time_days: int = 0
    safety_stock: float = 0.0
    min_lot: float = 0.0
    lot_multiple: float = 1.0
    aliases: tuple[str, ...] = ()


@quick_to_load
@dataclass(frozen=True, slots=True)
class BomLine:
    parent_id: str
    component_id: str
    qty_per: float
    scrap_pct: float = 0.0

    @property
    def gross_qty_per(self) -> float:
        """Component needed per parent unit once scrap is allowed for."""
        return self.qty_per * (1.0 + self.scrap_pct / 100.0)


@quick_to_load
@dataclass(frozen=True, slots=True)
class RoutingStep:
    """`setup_family`: steps of one family share a set-up (fixtures, tooling, colour), so on one
    machine a batch of the family right after another one needs only the changeover the set-up
    matrix gives (none by default); None: every batch pays `setup_minutes`."""

    item_id: str
    step: int
    resource_ids: tuple[str, ...]
    setup_minutes: float = 0.0
    run_minutes_per_unit: float = 0.0
    setup_family: str | None = None
    # Share of the units started at this step that come out good (100: no loss). A step with a
    # yield below 100 must start more than it is asked to deliver, as BOM scrap does for components.
    yield_pct: float = 100.0

    def minutes_for(self, qty: float) -> float:
        return self.setup_minutes + qty * self.run_minutes_per_unit

    @property
    def yield_fraction(self) -> float:
        return self.yield_pct / 100.0


@quick_to_load
@dataclass(frozen=True, slots=True)
class SetupChange:
    """One entry of the set-up matrix: a batch of `to_family` right after one of `from_family` on the
    same machine needs `setup_minutes` of set-up."""

    from_family: str
    to_family: str
    setup_minutes: float


@quick_to_load
@dataclass(frozen=True, slots=True)
class ShiftInterval:
    """One working interval of a weekly pattern, in local wall-clock time."""

    weekday: Weekday
    start: time
    end: time  # 00:00 as an end means midnight at the end of the day


@quick_to_load
@dataclass(frozen=True, slots=True)
class CalendarException:
    calendar_id: str
    date: date
    kind: ExceptionKind
    start: time | None = None
    end: time | None = None


@quick_to_load
@dataclass(frozen=True, slots=True)
class Calendar:
    calendar_id: str
    shifts: tuple[ShiftInterval, ...]
    exceptions: tuple[CalendarException, ...] = ()


@quick_to_load
@dataclass(frozen=True, slots=True)
class Resource:
    resource_id: str
    name: str
    calendar_id: str
    units: int = 1
    aliases: tuple[str, ...] = ()


@quick_to_load
@dataclass(frozen=True, slots=True)
class HeldStock:
    """Stock quality has not released (`status` hold or quarantine): never promised as it stands.
    A hold with a `release_date` is expected back then, and counts as a receipt on that date."""

    item_id: str
    qty: float
    status: StockStatus
    release_date: date | None = None
    hold_date: date | None = None  # when quality put the lot on hold (for the held stock's age)

    @property
    def releases(self) -> bool:
        return self.status is StockStatus.HOLD and self.release_date is not None


@quick_to_load
@dataclass(frozen=True, slots=True)
class QualityEvent:
    """A complaint or return a customer made, or a non-conformance (NCR) the plant found."""

    event_id: str
    date: date
    kind: QualityEventKind
    item_id: str
    order_id: str | None = None
    customer_id: str | None = None
    qty: float = 0.0
    status: QualityEventStatus = QualityEventStatus.OPEN
    note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is QualityEventStatus.OPEN


@quick_to_load
@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    po_id: str
    item_id: str
    qty: float
    due_date: date


@quick_to_load
@dataclass(frozen=True, slots=True)
class WorkOrder:
    wo_id: str
    item_id: str
    qty: float
    resource_id: str
    start: datetime
    end: datetime
    status: WorkOrderStatus


@quick_to_load
@dataclass(frozen=True, slots=True)
class SalesOrder:
    order_id: str
    customer: str
    item_id: str
    qty: float
    requested_date: date
    promised_date: date | None = None
    priority: Priority = Priority.NORMAL
    status: OrderStatus = OrderStatus.CONFIRMED
    shipped_date: date | None = None
    shipped_qty: float | None = None
    owner: str | None = None
    # An approved change elsewhere made this order late: where it now stands, and which request did
    # it. Its promise should be renewed with the customer (cleared when its promise changes again).
    projected_date: date | None = None
    repromise_request: str | None = None

    @property
    def to_repromise(self) -> bool:
        return self.repromise_request is not None and self.is_open

    @property
    def is_open(self) -> bool:
        """Still to be made and shipped: confirmed and not yet shipped."""
        return self.status is OrderStatus.CONFIRMED

    @property
    def due_date(self) -> date:
        """The date the plant has committed to, else the date asked for."""
        return self.promised_date or self.requested_date


@quick_to_load
@dataclass(frozen=True, slots=True)
class ForecastEntry:
    item_id: str
    period_start: date
    qty: float


@quick_to_load
@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    name: str
    role: Role
    language: Language = Language.EN
    feishu_id: str | None = None  # the Feishu (Lark) open_id or union_id of the same person, if they use Feishu

    @property
    def may_approve(self) -> bool:
        return self.role in (Role.PRODUCTION, Role.ADMIN)


@dataclass(frozen=True)
class PlantSnapshot:
    """Everything the planning algorithms know about one plant at one moment."""

    plant: PlantInfo
    items: dict[str, Item]
    bom: tuple[BomLine, ...]
    routings: tuple[RoutingStep, ...]
    calendars: dict[str, Calendar]
    resources: dict[str, Resource]
    inventory: dict[str, float] = field(default_factory=dict)
    purchase_orders: tuple[PurchaseOrder, ...] = ()
    work_orders: tuple[WorkOrder, ...] = ()
    sales_orders: tuple[SalesOrder, ...] = ()
    forecast: tuple[ForecastEntry, ...] = ()
    users: dict[str, User] = field(default_factory=dict)
    setup_matrix: tuple[SetupChange, ...] = ()
    # quality: stock on hold or in quarantine (`inventory` is the available stock only), and events
    held_stock: tuple[HeldStock, ...] = ()
    quality_events: tuple[QualityEvent, ...] = ()

    @cached_property
    def hold_releases(self) -> tuple[HeldStock, ...]:
        """Held lots expected back on a date: every engine takes each as a receipt on that date."""
        return tuple(h for h in self.held_stock if h.releases)

    def started_per_good(self, item_id: str, step: int | None = None) -> float:
        """Units to start at `step` (None: the first step) of `item_id` per good unit finished:
        one over the product of the yields from that step to the last."""
        key = (item_id, step)
        cached = self._started_per_good.get(key)
        if cached is None:
            steps = self.routing_of.get(item_id, ())
            fraction = 1.0
            for s in steps:
                if step is None or s.step >= step:
                    fraction *= s.yield_fraction
            cached = 1.0 / fraction if fraction > 0 else float("inf")
            self._started_per_good[key] = cached
        return cached

    @cached_property
    def _started_per_good(self) -> dict[tuple[str, int | None], float]:
        return {}

    @cached_property
    def has_yields(self) -> bool:
        return any(step.yield_pct < 100.0 for step in self.routings)

    def setup_after(self, step: RoutingStep, previous_family: str | None) -> float:
        """Set-up minutes a batch of `step` needs right after a batch of `previous_family` on the same
        machine (None: nothing known ran before, or a step without a family). The matrix decides where
        it has an entry; otherwise a batch of the same family needs none and any other change the step's
        own `setup_minutes`."""
        if step.setup_family is None or previous_family is None:
            return step.setup_minutes
        listed = self.setup_changes.get((previous_family, step.setup_family))
        if listed is not None:
            return listed
        return 0.0 if previous_family == step.setup_family else step.setup_minutes

    @cached_property
    def setup_changes(self) -> dict[tuple[str, str], float]:
        return {(c.from_family, c.to_family): c.setup_minutes for c in self.setup_matrix}

    @cached_property
    def components_of(self) -> dict[str, tuple[BomLine, ...]]:
        grouped: dict[str, list[BomLine]] = defaultdict(list)
        for line in self.bom:
            grouped[line.parent_id].append(line)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def parents_of(self) -> dict[str, tuple[BomLine, ...]]:
        grouped: dict[str, list[BomLine]] = defaultdict(list)
        for line in self.bom:
            grouped[line.component_id].append(line)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def routing_of(self) -> dict[str, tuple[RoutingStep, ...]]:
        grouped: dict[str, list[RoutingStep]] = defaultdict(list)
        for step in self.routings:
            grouped[step.item_id].append(step)
        return {k: tuple(sorted(v, key=lambda s: s.step)) for k, v in grouped.items()}

    @cached_property
    def orders_by_id(self) -> dict[str, SalesOrder]:
        return {o.order_id: o for o in self.sales_orders}

    @cached_property
    def open_orders(self) -> tuple[SalesOrder, ...]:
        return tuple(o for o in self.sales_orders if o.is_open)

    @cached_property
    def low_level_codes(self) -> dict[str, int]:
        """Deepest BOM level at which each item appears (0 = never a component)."""
        codes = dict.fromkeys(self.items, 0)
        for item_id in self.topological_order:
            for line in self.components_of.get(item_id, ()):
                codes[line.component_id] = max(codes[line.component_id], codes[item_id] + 1)
        return codes

    @cached_property
    def topological_order(self) -> tuple[str, ...]:
        """Items with every parent before its components (the BOM must be acyclic)."""
        indegree = dict.fromkeys(self.items, 0)
        for line in self.bom:
            indegree[line.component_id] += 1
        ready = sorted(i for i, d in indegree.items() if d == 0)
        order: list[str] = []
        while ready:
            item_id = ready.pop()
            order.append(item_id)
            for line in self.components_of.get(item_id, ()):
                indegree[line.component_id] -= 1
                if indegree[line.component_id] == 0:
                    ready.append(line.component_id)
        if len(order) != len(self.items):
            raise ValueError("the bill of materials has a cycle")
        return tuple(order)

    def explode(self, item_id: str, qty: float = 1.0) -> dict[str, float]:
        """Gross quantity of every item in the bill of materials of `qty` × `item_id` (itself included)."""
        unit = self._unit_explosions.get(item_id)
        if unit is None:
            unit = self._explode_one(item_id)
            self._unit_explosions[item_id] = unit
        return {k: v * qty for k, v in unit.items()}

    @cached_property
    def _unit_explosions(self) -> dict[str, dict[str, float]]:
        return {}

    def with_orders(self, changed: Mapping[str, SalesOrder]) -> PlantSnapshot:
        """The plant with these sales orders added or replaced (a booking, a change): what is known
        of its items and bills of materials is kept, not worked out again."""
        if not changed:
            return self
        left = dict(changed)
        kept = tuple(left.pop(o.order_id, o) for o in self.sales_orders)
        other = replace(self, sales_orders=kept + tuple(left.values()))
        for name in _ITEM_FACTS:
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        if "open_batches" in self.__dict__:
            batches = dict(self.open_batches)
            for order_id, order in changed.items():
                was = self.orders_by_id.get(order_id)
                if was is not None and was.is_open:
                    self._count_batches(batches, was, -1)
                if order.is_open:
                    self._count_batches(batches, order, 1)
            other.__dict__["open_batches"] = {k: v for k, v in batches.items() if v[0] > 0}
        return other

    @cached_property
    def open_batches(self) -> dict[str, tuple[int, float]]:
        """Per item: how many open orders need some of it (their batches) and how much in all,
        through the bills of materials of what is still to deliver."""
        batches: dict[str, tuple[int, float]] = {}
        for order in self.open_orders:
            self._count_batches(batches, order, 1)
        return batches

    def _count_batches(self, batches: dict[str, tuple[int, float]], order: SalesOrder, sign: int) -> None:
        """Add (+1) or take out (−1) one order's batches through its bill of materials."""
        left = max(order.qty - (order.shipped_qty or 0.0), 0.0)
        for item_id, qty in self.explode(order.item_id, left).items():
            if qty > 0:
                count, total = batches.get(item_id, (0, 0.0))
                batches[item_id] = (count + sign, total + sign * qty)

    def bom_items(self, item_id: str) -> frozenset[str]:
        """Every item in the bill of materials of `item_id` (itself included)."""
        known = self._bom_items.get(item_id)
        if known is None:
            known = self._bom_items[item_id] = frozenset(self.explode(item_id, 1.0))
        return known

    @cached_property
    def _bom_items(self) -> dict[str, frozenset[str]]:
        return {}

    @cached_property
    def _topological_rank(self) -> dict[str, int]:
        return {item_id: k for k, item_id in enumerate(self.topological_order)}

    def _explode_one(self, item_id: str) -> dict[str, float]:
        need: dict[str, float] = {item_id: 1.0}
        rank = self._topological_rank
        pending = [item_id]
        while pending:  # parents before components, so each item is expanded once, complete
            pending.sort(key=rank.__getitem__)
            parent = pending.pop(0)
            if self.items[parent].type is not ItemType.MAKE:
                continue
            for line in self.components_of.get(parent, ()):
                if line.component_id not in need:
                    pending.append(line.component_id)
                    need[line.component_id] = 0.0
                # a component goes into every unit started at the first step, good or not
                need[line.component_id] += need[parent] * self.started_per_good(parent) * line.gross_qty_per
        return need

    def is_makeable(self, item_id: str) -> bool:
        """Whether the item can be produced or bought at all, all the way down."""
        return self._makeable.get(item_id, False)

    @cached_property
    def _makeable(self) -> dict[str, bool]:
        result: dict[str, bool] = {}
        for item_id in reversed(self.topological_order):
            item = self.items[item_id]
            if item.type is ItemType.BUY:
                result[item_id] = True
                continue
            steps = self.routing_of.get(item_id, ())
            has_routing = bool(steps) and all(s.resource_ids for s in steps)
            result[item_id] = has_routing and all(
                result[line.component_id] for line in self.components_of.get(item_id, ())
            )
        return result


# What a PlantSnapshot works out about its items and bills of materials, which sales orders do not change.
_ITEM_FACTS = ("_started_per_good", "has_yields", "setup_changes", "components_of", "parents_of", "routing_of",
               "low_level_codes", "topological_order", "_unit_explosions", "_bom_items")
