"""What holds a promise back, read off the plan the LP found.

- `purchase_lead_time`: something had to be bought new, and it arrives only after its lead time;
- `receipt`: stock of a part runs out and the plan waits for an open purchase (or work) order;
- `capacity`: a resource the order needs is fully loaded up to the promise;
- `calendar`: a resource the order needs is closed on a normally working day (exception or holiday);
- `stock`: what is on hand and free to promise;
- `data`: the item cannot be made at all (no routing, or a part with no source).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from planning_core.ctp.grid import FloatArray
from planning_core.ctp.model import Completion, CtpModel, explode, remaining_qty
from planning_core.ctp.results import BindingConstraint, ConstraintKind
from planning_core.model import ItemType, PlantSnapshot, WorkOrderStatus

FULL_LOAD = 0.97


@dataclass(frozen=True)
class Evidence:
    """What the plan behind an answer shows: when the demand is complete and what it used."""

    day: int | None  # None: not complete within the horizon
    used: FloatArray  # minutes used per resource and slot, everything in the plan
    bought: dict[int, float]  # stock point → units bought new for the demand
    stock_left: Callable[[int, int], float]  # (stock point, slot) → units on hand at the end of the slot

    @classmethod
    def of_solution(cls, model: CtpModel, done: Completion) -> Evidence:
        day = done.day if done.solution.feasible else None
        return cls(day, _used_minutes(model, done), dict(done.solution.bought), done.solution.level_at)


def binding_constraints(
    snapshot: PlantSnapshot, model: CtpModel, done: Evidence, *, item_id: str, qty: float
) -> tuple[BindingConstraint, ...]:
    if not snapshot.is_makeable(item_id) and done.day is None:
        return (_missing_source(snapshot, item_id),)
    if done.day is None:
        return (BindingConstraint(ConstraintKind.CAPACITY, item_id, None, (("horizon_days", str(model.days)),)),)
    subtree = explode(snapshot, item_id, 1.0)
    found: list[BindingConstraint] = _latest_arrivals(
        _purchases(snapshot, model, done) + _receipts(snapshot, model, done, subtree)
    )
    loaded = _longest(_capacity(model, done, subtree))
    found += loaded
    found += _closures(snapshot, model, done, {c.resource_id for c in loaded if c.resource_id} or _resources_of(model, subtree))
    found += _stock(snapshot, model, item_id, qty, done)
    return tuple(found)


MAX_LOADED = 2


def _arrival(c: BindingConstraint) -> date:
    return date.fromisoformat(c.fact("arrival") or c.fact("date") or "0001-01-01")


def _latest_arrivals(material: list[BindingConstraint]) -> list[BindingConstraint]:
    """Material the promise waits for: what arrives last (parts that came earlier did not bind)."""
    if not material:
        return []
    last = max(_arrival(c) for c in material)
    return sorted((c for c in material if (last - _arrival(c)).days <= 1), key=lambda c: (c.kind.value, c.item_id or ""))


def _longest(loaded: list[BindingConstraint]) -> list[BindingConstraint]:
    """The resources that have been flat out longest before the promise."""
    def stretch(c: BindingConstraint) -> int:
        return (date.fromisoformat(c.fact("to") or "0001-01-01") - date.fromisoformat(c.fact("from") or "0001-01-01")).days

    return sorted(loaded, key=lambda c: (-stretch(c), c.resource_id or ""))[:MAX_LOADED]


def _missing_source(snapshot: PlantSnapshot, item_id: str) -> BindingConstraint:
    missing = [
        i for i in explode(snapshot, item_id, 1.0)
        if snapshot.items[i].type is ItemType.MAKE and not snapshot.routing_of.get(i)
    ]
    return BindingConstraint(
        ConstraintKind.DATA, item_id, None,
        (("reason", "no_routing"), ("items", ", ".join(missing) or item_id)),
    )


def _resources_of(model: CtpModel, subtree: dict[str, float]) -> set[str]:
    return {arc.resource_id for arc in model.network.arcs if arc.item_id in subtree}


def _purchases(snapshot: PlantSnapshot, model: CtpModel, done: Evidence) -> list[BindingConstraint]:
    result = []
    for point, qty in sorted(done.bought.items()):
        item = snapshot.items[model.network.points[point][0]]
        arrival = model.date_of(item.lead_time_days)
        result.append(
            BindingConstraint(
                ConstraintKind.PURCHASE_LEAD_TIME, item.item_id, None,
                (("qty", _num(qty)), ("uom", item.uom), ("lead_time_days", str(item.lead_time_days)),
                 ("arrival", arrival.isoformat()), ("on_hand", _num(snapshot.inventory.get(item.item_id, 0.0)))),
            )
        )
    return result


def _receipts(
    snapshot: PlantSnapshot, model: CtpModel, done: Evidence, subtree: dict[str, float]
) -> list[BindingConstraint]:
    """Open orders the plan waits for: the part's stock is used up just before they arrive."""
    assert done.day is not None
    grid = model.grid
    result = []
    incoming = [(po.po_id, po.item_id, po.qty, po.due_date) for po in snapshot.purchase_orders]
    incoming += [
        (wo.wo_id, wo.item_id, wo.qty, wo.end.date())
        for wo in snapshot.work_orders if wo.status is not WorkOrderStatus.DONE
    ]
    for ref, item_id, qty, due in sorted(incoming, key=lambda r: r[3]):
        day = model.day_of(due)
        if item_id not in subtree or not 0 < day <= done.day:
            continue
        point = model.network.inventory_point(item_id)
        slot = int(grid.day_first_slot[day])
        if slot > 0 and done.stock_left(point, slot - 1) <= 1e-6 + 1e-9 * qty:
            result.append(
                BindingConstraint(
                    ConstraintKind.RECEIPT, item_id, None,
                    (("ref", ref), ("qty", _num(qty)), ("uom", snapshot.items[item_id].uom), ("date", due.isoformat()),
                     ("on_hand", _num(snapshot.inventory.get(item_id, 0.0)))),
                )
            )
    return result


