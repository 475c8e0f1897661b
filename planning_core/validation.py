"""Checks a plant snapshot as a whole, whatever it came from (a CSV folder, an ERP, the demo, the generator).

`validate(snapshot)` returns every problem, each naming the ids involved: cycles in the bill
of materials, references to records that do not exist, duplicate ids, and values no plant can
have. An empty list means the planning algorithms can take the snapshot.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planning_core.model import ExceptionKind, PlantSnapshot, StockStatus, WorkOrderStatus

K = TypeVar("K", bound=Hashable)


class ProblemKind(StrEnum):
    CYCLE = "cycle"
    REFERENCE = "reference"  # a record names an id that does not exist
    DUPLICATE = "duplicate"
    VALUE = "value"  # a value no plant can have


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    ids: tuple[str, ...]  # the records involved, e.g. ("BOM", "A", "B") or the items of a cycle
    message: str

    def __str__(self) -> str:
        return self.message


def validate(snapshot: PlantSnapshot) -> list[Problem]:
    """Every problem of the snapshot (empty when it is usable)."""
    checks = (_plant, _calendars, _resources, _items, _bom, _routings, _stock_and_orders, _held_stock, _work_orders,
              _forecast, _quality_events)
    return [problem for check in checks for problem in check(snapshot)]


def bom_cycles(edges: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Every cycle of a parent → component graph, once, as the path that closes it (`A, B, C, A`).

    Depth-first from each parent in sorted order, children in the order given; an explicit
    stack, so a deep (if odd) BOM does not hit Python's recursion limit.
    """
    graph: dict[str, list[str]] = defaultdict(list)
    for parent, component in edges:
        graph[parent].append(component)
    cycles: list[tuple[str, ...]] = []
    finished: set[str] = set()
    for root in sorted(graph):
        if root in finished:
            continue
        path = [root]
        on_path = {root: 0}
        children = [iter(graph.get(root, ()))]
        while children:
            child = next(children[-1], None)
            if child is None:
                node = path.pop()
                del on_path[node]
                finished.add(node)
                children.pop()
                continue
            if child in on_path:
                cycles.append((*path[on_path[child]:], child))
            elif child not in finished:
                on_path[child] = len(path)
                path.append(child)
                children.append(iter(graph.get(child, ())))
    return cycles


def _duplicates(keys: Iterable[K]) -> list[K]:
    return [key for key, count in Counter(keys).items() if count > 1]


