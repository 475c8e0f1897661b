"""One capable-to-promise LP kept inside HiGHS and re-solved with small changes.

A quote solves a handful of LPs that differ only slightly: the same plant, other
delivery windows, other set-up shares, confirmed orders added one at a time. Building
the model once and changing bounds and coefficients lets HiGHS start each re-solve
from the last optimal basis (dual simplex), which takes a fraction of a cold solve.
The first solve uses the interior point method with crossover, faster from cold on
these time-expanded models.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from planning_core.ctp.grid import SlotGrid
from planning_core.ctp.lp import (
    PRODUCTION_COST_PER_MINUTE,
    PURCHASE_COST_PER_UNIT,
    FixedDemand,
    FlexibleDemand,
    FloatArray,
    IntArray,
    LateDemand,
    Scenario,
    Solution,
    Supply,
    column_wise,
    quiet_solver,
)
from planning_core.ctp.network import Network

INF = highspy.kHighsInf
# A warm re-solve that takes longer than the session's last interior point solve is stopped and
# solved from scratch by that method: set-up rounds on the generated plant's neighbourhoods take
# warm simplex 0-2,300 iterations (3-155 ms, IPM 180-250 ms); on the demo plant, where a round
# changes the minutes of arcs in every slot, 3,000-5,800 (0.5-1.4 s, IPM 0.15-0.25 s). Once a
# session has had to, its later warm re-solves may take this many iterations only (later rounds
# take 0-3 on the generated plant, thousands again on the demo plant).
WARM_SIMPLEX_ITERATIONS = 200
WARM_SIMPLEX_SHARE = 1.0  # of the last IPM solve's time
NO_ITERATION_LIMIT = 2**31 - 1  # HiGHS's own default


class OutOfTime(Exception):
    """A solve was stopped at its deadline: nothing is known about its question."""


def _left(deadline: float | None) -> float:
    """Seconds to `deadline` (time.monotonic); OutOfTime when none are left."""
    left = INF if deadline is None else deadline - time.monotonic()
    if left <= 0:
        raise OutOfTime
    return left


class LpSession:
    """The LP of one network on one grid; `solve` applies what changed since the last call."""

    def __init__(
        self, grid: SlotGrid, network: Network, *, supplies: tuple[Supply, ...], buyable: dict[int, int],
        minutes_per_unit: FloatArray, extra_events: dict[int, list[int]],
    ) -> None:
        self.grid, self.network = grid, network
        self.T, self.V = grid.slots, len(network.points)
        self.supplies, self.buyable = supplies, buyable
        self.arc_slots = [
            np.flatnonzero(grid.capacity[grid.resource_index[a.resource_id]] > 1e-9).astype(np.int64)
            if a.resource_id in grid.resource_index else np.empty(0, dtype=np.int64)
            for a in network.arcs
        ]
        self.buy_points = sorted(p for p, slot in buyable.items() if 0 <= slot < self.T)
        self.events = self._events(extra_events)
        self.level_offset = np.zeros(self.V + 1, dtype=np.int64)
        self.level_offset[1:] = np.cumsum([len(e) for e in self.events])
        self.n_level = int(self.level_offset[-1])
        self.arc_offset = self.n_level + np.concatenate([[0], np.cumsum([len(s) for s in self.arc_slots])]).astype(np.int64)
        self.buy_offset = int(self.arc_offset[-1])
        self.n_cols = self.buy_offset + len(self.buy_points)
        working = grid.capacity > 1e-9
        self.capacity_row = np.full(grid.capacity.shape, -1, dtype=np.int64)
        self.capacity_row[working] = self.n_level + np.arange(int(working.sum()))
        self.total_row = self.n_level + int(working.sum())
        self.minutes = np.asarray(minutes_per_unit, dtype=np.float64).copy()
        self.ships: dict[int, tuple[int, IntArray]] = {}  # point → (first column, days)
        self.upper = np.full(self.n_cols, INF)
        self.rhs = self._supply_rhs()
        self.current_rhs = self.rhs.copy()
        self.solver = quiet_solver()
        self.solver.passModel(self._model())
        self.warm = False
        self.reshaped = False
        self.simplex_gave_up = False  # a warm re-solve took longer than IPM: later ones get a few iterations
        self.ipm_seconds = INF  # how long the last interior point solve took

    # -- structure -------------------------------------------------------------------
    def _events(self, extra: dict[int, list[int]]) -> list[IntArray]:
        found: list[list[IntArray]] = [[] for _ in range(self.V)]
        for k, arc in enumerate(self.network.arcs):
            slots = self.arc_slots[k]
            if len(slots):
                found[arc.output].append(slots)
                for point, _ in arc.inputs:
                    found[point].append(slots)
        for s in self.supplies:
            if 0 <= s.slot < self.T:
                found[s.point].append(np.array([s.slot]))
        for point in self.buy_points:
            found[point].append(np.array([self.buyable[point]]))
        for point, wanted in extra.items():
            found[point].append(np.asarray(wanted, dtype=np.int64))
        # Every inventory point can receive a delivery at the end of any day.
        day_ends = self.grid.day_last_slot
        for point, (_, step) in enumerate(self.network.points):
            if step is None:
                found[point].append(day_ends)
        return [np.unique(np.concatenate(f)).astype(np.int64) if f else np.empty(0, dtype=np.int64) for f in found]

    def fits(self, fixed: list[FixedDemand]) -> bool:
        """Whether every row these demands touch exists (else the caller builds a new session)."""
        return all(self.has_event(d.point, self._slot(d)) for d in fixed)

    def has_event(self, point: int, slot: int) -> bool:
        events = self.events[point]
        index = int(np.searchsorted(events, slot))
        return index < len(events) and events[index] == slot

    def row(self, point: int, slots: IntArray) -> IntArray:
        rows: IntArray = self.level_offset[point] + np.searchsorted(self.events[point], slots)
        return rows

    def _supply_rhs(self) -> FloatArray:
        rhs = np.zeros(self.n_level)
        for s in self.supplies:
            if 0 <= s.slot < self.T:
                rhs[self.row(s.point, np.array([s.slot]))[0]] += s.qty
        return rhs

    def _model(self) -> highspy.HighsLp:
        rows, cols, vals = [], [], []
        own = np.arange(self.n_level, dtype=np.int64)
        rows.append(own)
        cols.append(own)
        vals.append(np.ones(self.n_level))
        first = np.zeros(self.n_level, dtype=bool)
        first[self.level_offset[:-1][np.diff(self.level_offset) > 0]] = True
        carried = own[~first]
        rows.append(carried)
        cols.append(carried - 1)
        vals.append(-np.ones(len(carried)))
        cost = np.zeros(self.n_cols)
        for k, arc in enumerate(self.network.arcs):
            slots = self.arc_slots[k]
            if len(slots) == 0:
                continue
            var = self.arc_offset[k] + np.arange(len(slots), dtype=np.int64)
            rows += [self.row(arc.output, slots), self.capacity_row[self.grid.resource_index[arc.resource_id], slots]]
            cols += [var, var]
            vals += [-np.ones(len(slots)), np.full(len(slots), self.minutes[k])]
            for point, per_unit in arc.inputs:
                rows.append(self.row(point, slots))
                cols.append(var)
                vals.append(np.full(len(slots), per_unit))
            cost[var] = PRODUCTION_COST_PER_MINUTE * self.minutes[k]
        for j, point in enumerate(self.buy_points):
            rows.append(self.row(point, np.array([self.buyable[point]])))
            cols.append(np.array([self.buy_offset + j]))
            vals.append(np.array([-1.0]))
            cost[self.buy_offset + j] = PURCHASE_COST_PER_UNIT
        n_rows = self.total_row + 1
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n_cols, n_rows
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(self.n_cols)
        lp.col_upper_ = self.upper.copy()
        capacity = self.grid.capacity[self.grid.capacity > 1e-9]
        lp.row_lower_ = np.concatenate([self.rhs, np.full(len(capacity), -INF), [0.0]])
        lp.row_upper_ = np.concatenate([self.rhs, capacity, [0.0]])
        start, index, value = column_wise(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), self.n_cols)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
        return lp

    def _ship_columns(self, point: int) -> tuple[int, IntArray]:
        if point not in self.ships:
            days = np.arange(self.grid.days, dtype=np.int64)
            first = self.n_cols
            balance = self.row(point, self.grid.day_last_slot[days])
            starts = np.arange(len(days), dtype=np.int32) * 2
            index = np.column_stack([balance, np.full(len(days), self.total_row)]).ravel().astype(np.int32)
            cost = -(float(self.grid.days) - days.astype(np.float64) + 1.0)
            self.solver.addCols(len(days), cost, np.zeros(len(days)), np.zeros(len(days)), 2 * len(days),
                                starts, index, np.ones(2 * len(days)))
            self.n_cols += len(days)
            self.reshaped = True
            self.upper = np.concatenate([self.upper, np.zeros(len(days))])
            self.ships[point] = (first, days)
        return self.ships[point]

    # -- solving ---------------------------------------------------------------------
    def _slot(self, demand: FixedDemand) -> int:
        day = min(max(demand.day, 0), self.grid.days - 1)
        return int(self.grid.day_last_slot[day]) if demand.slot is None else demand.slot

    def solve(
        self, fixed: list[FixedDemand], flexible: FlexibleDemand | None, minutes: FloatArray, disabled: frozenset[int],
        scenario: Scenario, *, deadline: float | None = None,
    ) -> Solution:
        """Apply what changed since the last solve, solve, and read the answer; past `deadline`
        (time.monotonic) the solve stops and raises `OutOfTime`."""
        self._set_rhs(fixed)
        self._set_minutes(minutes)
        if flexible is not None:
            self._ship_columns(flexible.point)
        upper = np.full(self.n_cols, INF)
        for k in disabled:
            upper[self.arc_offset[k] : self.arc_offset[k + 1]] = 0.0
        for first, days in self.ships.values():
            upper[first : first + len(days)] = 0.0
        total = (0.0, 0.0)
        if flexible is not None:
            first, days = self.ships[flexible.point]
            last = self.grid.days - 1 if flexible.last_day is None else min(flexible.last_day, self.grid.days - 1)
            open_days = np.flatnonzero((days >= max(flexible.first_day, 0)) & (days <= last))
            upper[first + open_days] = INF
            total = (flexible.qty * (1 - 1e-9) if flexible.complete else 0.0, flexible.qty)
        changed = np.flatnonzero(upper != self.upper)
        if len(changed):
            self.solver.changeColsBounds(len(changed), changed.astype(np.int32), np.zeros(len(changed)), upper[changed])
            self.upper = upper
            self.reshaped = True
        self.solver.changeRowBounds(self.total_row, *total)
        # Warm simplex pays off after right-hand-side and coefficient changes (a set-up round
        # changes a few arcs' minutes: 20-30x faster than solving afresh); after new columns or
        # another day asked for (column bounds) the old basis helps little and the interior
        # point method is faster again (measured: 0.3 s against 0.8 s on the demo plant).
        warm = self.warm and not self.reshaped
        self.reshaped = False
        status = self._warm_simplex(deadline) if warm else self._interior_point(deadline)
        optimal = status == highspy.HighsModelStatus.kOptimal
        self.warm = self.warm or optimal
        if not optimal:
            return Solution(False, {}, {}, {}, np.zeros(self.grid.days), scenario)
        return self._read(np.asarray(self.solver.getSolution().col_value), flexible, scenario)

    def _warm_simplex(self, deadline: float | None) -> highspy.HighsModelStatus:
        """Dual simplex from the last basis, given as long as IPM would take; past that, IPM."""
        left = _left(deadline)
        iterations = WARM_SIMPLEX_ITERATIONS if self.simplex_gave_up else NO_ITERATION_LIMIT
        allowed = WARM_SIMPLEX_SHARE * self.ipm_seconds
        status = self._run("simplex", min(left, allowed), iterations)
        stopped = status == highspy.HighsModelStatus.kIterationLimit or (
            status == highspy.HighsModelStatus.kTimeLimit and allowed < left)
        if not stopped:
            return self._stop_at_deadline(status)
        self.simplex_gave_up = True
        return self._interior_point(deadline)

    def _interior_point(self, deadline: float | None) -> highspy.HighsModelStatus:
        started = time.perf_counter()
        status = self._stop_at_deadline(self._run("ipm", _left(deadline), NO_ITERATION_LIMIT))
        self.ipm_seconds = time.perf_counter() - started
        return status

    def _stop_at_deadline(self, status: highspy.HighsModelStatus) -> highspy.HighsModelStatus:
        if status == highspy.HighsModelStatus.kTimeLimit:
            self.warm = False
            raise OutOfTime
        return status

    def _run(self, method: str, seconds: float, iterations: int) -> highspy.HighsModelStatus:
        self.solver.setOptionValue("solver", method)
        self.solver.setOptionValue("simplex_iteration_limit", iterations)
        # HiGHS measures its time limit on the clock of every run of this solver together
        self.solver.setOptionValue("time_limit", self.solver.getRunTime() + seconds)
        self.solver.run()
        return self.solver.getModelStatus()

    def solve_lateness(
        self, fixed: list[FixedDemand], late: list[LateDemand], minutes: FloatArray, *, time_limit: float | None = None,
    ) -> dict[str, FloatArray] | None:
        """Deliver every order in `late` in full, as little late as possible (weighted unit-days past
        its day; earlier days slightly preferred otherwise), keeping `fixed`. Returns the units each
        delivers per day, or None when not even that is feasible. Changes the model for good:
        use a session of its own."""
        self._set_rhs(fixed)
        self._set_minutes(minutes)
        days = np.arange(self.grid.days, dtype=np.int64)
        first_row = self.total_row + 1
        self.solver.addRows(len(late), np.array([d.qty for d in late]), np.array([d.qty for d in late]),
                            0, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        first_col = self.n_cols
        for j, demand in enumerate(late):
            balance = self.row(demand.point, self.grid.day_last_slot[days])
            index = np.column_stack([balance, np.full(len(days), first_row + j)]).ravel().astype(np.int32)
            cost = demand.weight * np.maximum(days - demand.day, 0) + 1e-3 * days / len(days)
            self.solver.addCols(len(days), cost.astype(np.float64), np.zeros(len(days)), np.full(len(days), INF),
                                2 * len(days), np.arange(len(days), dtype=np.int32) * 2, index, np.ones(2 * len(days)))
            self.n_cols += len(days)
        for first, ship_days in self.ships.values():  # no other flexible demand takes part
            self.solver.changeColsBounds(len(ship_days), np.arange(first, first + len(ship_days), dtype=np.int32),
                                         np.zeros(len(ship_days)), np.zeros(len(ship_days)))
        self.solver.changeRowBounds(self.total_row, 0.0, 0.0)
        self.solver.setOptionValue("solver", "ipm")
        if time_limit is not None:  # on the clock of every run of this solver together
            self.solver.setOptionValue("time_limit", self.solver.getRunTime() + max(time_limit, 0.01))
        self.solver.run()
        if self.solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.asarray(self.solver.getSolution().col_value)
        return {
            demand.key: np.clip(x[first_col + j * len(days): first_col + (j + 1) * len(days)], 0.0, None)
            for j, demand in enumerate(late)
        }

    def _set_rhs(self, fixed: list[FixedDemand]) -> None:
        rhs = self.rhs.copy()
        for d in fixed:
            rhs[self.row(d.point, np.array([self._slot(d)]))[0]] -= d.qty
        changed = np.flatnonzero(rhs != self.current_rhs)
        if len(changed):
            self.solver.changeRowsBounds(  # type: ignore[attr-defined]  # missing from highspy's stubs
                len(changed), changed.astype(np.int32), rhs[changed], rhs[changed]
            )
        self.current_rhs = rhs

    def _set_minutes(self, minutes: FloatArray) -> None:
        for k in np.flatnonzero(np.abs(minutes - self.minutes) > 1e-12).tolist():
            slots = self.arc_slots[k]
            rows = self.capacity_row[self.grid.resource_index[self.network.arcs[k].resource_id], slots]
            cols = self.arc_offset[k] + np.arange(len(slots), dtype=np.int64)
            for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
                self.solver.changeCoeff(row, col, float(minutes[k]))
            if len(cols):
                costs = np.full(len(cols), PRODUCTION_COST_PER_MINUTE * float(minutes[k]))
                self.solver.changeColsCost(len(cols), cols.astype(np.int32), costs)
            self.minutes[k] = minutes[k]

    def _read(self, x: FloatArray, flexible: FlexibleDemand | None, scenario: Scenario) -> Solution:
        flow: dict[int, tuple[IntArray, FloatArray]] = {}
        for k, slots in enumerate(self.arc_slots):
            units = x[self.arc_offset[k] : self.arc_offset[k + 1]]
            keep = units > 1e-7
            if keep.any():
                flow[k] = (slots[keep], units[keep])
        bought = {
            point: float(x[self.buy_offset + j]) for j, point in enumerate(self.buy_points) if x[self.buy_offset + j] > 1e-7
        }
        shipped = np.zeros(self.grid.days)
        if flexible is not None:
            first, days = self.ships[flexible.point]
            shipped[days] = np.clip(x[first : first + len(days)], 0.0, None)
        levels = {
            point: (self.events[point], np.clip(x[self.level_offset[point] : self.level_offset[point + 1]], 0.0, None))
            for point in range(self.V) if len(self.events[point])
        }
        return Solution(True, flow, levels, bought, shipped, scenario)


def solve(grid: SlotGrid, network: Network, scenario: Scenario) -> Solution:
    """One LP solved once (a session used a single time)."""
    session = LpSession(grid, network, supplies=scenario.supplies, buyable=scenario.buyable,
                        minutes_per_unit=scenario.minutes_per_unit, extra_events=events_of(scenario.fixed, grid))
    return session.solve(list(scenario.fixed), scenario.flexible, scenario.minutes_per_unit, scenario.disabled_arcs,
                         scenario)


def events_of(fixed: tuple[FixedDemand, ...] | list[FixedDemand], grid: SlotGrid) -> dict[int, list[int]]:
    """The rows fixed demands with their own slot need (deliveries use day ends, always there)."""
    extra: dict[int, list[int]] = {}
    for d in fixed:
        if d.slot is not None:
            extra.setdefault(d.point, []).append(d.slot)
    return extra