def _used_minutes(model: CtpModel, done: Completion) -> FloatArray:
    used = np.zeros_like(model.grid.capacity)
    minutes = done.solution.scenario.minutes_per_unit
    for k, (slots, units) in done.solution.flow.items():
        row = model.grid.resource_index[model.network.arcs[k].resource_id]
        np.add.at(used[row], slots, units * minutes[k])
    return used


def _capacity(model: CtpModel, done: Evidence, subtree: dict[str, float]) -> list[BindingConstraint]:
    """Resources the order needs that run flat out on the working days up to the promise."""
    assert done.day is not None
    grid = model.grid
    used = done.used
    result = []
    for resource_id in sorted(_resources_of(model, subtree)):
        row = grid.resource_index[resource_id]
        per_day_cap = np.bincount(grid.day, weights=grid.capacity[row], minlength=grid.days)[: done.day + 1]
        per_day_used = np.bincount(grid.day, weights=used[row], minlength=grid.days)[: done.day + 1]
        full = [bool(per_day_used[d] >= FULL_LOAD * per_day_cap[d]) for d in range(done.day + 1)]
        working = [int(d) for d in np.flatnonzero(per_day_cap > 1e-6)]
        if working and working[-1] == done.day and not full[done.day]:
            working.pop()  # the promise day itself may be only partly used
        if not working or not full[working[-1]]:
            continue
        last = first = working[-1]
        for d in reversed(working):
            if not full[d]:
                break
            first = d
        result.append(
            BindingConstraint(
                ConstraintKind.CAPACITY, None, resource_id,
                (("from", model.date_of(int(first)).isoformat()), ("to", model.date_of(int(last)).isoformat())),
            )
        )
    return result


def _closures(snapshot: PlantSnapshot, model: CtpModel, done: Evidence, resources: set[str]) -> list[BindingConstraint]:
    """Normally working days on which a needed resource is closed (exception or holiday)."""
    assert done.day is not None
    grid = model.grid
    result = []
    for resource_id in sorted(resources):
        calendar = snapshot.calendars[snapshot.resources[resource_id].calendar_id]
        weekdays = {shift.weekday.number for shift in calendar.shifts}
        row = grid.resource_index[resource_id]
        per_day_free = np.bincount(grid.day, weights=grid.free_units[row] * (grid.ends - grid.starts), minlength=grid.days)
        closed: list[date] = [
            model.date_of(day) for day in range(done.day + 1)
            if model.date_of(day).weekday() in weekdays and per_day_free[day] <= 1e-6
        ]
        if closed:
            result.append(
                BindingConstraint(
                    ConstraintKind.CALENDAR, None, resource_id,
                    (("dates", ",".join(d.isoformat() for d in closed)),),
                )
            )
    return result


def _stock(snapshot: PlantSnapshot, model: CtpModel, item_id: str, qty: float, done: Evidence) -> list[BindingConstraint]:
    on_hand = snapshot.inventory.get(item_id, 0.0)
    if on_hand <= 0:
        return []
    committed = sum(remaining_qty(o) for o in snapshot.open_orders if o.item_id == item_id)
    return [
        BindingConstraint(
            ConstraintKind.STOCK, item_id, None,
            (("on_hand", _num(on_hand)), ("committed", _num(committed)), ("qty", _num(qty)),
             ("covers", "yes" if done.day == 0 and on_hand >= qty else "no")),
        )
    ]


def _num(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-6 else f"{value:.2f}"
