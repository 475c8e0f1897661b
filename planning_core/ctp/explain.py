"""What holds a promise back, read off the plan that produced the date.

- `purchase_lead_time`: part of the bill of materials had to be bought new, arrives (after its
  lead time) no later than the promise, and the plan had used up every other unit of it;
- `receipt`: stock of a part of the bill of materials runs out and the plan waits for an open
  purchase (or work) order, which arrives no later than the promise and is used by it, or for
  held stock quality expects to release on a date (fact `source` = `hold_release`);
- `capacity`: a resource on the item's routings runs flat out on the working days up to the
  promise; the facts name what keeps it busy (work orders, confirmed orders);
- `calendar`: a resource the order needs is closed on a normally working day (a calendar
  closure or a public holiday; never a day it is merely busy);
- `stock`: what is on hand and free to promise;
- `data`: the item cannot be made at all (no routing, or a part with no source).

Material counts only when its availability actually limits the promise: it arrives last of
what the promise waited for, and not while a resource the order needs was flat out from the
start anyway (then earlier material would not have made the order earlier).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from planning_core.ctp.grid import FloatArray, IntArray
from planning_core.ctp.model import Completion, CtpModel, explode, remaining_qty
from planning_core.ctp.results import BindingConstraint, ConstraintKind
from planning_core.model import ItemType, PlantSnapshot, WorkOrderStatus
from planning_core.units import whole_up

FULL_LOAD = 0.97
MAX_LOADED = 2
MAX_NAMED = 3  # orders named as keeping a resource busy
STOCK_TOLERANCE = 1e-6
# the `ref` (and `source` fact) of a receipt that is held stock quality expects to release on its date
HOLD_RELEASE = "hold_release"

# (resource row, first slot, last slot) → (committed order, slots it works there in between) for
# everyone else in the plan who does
Occupants = Callable[[int, int, int], Sequence[tuple[str, int]]]


def nobody(row: int, first: int, last: int) -> Sequence[tuple[str, int]]:
    return ()


@dataclass(frozen=True)
class Evidence:
    """What the plan behind an answer shows: when the demand is complete and what it used."""

    day: int | None  # None: not complete within the horizon
    used: FloatArray  # minutes used per resource and slot, everything in the plan
    bought: dict[int, float]  # stock point → units bought new for the demand
    stock_left: Callable[[int, int], float]  # (stock point, slot) → units on hand at the end of the slot
    occupants: Occupants = nobody  # who else works on a resource (row), and in which slots

    @classmethod
    def of_solution(cls, model: CtpModel, done: Completion) -> Evidence:
        day = done.day if done.solution.feasible else None
        occupancy = _lp_occupancy(model, done)

        def occupants(row: int, first: int, last: int) -> list[tuple[str, int]]:
            found = ((key, int(((slots >= first) & (slots <= last)).sum())) for key, slots in occupancy.get(row, ()))
            return [(key, count) for key, count in found if count]

        return cls(day, _used_minutes(model, done), dict(done.solution.bought), done.solution.level_at, occupants)


def binding_constraints(
    snapshot: PlantSnapshot, model: CtpModel, done: Evidence, *, item_id: str, qty: float
) -> tuple[BindingConstraint, ...]:
    if not snapshot.is_makeable(item_id) and done.day is None:
        return (_missing_source(snapshot, item_id),)
    if done.day is None:
        return (BindingConstraint(ConstraintKind.CAPACITY, item_id, None, (("horizon_days", str(model.days)),)),)
    subtree = explode(snapshot, item_id, 1.0)
    resources = _resources_of(model, subtree)
    loaded = [_named_busy(snapshot, model, done, stretch) for stretch in _longest(_capacity(model, done, resources))]
    material = _latest_arrivals(
        _purchases(snapshot, model, done, subtree, qty) + _receipts(snapshot, model, done, subtree)
    )
    found = [c for c in material if not any(_full_before(stretch, c) for stretch in loaded)]
    found += [stretch.constraint for stretch in loaded]
    if loaded:  # closed days from the start of a flat-out stretch to the promise took time the order needed
        found += _closures(snapshot, model, {s.constraint.resource_id or "": (s.first, done.day) for s in loaded})
    elif not found:  # nothing loaded and no material waited for: the calendar is what is left
        found += _closures(snapshot, model, dict.fromkeys(resources, (0, done.day)))
    found += _stock(snapshot, item_id, qty, done)
    return tuple(found)


def needed_purchases(
    snapshot: PlantSnapshot, model: CtpModel, done: Evidence, *, item_id: str, qty: float
) -> tuple[BindingConstraint, ...]:
    """New purchases of the item's bill of materials arriving by the promise (binding or not)."""
    if done.day is None:
        return ()
    return tuple(_purchases(snapshot, model, done, explode(snapshot, item_id, 1.0), qty, forced=False))


@dataclass(frozen=True)
class _Stretch:
    """A resource flat out over working days `first`..`last` (`from_start`: from its first working day on)."""

    constraint: BindingConstraint
    first: int
    last: int
    from_start: bool


