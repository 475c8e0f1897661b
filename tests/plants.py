"""Tiny plants built in code for hand-computed planning cases: one builder for every test.

Day 0 of every case is Monday 2027-01-04 unless a test says otherwise; plants run in UTC so
minutes and wall-clock hours coincide (minute 0 is Monday 00:00, 08:00 Monday is minute 480).

Named calendars: `DAY_SHIFT` (Monday to Friday 08:00–16:00, 480 minutes a day),
`DAY_WITH_LUNCH` (08:00–12:00 and 12:30–16:30), `ALWAYS` (every day, around the clock);
`weekly()` makes others. `PlantBuilder` collects records and `build()` returns the snapshot;
`one_shift_plant()` (machine M on the day shift) and `bench_plant()` (resource BENCH on the
day shift) are the usual starts, and `plant()` builds one from records in a single call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from planning_core import model as m

MONDAY = date(2027, 1, 4)
DAY_MINUTES = 24 * 60
WEEKDAYS = (m.Weekday.MON, m.Weekday.TUE, m.Weekday.WED, m.Weekday.THU, m.Weekday.FRI)


def day(offset: int) -> date:
    """The date `offset` days after Monday 2027-01-04."""
    return date.fromordinal(MONDAY.toordinal() + offset)


def at(day: int, hour: int, minute: int = 0) -> float:
    """Minutes since Monday 00:00 of `hour:minute` on day `day` (0 = Monday)."""
    return float(day * DAY_MINUTES + hour * 60 + minute)


def moment(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day), time(hour, minute))


def weekly(calendar_id: str, *spans: tuple[str, str], days: tuple[m.Weekday, ...] = WEEKDAYS,
           closed: tuple[date, ...] = ()) -> m.Calendar:
    """A weekly calendar: the same working intervals on each of `days`, and whole days closed."""
    shifts = tuple(
        m.ShiftInterval(weekday, time.fromisoformat(a), time.fromisoformat(b)) for weekday in days for a, b in spans
    )
    exceptions = tuple(m.CalendarException(calendar_id, d, m.ExceptionKind.CLOSED) for d in closed)
    return m.Calendar(calendar_id, shifts, exceptions)


DAY_SHIFT = weekly("DAY", ("08:00", "16:00"))
DAY_WITH_LUNCH = weekly("DAY", ("08:00", "12:00"), ("12:30", "16:30"))
ALWAYS = m.Calendar("ALWAYS", tuple(m.ShiftInterval(d, time(0), time(0)) for d in m.Weekday))


@dataclass
class PlantBuilder:
    """Collects plant records; `build()` returns the snapshot."""

    items: dict[str, m.Item] = field(default_factory=dict)
    bom: list[m.BomLine] = field(default_factory=list)
    routings: list[m.RoutingStep] = field(default_factory=list)
    calendars: dict[str, m.Calendar] = field(default_factory=dict)
    resources: dict[str, m.Resource] = field(default_factory=dict)
    inventory: dict[str, float] = field(default_factory=dict)
    purchase_orders: list[m.PurchaseOrder] = field(default_factory=list)
    work_orders: list[m.WorkOrder] = field(default_factory=list)
    orders: list[m.SalesOrder] = field(default_factory=list)
    forecast: list[m.ForecastEntry] = field(default_factory=list)
    users: dict[str, m.User] = field(default_factory=dict)
    held_stock: list[m.HeldStock] = field(default_factory=list)
    quality_events: list[m.QualityEvent] = field(default_factory=list)
    name: str = "Test plant"
    timezone: str = "UTC"

    def calendar(self, calendar: m.Calendar) -> PlantBuilder:
        self.calendars[calendar.calendar_id] = calendar
        return self

    def resource(self, resource_id: str, calendar_id: str, units: int = 1, *, name: str | None = None,
                 aliases: tuple[str, ...] = ()) -> PlantBuilder:
        self.resources[resource_id] = m.Resource(resource_id, name or resource_id, calendar_id, units, aliases)
        return self

    def buy(self, item_id: str, *, lead_time_days: int = 0, stock: float = 0.0, safety_stock: float = 0.0,
            min_lot: float = 0.0, lot_multiple: float = 1.0, name: str | None = None, uom: str = "pcs",
            aliases: tuple[str, ...] = ()) -> PlantBuilder:
        self.items[item_id] = m.Item(item_id, name or item_id, m.ItemType.BUY, uom, lead_time_days, safety_stock,
                                   min_lot, lot_multiple, aliases)
        return self._stock(item_id, stock)

    def make(self, item_id: str, *steps: tuple[str, float] | tuple[str, float, float], stock: float = 0.0,
             components: tuple[tuple[str, float], ...] = (), safety_stock: float = 0.0, min_lot: float = 0.0,
             lot_multiple: float = 1.0, name: str | None = None, uom: str = "pcs",
             aliases: tuple[str, ...] = ()) -> PlantBuilder:
        """`steps` are (resources joined by '|', run minutes per unit[, setup minutes]), numbered 10, 20, …"""
        self.items[item_id] = m.Item(item_id, name or item_id, m.ItemType.MAKE, uom, 0, safety_stock, min_lot,
                                   lot_multiple, aliases)
        for number, step in enumerate(steps, start=1):
            resources, run = step[0], step[1]
            setup = step[2] if len(step) > 2 else 0.0
            self.routings.append(m.RoutingStep(item_id, number * 10, tuple(resources.split("|")), setup, run))
        for component, qty_per in components:
            self.bom.append(m.BomLine(item_id, component, qty_per))
        return self._stock(item_id, stock)

    def uses(self, parent: str, component: str, qty_per: float, scrap_pct: float = 0.0) -> PlantBuilder:
        self.bom.append(m.BomLine(parent, component, qty_per, scrap_pct))
        return self

    def po(self, po_id: str, item_id: str, qty: float, due: date) -> PlantBuilder:
        self.purchase_orders.append(m.PurchaseOrder(po_id, item_id, qty, due))
        return self

    def order(self, order_id: str, item_id: str, qty: float, promised: date, *, customer: str = "ACME",
              priority: m.Priority = m.Priority.NORMAL, status: m.OrderStatus = m.OrderStatus.CONFIRMED,
              requested: date | None = None, shipped: date | None = None, shipped_qty: float | None = None,
              owner: str | None = None) -> PlantBuilder:
        self.orders.append(m.SalesOrder(order_id, customer, item_id, qty, requested or promised, promised, priority,
                                      status, shipped, shipped_qty, owner))
        return self

    def wo(self, wo_id: str, item_id: str, qty: float, end: datetime, *, resource: str = "BENCH",
           start: datetime | None = None, status: m.WorkOrderStatus = m.WorkOrderStatus.RELEASED) -> PlantBuilder:
        """A work order on `resource` from `start` (default: 08:00 of its last day) to `end`."""
        self.work_orders.append(m.WorkOrder(wo_id, item_id, qty, resource, start or end.replace(hour=8), end, status))
        return self

    def forecast_qty(self, item_id: str, period_start: date, qty: float) -> PlantBuilder:
        self.forecast.append(m.ForecastEntry(item_id, period_start, qty))
        return self

    def user(self, user_id: str, name: str, role: m.Role, language: m.Language = m.Language.EN) -> PlantBuilder:
        self.users[user_id] = m.User(user_id, name, role, language)
        return self

    def hold(self, item_id: str, qty: float, *, release: date | None = None,
             status: m.StockStatus = m.StockStatus.HOLD, since: date | None = None) -> PlantBuilder:
        """Stock quality holds (or quarantines) since `since`; with `release`, expected back on that date."""
        self.held_stock.append(m.HeldStock(item_id, qty, status, release, since))
        return self

    def step_yield(self, item_id: str, step: int, pct: float) -> PlantBuilder:
        """Step `step` (10, 20, …) of `item_id` yields `pct` % good units."""
        self.routings = [replace(r, yield_pct=pct) if (r.item_id, r.step) == (item_id, step) else r
                         for r in self.routings]
        return self

    def quality(self, event_id: str, kind: m.QualityEventKind, item_id: str, when: date, *, qty: float = 0.0,
                order_id: str | None = None, customer: str | None = None,
                status: m.QualityEventStatus = m.QualityEventStatus.OPEN) -> PlantBuilder:
        self.quality_events.append(m.QualityEvent(event_id, when, kind, item_id, order_id, customer, qty, status))
        return self

    def build(self) -> m.PlantSnapshot:
        return m.PlantSnapshot(
            plant=m.PlantInfo(self.name, self.timezone),
            items=dict(self.items),
            bom=tuple(self.bom),
            routings=tuple(self.routings),
            calendars=dict(self.calendars),
            resources=dict(self.resources),
            inventory=dict(self.inventory),
            purchase_orders=tuple(self.purchase_orders),
            work_orders=tuple(self.work_orders),
            sales_orders=tuple(self.orders),
            forecast=tuple(self.forecast),
            users=dict(self.users),
            held_stock=tuple(self.held_stock),
            quality_events=tuple(self.quality_events),
        )

    def _stock(self, item_id: str, qty: float) -> PlantBuilder:
        if qty:
            self.inventory[item_id] = qty
        return self


def one_shift_plant() -> PlantBuilder:
    """One machine M on 08:00–16:00 Monday to Friday (480 minutes a day)."""
    return PlantBuilder().calendar(DAY_SHIFT).resource("M", "DAY")


def bench_plant() -> PlantBuilder:
    """One resource BENCH ("Bench") on 08:00–16:00 Monday to Friday (480 working minutes a day)."""
    return PlantBuilder().calendar(DAY_SHIFT).resource("BENCH", "DAY", name="Bench")


# -- records for plants built in one call ------------------------------------------------------


def sales_order(order_id: str, item_id: str, qty: float, due_day: int, priority: m.Priority = m.Priority.NORMAL) -> m.SalesOrder:
    due = MONDAY + timedelta(days=due_day)
    return m.SalesOrder(order_id, "Customer", item_id, qty, due, due, priority)


def step(item_id: str, number: int, resources: str, run: float, setup: float = 0.0) -> m.RoutingStep:
    return m.RoutingStep(item_id, number, tuple(resources.split("|")), setup, run)


def plant(
    *,
    orders: Iterable[m.SalesOrder],
    routings: Iterable[m.RoutingStep],
    resources: dict[str, tuple[m.Calendar, int]],
    items: Iterable[m.Item] = (),
    bom: Iterable[m.BomLine] = (),
    inventory: dict[str, float] | None = None,
    purchase_orders: Iterable[m.PurchaseOrder] = (),
    work_orders: Iterable[m.WorkOrder] = (),
) -> m.PlantSnapshot:
    """A plant from its records; every item named in routings, orders or the BOM and not in `items` is made."""
    builder = PlantBuilder(routings=list(routings), orders=list(orders), bom=list(bom),
                           purchase_orders=list(purchase_orders), work_orders=list(work_orders),
                           inventory=dict(inventory or {}))
    builder.items.update({i.item_id: i for i in items})
    for item_id in [r.item_id for r in builder.routings] + [o.item_id for o in builder.orders] + [b.parent_id for b in builder.bom]:
        builder.items.setdefault(item_id, m.Item(item_id, item_id, m.ItemType.MAKE))
    for resource_id, (calendar, units) in resources.items():
        builder.calendar(calendar).resource(resource_id, calendar.calendar_id, units)
    return builder.build()
