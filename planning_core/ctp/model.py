"""A plant compiled for capable-to-promise: slot grid, flow network, receipts and demands.

`CtpModel` answers one question, reused by quotes, rush analysis and projections:
*how early can this demand be complete, given these other demands fixed at these days?*
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import highspy
import numpy as np

from planning_core.ctp.grid import FloatArray, SlotGrid, build_grid
from planning_core.ctp.lp import FixedDemand, FlexibleDemand, LateDemand, Scenario, Solution, Supply
from planning_core.ctp.network import Network, build_network
from planning_core.ctp.session import LpSession, OutOfTime, events_of
from planning_core.model import ItemType, PlantSnapshot, SalesOrder, WorkOrderStatus

QTY_TOLERANCE = 1e-6
MAX_SETUP_ROUNDS = 12


def remaining_qty(order: SalesOrder) -> float:
    """What is still to be delivered on a confirmed order (after any partial shipment)."""
    return max(order.qty - (order.shipped_qty or 0.0), 0.0)


def explode(snapshot: PlantSnapshot, item_id: str, qty: float) -> dict[str, float]:
    """Gross quantity of every item in the BOM below (and including) `item_id`."""
    return snapshot.explode(item_id, qty)


@dataclass(frozen=True)
class Completion:
    """When a demand can be complete (`day` None: not within the horizon) and the plan that shows it."""

    day: int | None
    solution: Solution
    foreground_batches: dict[int, float]  # foreground arc → units it makes (its batch)


@dataclass(frozen=True)
class Search:
    """What a search below a known feasible day found: an earlier completion, or none."""

    earlier: Completion | None  # None: no day before the one given is feasible (as far as searched)
    finished: bool  # False: stopped at its deadline before proving the answer
    probes: int


class CtpModel:
    """The plant on a slot grid; with `items` only that part of it, on `grid`'s capacity."""

    def __init__(
        self, snapshot: PlantSnapshot, *, as_of: date, days: int, grid: SlotGrid | None = None,
        items: frozenset[str] | None = None, supplies: tuple[tuple[str, int, float], ...] | None = None,
        minutes_per_unit: dict[tuple[str, int, str], float] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.as_of = as_of
        self.grid: SlotGrid = grid or build_grid(snapshot, as_of=as_of, days=days)
        self.network: Network = build_network(snapshot, items)
        # `supplies` replaces stock and receipts: (item, slot, qty) left over by loaded orders.
        self.supplies = self._supplies() if supplies is None else tuple(
            Supply(self.network.inventory_point(item_id), slot, qty) for item_id, slot, qty in supplies
        )
        self.buyable = self._buyable()
        self._minutes_override = minutes_per_unit or {}
        self._session: LpSession | None = None
        self._lock = threading.Lock()  # one LP inside; the bot may ask from several threads

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the live LP (HiGHS) and its lock: both are rebuilt on the next solve."""
        state = dict(self.__dict__)
        state["_session"] = None
        state["snapshot"] = None  # the state that owns this model attaches it again
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Rough LP size (variables): levels per point and slot, flows per arc and working slot."""
        working = (self.grid.capacity > 1e-9).sum(axis=1)
        per_arc = sum(int(working[self.grid.resource_index[a.resource_id]]) for a in self.network.arcs)
        return len(self.network.points) * self.grid.slots + per_arc

    @property
    def days(self) -> int:
        return self.grid.days

    def day_of(self, when: date) -> int:
        return (when - self.as_of).days

    def date_of(self, day: int) -> date:
        return self.as_of + timedelta(days=day)

    def _supplies(self) -> tuple[Supply, ...]:
        s, grid, net = self.snapshot, self.grid, self.network
        here = self._items_here
        supplies = [Supply(net.inventory_point(i), 0, q) for i, q in s.inventory.items() if q > 0 and i in here]
        # held stock is never promised as it stands; a hold expected to clear is a receipt on its date
        receipts = [(po.item_id, po.due_date, po.qty) for po in s.purchase_orders]
        receipts += [(h.item_id, h.release_date, h.qty) for h in s.hold_releases if h.release_date is not None]
        for item_id, due, qty in receipts:
            day = max(self.day_of(due), 0)
            if day < grid.days and item_id in here:
                supplies.append(Supply(net.inventory_point(item_id), int(grid.day_first_slot[day]), qty))
        for wo in s.work_orders:
            if wo.status is WorkOrderStatus.DONE or wo.item_id not in here:
                continue
            end = grid.axis.to_minutes(wo.end)
            if end < grid.ends[-1]:
                supplies.append(Supply(net.inventory_point(wo.item_id), grid.slot_at(max(end, 0.0)), wo.qty))
        return tuple(supplies)

    @property
    def _items_here(self) -> set[str]:
        """Items of this (part of the) plant: those with an inventory point in the network."""
        return {item for item, step in self.network.points if step is None}

    def _buyable(self) -> dict[int, int]:
        result = {}
        here = self._items_here
        for item in self.snapshot.items.values():
            if item.type is ItemType.BUY and item.lead_time_days < self.grid.days and item.item_id in here:
                result[self.network.inventory_point(item.item_id)] = int(self.grid.day_first_slot[item.lead_time_days])
        return result

    @cached_property
    def _background_minutes(self) -> FloatArray:
        """Minutes per unit on shared arcs: run time plus set-ups spread over confirmed batches."""
        batches = self.snapshot.open_batches
        minutes = np.zeros(len(self.network.arcs))
        for k, arc in enumerate(self.network.arcs):
            count, total = batches.get(arc.item_id, (0, 0.0))
            known = self._minutes_override.get((arc.item_id, arc.step, arc.resource_id))
            if known is not None and not arc.foreground:
                minutes[k] = known
            elif arc.setup_minutes > 0 and count:
                minutes[k] = arc.run_minutes + arc.setup_minutes * count / total
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
        best = (day, solution, batches)
        # Maximising the delivered area nearly always finishes as early as possible too,
        # but it may trade the last unit for earlier partials: prove the day minimal.
        if day > not_before:
            trial = FlexibleDemand(key, point, qty, first_day=not_before, last_day=day - 1, complete=True)
            candidate, candidate_batches = self._solve_with_setups(fixed, trial, batches)
            if not candidate.feasible:
                return Completion(day, solution, batches)
            best = (_completion_day(candidate, qty) or day - 1, candidate, candidate_batches)
        low, high = not_before, best[0] - 1
        while low <= high:
            mid = (low + high) // 2
            trial = FlexibleDemand(key, point, qty, first_day=not_before, last_day=mid, complete=True)
            candidate, candidate_batches = self._solve_with_setups(fixed, trial, batches)
            if candidate.feasible:
                best, high = (mid, candidate, candidate_batches), mid - 1
            else:
                low = mid + 1
        return Completion(best[0], best[1], best[2])

    def earliest_below(
        self, fixed: list[FixedDemand], *, key: str, item_id: str, qty: float, below: int, not_before: int = 0,
        deadline: float | None = None,
    ) -> Search:
        """The earliest day before `below` (a day known to be feasible) that `qty` can be complete.

        Seeded by a first answer: the first probe asks for the day before it, which settles
        most quotes in one solve; a feasible probe's own completion (the LP delivers as early
        as it can) bounds the next one, and the rest is bisection. Every day answered comes
        with its LP plan; `deadline` (time.monotonic) stops the search with the best so far.
        """
        point = self.network.inventory_point(item_id)
        batches = {k: qty * explode(self.snapshot, item_id, 1.0).get(self.network.arcs[k].item_id, 0.0)
                   for k, arc in enumerate(self.network.arcs) if arc.foreground}
        best: Completion | None = None
        low, high = not_before, below  # the answer lies in [low, high]; `high` is known feasible
        probe, descents, probes = high - 1, 0, 0
        while low < high:
            if deadline is not None and time.monotonic() > deadline:
                return Search(best, False, probes)
            trial = FlexibleDemand(key, point, qty, first_day=not_before, last_day=probe, complete=True)
            try:
                solution, sized = self._solve_with_setups(fixed, trial, batches, deadline=deadline)
            except OutOfTime:
                return Search(best, False, probes)
            probes += 1
            day = _completion_day(solution, qty) if solution.feasible else None
            if day is not None:
                # Later probes start from these batch sizes: the same LP coefficients, so HiGHS
                # re-solves from this basis (as the unseeded search does).
                best, high, batches = Completion(day, solution, sized), day, sized
                descents += 1
                probe = high - 1 if descents < 2 else (low + high - 1) // 2
            else:
                low = probe + 1
                probe = (low + high - 1) // 2
        return Search(best, True, probes)

    def lateness(
        self, fixed: list[FixedDemand], late: list[LateDemand], *, time_limit: float | None = None
    ) -> dict[str, FloatArray] | None:
        """Units per day each of `late` is delivered when they go as little late as they can (one LP)."""
        minutes = self._background_minutes.copy()
        foreground = [k for k, arc in enumerate(self.network.arcs) if arc.foreground]
        session = LpSession(self.grid, self.network, supplies=self.supplies, buyable=self.buyable,
                            minutes_per_unit=minutes, extra_events=events_of(fixed, self.grid))
        if foreground:
            upper = np.full(session.n_cols, highspy.kHighsInf)
            for k in foreground:
                upper[session.arc_offset[k]: session.arc_offset[k + 1]] = 0.0
            session.solver.changeColsBounds(session.n_cols, np.arange(session.n_cols, dtype=np.int32),
                                            np.zeros(session.n_cols), upper)
        return session.solve_lateness(fixed, late, minutes, time_limit=time_limit)

    def _solve_with_setups(
        self, fixed: list[FixedDemand], flexible: FlexibleDemand, batches: dict[int, float], *,
        deadline: float | None = None,
    ) -> tuple[Solution, dict[int, float]]:
        """Solve, then re-solve until every foreground arc carries a whole set-up for what it makes."""
        disabled: set[int] = set()
        solution = self._solve(fixed, flexible, batches, frozenset(disabled), deadline=deadline)
        for _ in range(MAX_SETUP_ROUNDS):
            if not solution.feasible:
                return solution, batches
            made = {k: float(solution.flow[k][1].sum()) for k in batches if k in solution.flow}
            if all(q >= batches[k] * (1 - 1e-6) for k, q in made.items()):
                return solution, {k: made.get(k, 0.0) for k in batches}
            # Each arc's batch becomes what it made, so its set-up is spread over the
            # right number of units; arcs left idle keep their size for the next try.
            batches = {**batches, **made}
            solution = self._solve(fixed, flexible, batches, frozenset(disabled), deadline=deadline)
        # Still splitting into ever smaller batches: keep one resource per step.
        made = {k: float(solution.flow[k][1].sum()) for k in batches if k in solution.flow}
        keep = _largest_per_step(self.network, made)
        disabled = {k for k in batches if k not in keep}
        solution = self._solve(fixed, flexible, batches, frozenset(disabled), deadline=deadline)
        made = {k: float(solution.flow[k][1].sum()) for k in batches if k in solution.flow}
        return solution, made

    def _solve(
        self, fixed: list[FixedDemand], flexible: FlexibleDemand | None, batches: dict[int, float],
        disabled: frozenset[int] = frozenset(), *, deadline: float | None = None,
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
        with self._lock:
            if self._session is None or not self._session.fits(fixed):
                self._session = LpSession(
                    self.grid, self.network, supplies=self.supplies, buyable=self.buyable, minutes_per_unit=minutes,
                    extra_events=events_of(fixed, self.grid),
                )
            return self._session.solve(fixed, flexible, minutes, frozenset(off), scenario, deadline=deadline)


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