def _arrival(c: BindingConstraint) -> date:
    return date.fromisoformat(c.fact("arrival") or c.fact("date") or "0001-01-01")


def _latest_arrivals(material: list[BindingConstraint]) -> list[BindingConstraint]:
    """Material the promise waits for: what arrives last (parts that came earlier did not bind)."""
    if not material:
        return []
    last = max(_arrival(c) for c in material)
    return sorted((c for c in material if (last - _arrival(c)).days <= 1), key=lambda c: (c.kind.value, c.item_id or ""))


def _full_before(stretch: _Stretch, material: BindingConstraint) -> bool:
    """A resource flat out from its first working day until the material came: earlier material
    would not have made the order any earlier, so the material did not bind."""
    full_until = date.fromisoformat(stretch.constraint.fact("to") or "0001-01-01")
    return stretch.from_start and full_until >= _arrival(material) - timedelta(days=1)


def _longest(loaded: list[_Stretch]) -> list[_Stretch]:
    """The resources that have been flat out longest before the promise."""
    return sorted(loaded, key=lambda s: (-(s.last - s.first), s.constraint.resource_id or ""))[:MAX_LOADED]


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


def _purchases(
    snapshot: PlantSnapshot, model: CtpModel, done: Evidence, subtree: dict[str, float], qty: float, *,
    forced: bool = True,
) -> list[BindingConstraint]:
    """New purchases of the item's own parts that arrive by the promise; `forced`: only those
    bought because every other unit was used up (an LP may buy ahead for other orders)."""
    assert done.day is not None
    grid = model.grid
    result = []
    for point, units in sorted(done.bought.items()):
        item = snapshot.items[model.network.points[point][0]]
        if item.item_id not in subtree or item.lead_time_days > done.day or units <= STOCK_TOLERANCE:
            continue
        slot = int(grid.day_first_slot[item.lead_time_days])
        if forced and (slot <= 0 or done.stock_left(point, slot - 1) > STOCK_TOLERANCE * max(1.0, units)):
            continue  # bought for today holds nothing back; bought while stock was left, not forced
        needed = whole_up(min(units, qty * subtree[item.item_id]), item.uom)
        result.append(
            BindingConstraint(
                ConstraintKind.PURCHASE_LEAD_TIME, item.item_id, None,
                (("qty", _num(needed)), ("uom", item.uom), ("lead_time_days", str(item.lead_time_days)),
                 ("arrival", model.date_of(item.lead_time_days).isoformat()),
                 ("on_hand", _num(snapshot.inventory.get(item.item_id, 0.0)))),
            )
        )
    return result


