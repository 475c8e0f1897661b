"""Tiny hand-made plants for the scheduling tests.

Monday 2027-01-04 is the as-of date. The `DAY` calendar works Monday to Friday
08:00-12:00 and 12:30-16:30 (eight hours with a lunch break); `ALWAYS` never stops.
Time zone UTC, so minute 0 is Monday 00:00 and 08:00 Monday is minute 480.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from planning_core.model import (
    BomLine,
    Calendar,
    Item,
    ItemType,
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
DAY_MINUTES = 24 * 60
WEEKDAYS = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)

DAY = Calendar("DAY", tuple(
    shift for day in WEEKDAYS
    for shift in (ShiftInterval(day, time(8), time(12)), ShiftInterval(day, time(12, 30), time(16, 30)))
))
ALWAYS = Calendar("ALWAYS", tuple(ShiftInterval(day, time(0), time(0)) for day in Weekday))


def at(day: int, hour: int, minute: int = 0) -> float:
    """Minutes since Monday 00:00 of `hour:minute` on day `day` (0 = Monday)."""
    return float(day * DAY_MINUTES + hour * 60 + minute)


def moment(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day), time(hour, minute))


def order(order_id: str, item_id: str, qty: float, due_day: int, priority: Priority = Priority.NORMAL) -> SalesOrder:
    due = MONDAY + timedelta(days=due_day)
    return SalesOrder(order_id, "Customer", item_id, qty, due, due, priority)


def step(item_id: str, number: int, resources: str, run: float, setup: float = 0.0) -> RoutingStep:
    return RoutingStep(item_id, number, tuple(resources.split("|")), setup, run)


def plant(
    *,
    orders: Iterable[SalesOrder],
    routings: Iterable[RoutingStep],
    resources: dict[str, tuple[Calendar, int]],
    items: Iterable[Item] = (),
    bom: Iterable[BomLine] = (),
    inventory: dict[str, float] | None = None,
    purchase_orders: Iterable[PurchaseOrder] = (),
    work_orders: Iterable[WorkOrder] = (),
) -> PlantSnapshot:
    """A plant; every item named in routings or orders and not in `items` is a made item."""
    routings = tuple(routings)
    orders = tuple(orders)
    bom = tuple(bom)
    known = {i.item_id: i for i in items}
    for item_id in [r.item_id for r in routings] + [o.item_id for o in orders] + [b.parent_id for b in bom]:
        known.setdefault(item_id, Item(item_id, item_id, ItemType.MAKE))
    calendars = {cal.calendar_id: cal for cal, _ in resources.values()}
    return PlantSnapshot(
        plant=PlantInfo("Test plant", "UTC"),
        items=known,
        bom=bom,
        routings=routings,
        calendars=calendars,
        resources={rid: Resource(rid, rid, cal.calendar_id, units) for rid, (cal, units) in resources.items()},
        inventory=dict(inventory or {}),
        purchase_orders=tuple(purchase_orders),
        work_orders=tuple(work_orders),
        sales_orders=orders,
    )
