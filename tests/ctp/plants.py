"""Tiny plants built in code for hand-computed planning cases.

Day 0 of every case is Monday 2027-01-04 unless a test says otherwise; the plant
runs in UTC so minutes and wall-clock hours coincide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from planning_core.model import (
    BomLine,
    Calendar,
    CalendarException,
    ExceptionKind,
    Item,
    ItemType,
    OrderStatus,
    PlantInfo,
    PlantSnapshot,
    Priority,
    PurchaseOrder,
    Resource,
    RoutingStep,
    SalesOrder,
    ShiftInterval,
    Weekday,
    WorkOrder,
)

MONDAY = date(2027, 1, 4)
WEEKDAYS = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


def day(offset: int) -> date:
    return date.fromordinal(MONDAY.toordinal() + offset)


def weekly(calendar_id: str, *spans: tuple[str, str], days: tuple[Weekday, ...] = WEEKDAYS,
           closed: tuple[date, ...] = ()) -> Calendar:
    shifts = tuple(
        ShiftInterval(weekday, time.fromisoformat(a), time.fromisoformat(b)) for weekday in days for a, b in spans
    )
    exceptions = tuple(CalendarException(calendar_id, d, ExceptionKind.CLOSED) for d in closed)
    return Calendar(calendar_id, shifts, exceptions)


@dataclass
class PlantBuilder:
    """Collects plant records; `build()` returns the snapshot."""

    items: dict[str, Item] = field(default_factory=dict)
    bom: list[BomLine] = field(default_factory=list)
    routings: list[RoutingStep] = field(default_factory=list)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    inventory: dict[str, float] = field(default_factory=dict)
    purchase_orders: list[PurchaseOrder] = field(default_factory=list)
    work_orders: list[WorkOrder] = field(default_factory=list)
    orders: list[SalesOrder] = field(default_factory=list)

    def calendar(self, calendar: Calendar) -> PlantBuilder:
        self.calendars[calendar.calendar_id] = calendar
        return self

    def resource(self, resource_id: str, calendar_id: str, units: int = 1) -> PlantBuilder:
        self.resources[resource_id] = Resource(resource_id, resource_id, calendar_id, units)
        return self

    def buy(self, item_id: str, *, lead_time_days: int = 0, stock: float = 0.0) -> PlantBuilder:
        self.items[item_id] = Item(item_id, item_id, ItemType.BUY, lead_time_days=lead_time_days)
        if stock:
            self.inventory[item_id] = stock
        return self

    def make(self, item_id: str, *steps: tuple[str, float] | tuple[str, float, float], stock: float = 0.0,
             components: tuple[tuple[str, float], ...] = ()) -> PlantBuilder:
        """`steps` are (resources joined by '|', run minutes per unit[, setup minutes])."""
        self.items[item_id] = Item(item_id, item_id, ItemType.MAKE)
        for number, step in enumerate(steps, start=1):
            resources, run = step[0], step[1]
            setup = step[2] if len(step) > 2 else 0.0
            self.routings.append(RoutingStep(item_id, number * 10, tuple(resources.split("|")), setup, run))
        for component, qty_per in components:
            self.bom.append(BomLine(item_id, component, qty_per))
        if stock:
            self.inventory[item_id] = stock
        return self

    def po(self, po_id: str, item_id: str, qty: float, due: date) -> PlantBuilder:
        self.purchase_orders.append(PurchaseOrder(po_id, item_id, qty, due))
        return self

    def order(self, order_id: str, item_id: str, qty: float, promised: date, *, customer: str = "ACME",
              priority: Priority = Priority.NORMAL) -> PlantBuilder:
        self.orders.append(
            SalesOrder(order_id, customer, item_id, qty, promised, promised, priority, OrderStatus.CONFIRMED)
        )
        return self

    def build(self) -> PlantSnapshot:
        return PlantSnapshot(
            plant=PlantInfo("Test plant", "UTC"),
            items=dict(self.items),
            bom=tuple(self.bom),
            routings=tuple(self.routings),
            calendars=dict(self.calendars),
            resources=dict(self.resources),
            inventory=dict(self.inventory),
            purchase_orders=tuple(self.purchase_orders),
            work_orders=tuple(self.work_orders),
            sales_orders=tuple(self.orders),
        )


def one_shift_plant() -> PlantBuilder:
    """One machine M on 08:00–16:00 Monday to Friday (480 minutes a day)."""
    return PlantBuilder().calendar(weekly("DAY", ("08:00", "16:00"))).resource("M", "DAY")