def _receipts(
    snapshot: PlantSnapshot, model: CtpModel, done: Evidence, subtree: dict[str, float]
) -> list[BindingConstraint]:
    """Open orders the plan waits for: the part's stock is used up just before they arrive, they
    arrive no later than the promise, and the plan uses them."""
    assert done.day is not None
    grid = model.grid
    dated = [(po.po_id, po.item_id, po.qty, po.due_date) for po in snapshot.purchase_orders]
    dated += [(HOLD_RELEASE, h.item_id, h.qty, h.release_date) for h in snapshot.hold_releases if h.release_date]
    incoming = [(ref, item_id, qty, due, int(grid.day_first_slot[max(model.day_of(due), 0)])
                 if model.day_of(due) < grid.days else -1)
                for ref, item_id, qty, due in dated]
    incoming += [
        (wo.wo_id, wo.item_id, wo.qty, wo.end.date(), grid.slot_at(grid.axis.to_minutes(wo.end)))
        for wo in snapshot.work_orders if wo.status is not WorkOrderStatus.DONE
    ]
    last_slot = int(grid.day_last_slot[done.day])
    result = []
    for ref, item_id, qty, due, slot in sorted(incoming, key=lambda r: (r[3], r[0])):
        day = model.day_of(due)
        if item_id not in subtree or not 0 < day <= done.day or slot <= 0:
            continue
        point = model.network.inventory_point(item_id)
        waited = done.stock_left(point, slot - 1) <= STOCK_TOLERANCE * max(1.0, qty)
        used = min(done.stock_left(point, slot), done.stock_left(point, last_slot)) < qty * (1 - STOCK_TOLERANCE)
        if waited and used:
            result.append(
                BindingConstraint(
                    ConstraintKind.RECEIPT, item_id, None,
                    (("ref", ref), ("qty", _num(qty)), ("uom", snapshot.items[item_id].uom), ("date", due.isoformat()),
                     ("on_hand", _num(snapshot.inventory.get(item_id, 0.0))),
                     *((("source", HOLD_RELEASE),) if ref == HOLD_RELEASE else ())),
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


def _lp_occupancy(model: CtpModel, done: Completion) -> dict[int, tuple[tuple[str, IntArray], ...]]:
    """Who works on each resource in an LP plan. The LP pools the confirmed orders of an item, so
    an order is taken to work wherever its parts are made before its day."""
    solution, grid, network = done.solution, model.grid, model.network
    if not solution.feasible:
        return {}
    users: dict[str, list[tuple[str, int]]] = {}  # item → (order, last slot of its day)
    for demand in solution.scenario.fixed:
        if not demand.is_delivery:
            continue
        last = int(grid.day_last_slot[min(max(demand.day, 0), grid.days - 1)])
        for part in model.snapshot.explode(network.points[demand.point][0], 1.0):
            users.setdefault(part, []).append((demand.key, last))
    found: dict[int, dict[str, list[IntArray]]] = {}
    for k, (slots, units) in solution.flow.items():
        arc = network.arcs[k]
        if arc.foreground:
            continue  # the quoted demand's own batch
        working = slots[units > STOCK_TOLERANCE]
        for key, last in users.get(arc.item_id, ()):
            mine = working[working <= last]
            if len(mine):
                found.setdefault(grid.resource_index[arc.resource_id], {}).setdefault(key, []).append(mine)
    return {row: tuple((key, np.unique(np.concatenate(parts))) for key, parts in sorted(by_key.items()))
            for row, by_key in found.items()}


def _capacity(model: CtpModel, done: Evidence, resources: set[str]) -> list[_Stretch]:
    """Resources the order needs that run flat out on the working days up to the promise. A working
    day a work order takes whole counts as flat out: the resource is busy with it."""
    assert done.day is not None
    grid = model.grid
    result = []
    for resource_id in sorted(resources):
        row = grid.resource_index[resource_id]
        per_day_cap = np.bincount(grid.day, weights=grid.capacity[row], minlength=grid.days)[: done.day + 1]
        per_day_used = np.bincount(grid.day, weights=done.used[row], minlength=grid.days)[: done.day + 1]
        full = per_day_used >= FULL_LOAD * per_day_cap
        working = [int(d) for d in np.flatnonzero(grid.working_minutes_per_day(resource_id)[: done.day + 1] > 1e-6)]
        if working and working[-1] == done.day and not full[done.day]:
            working.pop()  # the promise day itself may be only partly used
        if not working or not full[working[-1]]:
            continue
        last = first = working[-1]
        for d in reversed(working):
            if not full[d]:
                break
            first = d
        facts = (("from", model.date_of(first).isoformat()), ("to", model.date_of(last).isoformat()))
        result.append(_Stretch(BindingConstraint(ConstraintKind.CAPACITY, None, resource_id, facts),
                               first, last, first == working[0]))
    return result


def _named_busy(snapshot: PlantSnapshot, model: CtpModel, done: Evidence, stretch: _Stretch) -> _Stretch:
    """A stretch reported to the reader, with what kept the resource busy (found only for these)."""
    c = stretch.constraint
    busy = _busy_with(snapshot, model, done, c.resource_id or "", stretch.first, stretch.last)
    if not busy:
        return stretch
    return replace(stretch, constraint=replace(c, facts=(*c.facts, ("busy_with", ",".join(busy)))))


def _busy_with(snapshot: PlantSnapshot, model: CtpModel, done: Evidence, resource_id: str, first: int,
               last: int) -> list[str]:
    """What keeps a resource busy over days `first`..`last`: work orders on it, then the confirmed
    orders with the most work there."""
    grid = model.grid
    begin, end = grid.axis.day_starts[first], grid.axis.day_starts[last + 1]
    orders = sorted(
        (wo for wo in snapshot.work_orders
         if wo.resource_id == resource_id and wo.status is not WorkOrderStatus.DONE
         and grid.axis.to_minutes(wo.start) < end and grid.axis.to_minutes(wo.end) > begin),
        key=lambda wo: (wo.start, wo.wo_id),
    )
    named = [wo.wo_id for wo in orders]
    lo, hi = int(grid.day_first_slot[first]), int(grid.day_last_slot[last])
    work = sorted((-count, key) for key, count in done.occupants(grid.resource_index[resource_id], lo, hi))
    named += [key for count, key in work if count < 0 and key not in named]
    return named[:MAX_NAMED]


def _closures(snapshot: PlantSnapshot, model: CtpModel, days: dict[str, tuple[int, int]]) -> list[BindingConstraint]:
    """Normally working days (within `days`, per resource) on which a needed resource's calendar is
    closed: a closure or a public holiday, never a day it is merely busy."""
    result = []
    for resource_id, (first, last) in sorted(days.items()):
        calendar = snapshot.calendars[snapshot.resources[resource_id].calendar_id]
        weekdays = {shift.weekday.number for shift in calendar.shifts}
        working = model.grid.working_minutes_per_day(resource_id)
        closed: list[date] = [
            model.date_of(day) for day in range(first, last + 1)
            if model.date_of(day).weekday() in weekdays and working[day] <= 1e-6
        ]
        if closed:
            result.append(
                BindingConstraint(
                    ConstraintKind.CALENDAR, None, resource_id,
                    (("dates", ",".join(d.isoformat() for d in closed)),),
                )
            )
    return result


def _stock(snapshot: PlantSnapshot, item_id: str, qty: float, done: Evidence) -> list[BindingConstraint]:
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