def _plant(s: PlantSnapshot) -> list[Problem]:
    try:
        ZoneInfo(s.plant.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return [Problem(ProblemKind.VALUE, (s.plant.name,), f"unknown time zone {s.plant.timezone!r}")]
    return []


def _calendars(s: PlantSnapshot) -> list[Problem]:
    found = []
    for key, calendar in s.calendars.items():
        if key != calendar.calendar_id:
            found.append(Problem(ProblemKind.DUPLICATE, (key, calendar.calendar_id),
                                 f"calendar {calendar.calendar_id} is filed as {key}"))
        for shift in calendar.shifts:
            if shift.start == shift.end and shift.start != time(0):  # 00:00–00:00 is the whole day
                found.append(Problem(ProblemKind.VALUE, (calendar.calendar_id,),
                                     f"calendar {calendar.calendar_id}: empty interval on {shift.weekday.value} "
                                     f"at {shift.start:%H:%M}"))
        for exception in calendar.exceptions:
            if exception.calendar_id != calendar.calendar_id:
                found.append(Problem(ProblemKind.REFERENCE, (calendar.calendar_id, exception.calendar_id),
                                     f"calendar {calendar.calendar_id} holds an exception of {exception.calendar_id}"))
            if (exception.start is None) != (exception.end is None) or (
                    exception.kind is ExceptionKind.OPEN and exception.start is None):
                found.append(Problem(ProblemKind.VALUE, (calendar.calendar_id,),
                                     f"calendar {calendar.calendar_id}: the {exception.kind.value} exception of "
                                     f"{exception.date} needs both start and end"))
    return found


def _resources(s: PlantSnapshot) -> list[Problem]:
    found = []
    for key, r in s.resources.items():
        if key != r.resource_id:
            found.append(Problem(ProblemKind.DUPLICATE, (key, r.resource_id), f"resource {r.resource_id} is filed as {key}"))
        if r.calendar_id not in s.calendars:
            found.append(Problem(ProblemKind.REFERENCE, (r.resource_id, r.calendar_id),
                                 f"resource {r.resource_id}: unknown calendar {r.calendar_id!r}"))
        if r.units < 1:
            found.append(Problem(ProblemKind.VALUE, (r.resource_id,), f"resource {r.resource_id}: units must be at least 1"))
    return found


def _items(s: PlantSnapshot) -> list[Problem]:
    found = []
    for key, item in s.items.items():
        if key != item.item_id:
            found.append(Problem(ProblemKind.DUPLICATE, (key, item.item_id), f"item {item.item_id} is filed as {key}"))
        for name, value, least in (("lead_time_days", item.lead_time_days, 0), ("safety_stock", item.safety_stock, 0),
                                   ("min_lot", item.min_lot, 0)):
            if value < least:
                found.append(Problem(ProblemKind.VALUE, (item.item_id,), f"item {item.item_id}: negative {name}"))
        if item.lot_multiple <= 0:
            found.append(Problem(ProblemKind.VALUE, (item.item_id,), f"item {item.item_id}: lot_multiple must be > 0"))
    return found


def _unknown_item(s: PlantSnapshot, item_id: str, record: str, ids: tuple[str, ...]) -> list[Problem]:
    if item_id in s.items:
        return []
    return [Problem(ProblemKind.REFERENCE, ids, f"{record}: unknown item {item_id!r}")]


def _bom(s: PlantSnapshot) -> list[Problem]:
    found = []
    for line in s.bom:
        ids = (line.parent_id, line.component_id)
        where = f"BOM line {line.parent_id} → {line.component_id}"
        found += _unknown_item(s, line.parent_id, where, ids) + _unknown_item(s, line.component_id, where, ids)
        if line.qty_per <= 0:
            found.append(Problem(ProblemKind.VALUE, ids, f"{where}: qty_per must be > 0"))
        if not 0 <= line.scrap_pct < 100:
            found.append(Problem(ProblemKind.VALUE, ids, f"{where}: scrap of {line.scrap_pct:g}% is impossible"))
    for pair in _duplicates((line.parent_id, line.component_id) for line in s.bom):
        parent, component = pair
        found.append(Problem(ProblemKind.DUPLICATE, (parent, component), f"duplicate BOM line {parent} → {component}"))
    for cycle in bom_cycles((line.parent_id, line.component_id) for line in s.bom):
        found.append(Problem(ProblemKind.CYCLE, cycle, "BOM cycle: " + " → ".join(cycle)))
    return found


def _routings(s: PlantSnapshot) -> list[Problem]:
    found = []
    for step in s.routings:
        where = f"routing step {step.step} of {step.item_id}"
        found += _unknown_item(s, step.item_id, where, (step.item_id,))
        if not step.resource_ids:
            found.append(Problem(ProblemKind.VALUE, (step.item_id,), f"{where}: no resource"))
        for rid in step.resource_ids:
            if rid not in s.resources:
                found.append(Problem(ProblemKind.REFERENCE, (step.item_id, rid), f"{where}: unknown resource {rid!r}"))
        if len(set(step.resource_ids)) != len(step.resource_ids):
            found.append(Problem(ProblemKind.DUPLICATE, (step.item_id,), f"{where}: a resource is named twice"))
        if step.setup_minutes < 0 or step.run_minutes_per_unit < 0 or step.setup_minutes + step.run_minutes_per_unit <= 0:
            found.append(Problem(ProblemKind.VALUE, (step.item_id,), f"{where}: set-up and run minutes must be ≥ 0 and not both 0"))
        if not 0 < step.yield_pct <= 100:
            found.append(Problem(ProblemKind.VALUE, (step.item_id,), f"{where}: a yield of {step.yield_pct:g}% is impossible"))
    for key in _duplicates((step.item_id, step.step) for step in s.routings):
        item_id, number = key
        found.append(Problem(ProblemKind.DUPLICATE, (item_id,), f"step {number} of {item_id} is defined twice"))
    return found


def _stock_and_orders(s: PlantSnapshot) -> list[Problem]:
    found = []
    for item_id, on_hand in s.inventory.items():
        found += _unknown_item(s, item_id, f"stock of {item_id}", (item_id,))
        if on_hand < 0:
            found.append(Problem(ProblemKind.VALUE, (item_id,), f"stock of {item_id} is negative"))
    for po in s.purchase_orders:
        found += _unknown_item(s, po.item_id, f"purchase order {po.po_id}", (po.po_id, po.item_id))
        if po.qty <= 0:
            found.append(Problem(ProblemKind.VALUE, (po.po_id,), f"purchase order {po.po_id}: qty must be > 0"))
    for order in s.sales_orders:
        found += _unknown_item(s, order.item_id, f"sales order {order.order_id}", (order.order_id, order.item_id))
        if order.qty <= 0:
            found.append(Problem(ProblemKind.VALUE, (order.order_id,), f"sales order {order.order_id}: qty must be > 0"))
        if order.shipped_qty is not None and order.shipped_qty < 0:
            found.append(Problem(ProblemKind.VALUE, (order.order_id,), f"sales order {order.order_id}: negative shipped_qty"))
    for what, ids in (("purchase order", (po.po_id for po in s.purchase_orders)),
                      ("sales order", (o.order_id for o in s.sales_orders))):
        found += [Problem(ProblemKind.DUPLICATE, (str(key),), f"duplicate {what} id {key}") for key in _duplicates(ids)]
    return found


def _held_stock(s: PlantSnapshot) -> list[Problem]:
    found = []
    for held in s.held_stock:
        where = f"{held.status.value} stock of {held.item_id}"
        found += _unknown_item(s, held.item_id, where, (held.item_id,))
        if held.qty < 0:
            found.append(Problem(ProblemKind.VALUE, (held.item_id,), f"{where} is negative"))
        if held.status is StockStatus.AVAILABLE:
            found.append(Problem(ProblemKind.VALUE, (held.item_id,), f"{where}: available stock belongs in the inventory"))
        if held.release_date is not None and held.status is not StockStatus.HOLD:
            found.append(Problem(ProblemKind.VALUE, (held.item_id,), f"{where}: only stock on hold has a release date"))
    return found


def _quality_events(s: PlantSnapshot) -> list[Problem]:
    found = []
    for event in s.quality_events:
        found += _unknown_item(s, event.item_id, f"quality event {event.event_id}", (event.event_id, event.item_id))
        if event.qty < 0:
            found.append(Problem(ProblemKind.VALUE, (event.event_id,), f"quality event {event.event_id}: negative qty"))
    found += [Problem(ProblemKind.DUPLICATE, (str(key),), f"duplicate quality event id {key}")
              for key in _duplicates(e.event_id for e in s.quality_events)]
    return found


def _work_orders(s: PlantSnapshot) -> list[Problem]:
    found = []
    for wo in s.work_orders:
        found += _unknown_item(s, wo.item_id, f"work order {wo.wo_id}", (wo.wo_id, wo.item_id))
        if wo.resource_id not in s.resources:
            found.append(Problem(ProblemKind.REFERENCE, (wo.wo_id, wo.resource_id),
                                 f"work order {wo.wo_id}: unknown resource {wo.resource_id!r}"))
        if wo.qty <= 0:
            found.append(Problem(ProblemKind.VALUE, (wo.wo_id,), f"work order {wo.wo_id}: qty must be > 0"))
        if wo.end <= wo.start and wo.status is not WorkOrderStatus.DONE:
            found.append(Problem(ProblemKind.VALUE, (wo.wo_id,), f"work order {wo.wo_id}: end must be after start"))
    found += [Problem(ProblemKind.DUPLICATE, (str(key),), f"duplicate work order id {key}")
              for key in _duplicates(wo.wo_id for wo in s.work_orders)]
    return found


def _forecast(s: PlantSnapshot) -> list[Problem]:
    found = []
    for entry in s.forecast:
        found += _unknown_item(s, entry.item_id, f"forecast of {entry.item_id}", (entry.item_id,))
        if entry.qty < 0:
            found.append(Problem(ProblemKind.VALUE, (entry.item_id,), f"forecast of {entry.item_id}: negative qty"))
    for key in _duplicates((e.item_id, e.period_start) for e in s.forecast):
        item_id, period = key
        found.append(Problem(ProblemKind.DUPLICATE, (item_id,), f"duplicate forecast for {item_id} on {period}"))
    return found

