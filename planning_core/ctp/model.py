"""A plant compiled for capable-to-promise: slot grid, flow network, receipts and demands.

`CtpModel` answers one question, reused by quotes, rush analysis and projections:
*how early can this demand be complete, given these other demands fixed at these days?*
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np

from planning_core.ctp.grid import FloatArray, SlotGrid, build_grid
from planning_core.ctp.lp import FixedDemand, FlexibleDemand, Scenario, Solution, Supply, solve
from planning_core.ctp.network import Network, build_network
from planning_core.model import ItemType, PlantSnapshot, SalesOrder, WorkOrderStatus

QTY_TOLERANCE = 1e-6
MAX_SETUP_ROUNDS = 12


def remaining_qty(order: SalesOrder) -> float:
    """What is still to be delivered on a confirmed order (after any partial shipment)."""
    return max(order.qty - (order.shipped_qty or 0.0), 0.0)


def explode(snapshot: PlantSnapshot, item_id: str, qty: float) -> dict[str, float]:
    """Gross quantity of every item in the BOM below (and including) `item_id`."""
    need: dict[str, float] = defaultdict(float)
    need[item_id] = qty
    for parent in snapshot.topological_order:
        if parent not in need or snapshot.items[parent].type is not ItemType.MAKE:
            continue
        for line in snapshot.components_of.get(parent, ()):
            need[line.component_id] += need[parent] * line.gross_qty_per
    return dict(need)


@dataclass(frozen=True)
class Completion:
    """When a demand can be complete (`day` None: not within the horizon) and the plan that shows it."""

    day: int | None
    solution: Solution
    foreground_batches: dict[int, float]  # foreground arc → units it makes (its batch)


class CtpModel:
    def __init__(self, snapshot: PlantSnapshot, *, as_of: date, days: int) -> None:
        self.snapshot = snapshot
        self.as_of = as_of
        self.grid: SlotGrid = build_grid(snapshot, as_of=as_of, days=days)
        self.network: Network = build_network(snapshot)
        self.supplies = self._supplies()
        self.buyable = self._buyable()

    @property
    def days(self) -> int:
        return self.grid.days

    def day_of(self, when: date) -> int:
        return (when - self.as_of).days

    def date_of(self, day: int) -> date:
        return self.as_of + timedelta(days=day)

    def _supplies(self) -> tuple[Supply, ...]:
        s, grid, net = self.snapshot, self.grid, self.network
        supplies = [Supply(net.inventory_point(i), 0, q) for i, q in s.inventory.items() if q > 0]
        for po in s.purchase_orders:
            day = max(self.day_of(po.due_date), 0)
            if day < grid.days:
                supplies.append(Supply(net.inventory_point(po.item_id), int(grid.day_first_slot[day]), po.qty))
        for wo in s.work_orders:
            if wo.status is WorkOrderStatus.DONE:
                continue
            end = grid.axis.to_minutes(wo.end)
            if end < grid.ends[-1]:
                supplies.append(Supply(net.inventory_point(wo.item_id), grid.slot_at(max(end, 0.0)), wo.qty))
        return tuple(supplies)

    def _buyable(self) -> dict[int, int]:
        result = {}
        for item in self.snapshot.items.values():
            if item.type is ItemType.BUY and item.lead_time_days < self.grid.days:
                result[self.network.inventory_point(item.item_id)] = int(self.grid.day_first_slot[item.lead_time_days])
        return result

    @cached_property
    def _background_minutes(self) -> FloatArray:
        """Minutes per unit on shared arcs: run time plus set-ups spread over confirmed batches."""
        batches: dict[str, list[float]] = defaultdict(list)
        for order in self.snapshot.open_orders:
            for item_id, qty in explode(self.snapshot, order.item_id, remaining_qty(order)).items():
                if qty > 0:
                    batches[item_id].append(qty)
        minutes = np.zeros(len(self.network.arcs))
        for k, arc in enumerate(self.network.arcs):
            sizes = batches.get(arc.item_id)
            if arc.setup_minutes > 0 and sizes:
                minutes[k] = arc.run_minutes + arc.setup_minutes * len(sizes) / sum(sizes)
            elif arc.setup_minutes > 0:
                minutes[k] = arc.run_minutes + arc.setup_minutes  # a batch of one
            else:
                minutes[k] = arc.run_minutes
        return minutes

    def fixed_demand(self, key: str, item_id: str, qty: float, day: int) -> FixedDemand:
        return FixedDemand(key, self.network.inventory_point(item_id), qty, day)

    def feasible(self, fixed: list[FixedDemand]) -> bool:
        return self._solve(fixed, None, {}).feasible

    def solve_fixed(self, fixed: list[FixedDemand]) -> Solution:
        return self._solve(fixed, None, {})

    def earliest(
        self, fixed: list[FixedDemand], *, key: str, item_id: str, qty: float, not_before: int = 0
    ) -> Completion:
        """Earliest day `qty` of `item_id` can be complete with `fixed` kept, and the plan."""
        batches = {k: qty * explode(self.snapshot, item_id, 1.0).get(self.network.arcs[k].item_id, 0.0)
                   for k, arc in enumerate(self.network.arcs) if arc.foreground}
        point = self.network.inventory_point(item_id)
        flexible = FlexibleDemand(key, point, qty, first_day=not_before)
        solution, batches = self._solve_with_setups(fixed, flexible, batches)
        day = _completion_day(solution, qty)
        if day is None:
            return Completion(None, solution, batches)
        low, high, best = not_before, day - 1, (day, solution, batches)
        while low <= high:  # area-maximising can trade the last unit for earlier partials
            mid = (low + high) // 2
            trial = FlexibleDemand(key, point, qty, first_day=not_before, last_day=mid, complete=True)
            candidate, candidate_batches = self._solve_with_setups(fixed, trial, batches)
            if candidate.feasible:
                best, high = (mid, candidate, candidate_batches), mid - 1
            else:
                low = mid + 1
        return Completion(best[0], best[1], best[2])

    def _solve_with_setups(
        self, fixed: list[FixedDemand], flexible: FlexibleDemand, batches: dict[int, float]
    ) -> tuple[Solution, dict[int, float]]:
        """Solve, then re-solve until every foreground arc carries a whole set-up for what it makes."""
        disabled: set[int] = set()
        solution = self._solve(fixed, flexible, batches, frozenset(disabled))
        for _ in range(MAX_SETUP_ROUNDS):
            if not solution.feasible:
                return solution, batches
            made = {k: float(solution.flow[k][1].sum()) for k in batches if k in solution.flow}
            if all(q >= batches[k] * (1 - 1e-6) for k, q in made.items()):
                return solution, {k: made.get(k, 0.0) for k in batches}
            # Each arc's batch becomes what it made, so its set-up is spread over the
            # right number of units; arcs left idle keep their size for the next try.
            batches = {**batches, **made}
            solution = self._solve(fixed, flexible, batches, frozenset(disabled))
        # Still splitting into ever smaller batches: keep one resource per step.
        made = {k: float(solution.flow[k][1].sum()) for k in batches if k in solution.flow}
        keep = _largest_per_step(self.network, made)
        disabled = {k for k in batches if k not in keep}
        solution = self._solve(fixed, flexible, batches, frozenset(disabled))
        made = {k: float(solution.flow[k][1].sum()) for k in batches if k in solution.flow}
        return solution, made

    def _solve(
        self, fixed: list[FixedDemand], flexible: FlexibleDemand | None, batches: dict[int, float],
        disabled: frozenset[int] = frozenset(),
    ) -> Solution:
        minutes = self._background_minutes.copy()
        off = set(disabled)
        for k, arc in enumerate(self.network.arcs):
            if not arc.foreground:
                continue
            batch = batches.get(k, 0.0)
            if batch <= QTY_TOLERANCE:
                off.add(k)
            else:
                minutes[k] = arc.run_minutes + arc.setup_minutes / batch
        scenario = Scenario(self.supplies, tuple(fixed), flexible, minutes, self.buyable, frozenset(off))
        return solve(self.grid, self.network, scenario)


def _completion_day(solution: Solution, qty: float) -> int | None:
    if not solution.feasible:
        return None
    cumulative = np.cumsum(solution.shipped)
    reached = np.flatnonzero(cumulative >= qty * (1 - QTY_TOLERANCE) - QTY_TOLERANCE)
    return int(reached[0]) if len(reached) else None


def _largest_per_step(network: Network, made: dict[int, float]) -> set[int]:
    best: dict[tuple[str, int], tuple[float, int]] = {}
    for k, qty in made.items():
        key = (network.arcs[k].item_id, network.arcs[k].step)
        if key not in best or qty > best[key][0]:
            best[key] = (qty, k)
    return {k for _, k in best.values()}
