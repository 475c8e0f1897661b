"""Turns an LP solution (units per arc and slot) into a timed `Plan`."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planning_core.ctp.grid import SlotGrid
from planning_core.ctp.lp import FixedDemand, Solution
from planning_core.ctp.network import Arc, Network
from planning_core.model import PlantSnapshot
from planning_core.plan import Delivery, Operation, Plan, Promise, Purchase

EPS = 1e-7


@dataclass(frozen=True)
class FlexibleOutcome:
    key: str
    item_id: str
    qty: float
    day: int | None


def build_plan(
    snapshot: PlantSnapshot,
    grid: SlotGrid,
    network: Network,
    solution: Solution,
    *,
    fixed: list[FixedDemand],
    flexible: FlexibleOutcome | None,
) -> Plan:
    operations = _operations(snapshot, grid, network, solution, flexible.key if flexible else None)
    purchases = tuple(
        Purchase(network.points[point][0], qty, float(grid.starts[solution.scenario.buyable[point]]))
        for point, qty in sorted(solution.bought.items())
    )
    deliveries: list[Delivery] = []
    promises: list[Promise] = []
    for demand in fixed:
        if not demand.is_delivery:
            continue
        day = min(max(demand.day, 0), grid.days - 1)
        at = float(grid.ends[grid.day_last_slot[day]])
        item_id = network.points[demand.point][0]
        deliveries.append(Delivery(demand.key, item_id, demand.qty, at))
        promises.append(Promise(demand.key, item_id, demand.qty, grid.date_of_day(day)))
    if flexible is not None:
        for shipping_day in np.flatnonzero(solution.shipped > EPS).tolist():
            at = float(grid.ends[grid.day_last_slot[shipping_day]])
            deliveries.append(Delivery(flexible.key, flexible.item_id, float(solution.shipped[shipping_day]), at))
        if flexible.day is not None:
            promises.append(Promise(flexible.key, flexible.item_id, flexible.qty, grid.date_of_day(flexible.day)))
    return Plan(grid.axis, tuple(operations), purchases, tuple(deliveries), (), tuple(promises))


def _operations(
    snapshot: PlantSnapshot, grid: SlotGrid, network: Network, solution: Solution, foreground_key: str | None
) -> list[Operation]:
    """One operation per arc and slot with production: the resource spends its busy
    minutes on it somewhere in the slot, and output accrues evenly over the slot
    (the bucketed model the LP solved; the checker's fluid mode verifies exactly that)."""
    operations: list[Operation] = []
    for arc_index, (slots, units) in sorted(solution.flow.items()):
        arc = network.arcs[arc_index]
        per_unit = float(solution.scenario.minutes_per_unit[arc_index])
        demand = foreground_key if arc.foreground else None
        for slot, qty in zip(slots.tolist(), units.tolist(), strict=True):
            operations.extend(bucket_operations(arc, slot_span(grid, slot), qty, per_unit * qty, demand_id=demand))
    return sorted(operations, key=lambda op: (op.start, op.resource_id, op.item_id, op.step))


def slot_span(grid: SlotGrid, slot: int) -> tuple[float, float]:
    return float(grid.starts[slot]), float(grid.ends[slot])


def bucket_operations(
    arc: Arc, span: tuple[float, float], qty: float, busy: float, *, demand_id: str | None
) -> list[Operation]:
    """`qty` good units made through `arc` somewhere in the slot `span`, taking `busy` resource
    minutes; work beyond one unit's worth of the window runs on the resource's other units. The
    operations carry the units started (more than `qty` at a step with a yield below 100%)."""
    start, end = span
    parts = max(1, math.ceil(busy / (end - start) - 1e-9))
    setup = busy - qty * arc.run_minutes
    return [
        Operation(
            item_id=arc.item_id, step=arc.step, resource_id=arc.resource_id, start=start, end=end,
            qty=arc.started(qty) / parts, demand_id=demand_id, setup_minutes=setup / parts, busy_minutes=busy / parts,
        )
        for _ in range(parts)
    ]
