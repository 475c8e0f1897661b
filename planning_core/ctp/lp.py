"""The capable-to-promise linear programme on a slot grid (solved with HiGHS).

Variables, all ≥ 0:
- `level[v, t]`: units at stock point v at the end of slot t;
- `flow[a, t]`: units made through arc a in slot t (only slots where its resource works);
- `buy[i]`: a new purchase of bought item i, arriving when its lead time allows;
- `ship[d]`: units of the flexible demand delivered at the end of day d.

Rows: a balance per stock point and slot (level carries over; flows in and out;
receipts and fixed demands on the right-hand side), a capacity limit per resource
and working slot, and the flexible demand's total. Inside a slot the arcs feed each
other (steps overlap unit by unit); `layout` turns the flows into timed operations.
HiGHS is called directly (highspy) with a column-wise matrix built in numpy.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
from numpy.typing import NDArray

from planning_core.ctp.grid import SlotGrid
from planning_core.ctp.network import Network

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Tiny costs keep plans lean (no needless production or purchase) without ever
# trading against an earlier delivery, worth ≥ 1 per unit-day. (A holding cost to
# push production late was tried: it doubled solve times and changed no answer.)
PRODUCTION_COST_PER_MINUTE = 1e-6
PURCHASE_COST_PER_UNIT = 1e-4


@dataclass(frozen=True)
class Supply:
    """Fixed receipts: (stock point, slot, qty)."""

    point: int
    slot: int
    qty: float


@dataclass(frozen=True)
class FixedDemand:
    key: str
    point: int
    qty: float
    day: int  # delivered at the end of this day (clipped to day 0)
    slot: int | None = None  # taken in exactly this slot instead (material other work consumes)

    @property
    def is_delivery(self) -> bool:
        return self.slot is None


@dataclass(frozen=True)
class FlexibleDemand:
    """A demand whose delivery days the LP chooses, as early as possible."""

    key: str
    point: int
    qty: float
    first_day: int = 0
    last_day: int | None = None  # None: the grid's last day
    complete: bool = False  # True: all of qty must be delivered by last_day


@dataclass(frozen=True)
class Scenario:
    supplies: tuple[Supply, ...]
    fixed: tuple[FixedDemand, ...]
    flexible: FlexibleDemand | None
    minutes_per_unit: FloatArray  # per arc: run minutes plus its share of set-up
    buyable: dict[int, int] = field(default_factory=dict)  # stock point → first slot a new purchase arrives
    disabled_arcs: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Solution:
    feasible: bool
    flow: dict[int, tuple[IntArray, FloatArray]]  # arc → (slots, units), only non-zero entries
    levels: dict[int, tuple[IntArray, FloatArray]]  # point → (slots where it changes, units after them)
    bought: dict[int, float]  # stock point → units
    shipped: FloatArray  # units of the flexible demand per day
    scenario: Scenario

    @property
    def shipped_total(self) -> float:
        return float(self.shipped.sum())

    def level_at(self, point: int, slot: int) -> float:
        """Units at a stock point at the end of `slot`."""
        slots, units = self.levels.get(point, (np.empty(0, dtype=np.int64), np.empty(0)))
        index = int(np.searchsorted(slots, slot, side="right")) - 1
        return float(units[index]) if index >= 0 else 0.0


def solve(grid: SlotGrid, network: Network, scenario: Scenario) -> Solution:
    builder = _Builder(grid, network, scenario)
    return builder.solve()


class _Builder:
    """Levels exist only where a stock point can change (its *events*): the slots its
    producing or consuming arcs work, receipts, demands and shipping days. Between
    events a level carries over unchanged, so leaving the other slots out is exact."""

    def __init__(self, grid: SlotGrid, network: Network, scenario: Scenario) -> None:
        self.grid = grid
        self.network = network
        self.scenario = scenario
        self.T = grid.slots
        self.V = len(network.points)
        self._layout_variables()

    def _layout_variables(self) -> None:
        grid, net, scenario = self.grid, self.network, self.scenario
        self.arc_slots: list[IntArray] = []
        for k, arc in enumerate(net.arcs):
            row = grid.resource_index.get(arc.resource_id)
            if row is None or k in scenario.disabled_arcs:
                self.arc_slots.append(np.empty(0, dtype=np.int64))
            else:
                self.arc_slots.append(np.flatnonzero(grid.capacity[row] > 1e-9).astype(np.int64))
        self.buy_points = sorted(p for p, slot in scenario.buyable.items() if 0 <= slot < self.T)
        flex = scenario.flexible
        if flex is not None:
            last = grid.days - 1 if flex.last_day is None else min(flex.last_day, grid.days - 1)
            self.ship_days = np.arange(max(flex.first_day, 0), last + 1, dtype=np.int64)
        else:
            self.ship_days = np.empty(0, dtype=np.int64)
        self.events = self._events()
        self.level_offset = np.zeros(self.V + 1, dtype=np.int64)
        self.level_offset[1:] = np.cumsum([len(e) for e in self.events])
        self.n_level = int(self.level_offset[-1])
        offset = self.n_level
        self.arc_offset: list[int] = []
        for slots in self.arc_slots:
            self.arc_offset.append(offset)
            offset += len(slots)
        self.buy_offset = offset
        offset += len(self.buy_points)
        self.ship_offset = offset
        self.n_vars = offset + len(self.ship_days)

    def _events(self) -> list[IntArray]:
        found: list[list[IntArray]] = [[] for _ in range(self.V)]
        for k, arc in enumerate(self.network.arcs):
            slots = self.arc_slots[k]
            if len(slots):
                found[arc.output].append(slots)
                for point, _ in arc.inputs:
                    found[point].append(slots)
        for supply in self.scenario.supplies:
            if 0 <= supply.slot < self.T:
                found[supply.point].append(np.array([supply.slot]))
        for demand in self.scenario.fixed:
            found[demand.point].append(np.array([self._demand_slot(demand)]))
        for point in self.buy_points:
            found[point].append(np.array([self.scenario.buyable[point]]))
        flex = self.scenario.flexible
        if flex is not None and len(self.ship_days):
            found[flex.point].append(self.grid.day_last_slot[self.ship_days])
        return [np.unique(np.concatenate(f)).astype(np.int64) if f else np.empty(0, dtype=np.int64) for f in found]

    def _demand_slot(self, demand: FixedDemand) -> int:
        day = min(max(demand.day, 0), self.grid.days - 1)
        return int(self.grid.day_last_slot[day]) if demand.slot is None else demand.slot

    def _row(self, point: int, slots: IntArray) -> IntArray:
        rows: IntArray = self.level_offset[point] + np.searchsorted(self.events[point], slots)
        return rows

    def solve(self) -> Solution:
        rows, cols, vals, rhs_eq = self._balance_rows()
        ub_rows, ub_cols, ub_vals, rhs_ub = self._capacity_rows()
        n_eq = self.n_level
        all_rows = np.concatenate([*rows, ub_rows + n_eq])
        all_cols = np.concatenate([*cols, ub_cols])
        all_vals = np.concatenate([*vals, ub_vals])
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_vars
        lp.num_row_ = n_eq + len(rhs_ub)
        lp.col_cost_ = self._objective()
        lp.col_lower_ = np.zeros(self.n_vars)
        lp.col_upper_ = np.full(self.n_vars, highspy.kHighsInf)
        lp.row_lower_ = np.concatenate([rhs_eq, np.full(len(rhs_ub), -highspy.kHighsInf)])
        lp.row_upper_ = np.concatenate([rhs_eq, rhs_ub])
        start, index, value = _column_wise(all_rows, all_cols, all_vals, self.n_vars)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        solver = _quiet_solver()
        solver.passModel(lp)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return Solution(False, {}, {}, {}, np.zeros(self.grid.days), self.scenario)
        return self._solution(np.asarray(solver.getSolution().col_value))

    def _balance_rows(self) -> tuple[list[IntArray], list[IntArray], list[FloatArray], FloatArray]:
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        vals: list[FloatArray] = []
        own = np.arange(self.n_level, dtype=np.int64)
        rows.append(own)
        cols.append(own)
        vals.append(np.ones(self.n_level))
        first_of_point = np.zeros(self.n_level, dtype=bool)
        first_of_point[self.level_offset[:-1][np.diff(self.level_offset) > 0]] = True
        carried = own[~first_of_point]  # each level minus the one before it at the same point
        rows.append(carried)
        cols.append(carried - 1)
        vals.append(-np.ones(len(carried)))
        for k, arc in enumerate(self.network.arcs):
            slots = self.arc_slots[k]
            if len(slots) == 0:
                continue
            var = self.arc_offset[k] + np.arange(len(slots), dtype=np.int64)
            rows.append(self._row(arc.output, slots))
            cols.append(var)
            vals.append(-np.ones(len(slots)))
            for point, per_unit in arc.inputs:
                rows.append(self._row(point, slots))
                cols.append(var)
                vals.append(np.full(len(slots), per_unit))
        for j, point in enumerate(self.buy_points):
            rows.append(self._row(point, np.array([self.scenario.buyable[point]])))
            cols.append(np.array([self.buy_offset + j]))
            vals.append(np.array([-1.0]))
        flex = self.scenario.flexible
        if flex is not None and len(self.ship_days):
            rows.append(self._row(flex.point, self.grid.day_last_slot[self.ship_days]))
            cols.append(self.ship_offset + np.arange(len(self.ship_days), dtype=np.int64))
            vals.append(np.ones(len(self.ship_days)))
        rhs = np.zeros(self.n_level)
        for supply in self.scenario.supplies:
            if 0 <= supply.slot < self.T:
                rhs[self._row(supply.point, np.array([supply.slot]))[0]] += supply.qty
        for demand in self.scenario.fixed:
            rhs[self._row(demand.point, np.array([self._demand_slot(demand)]))[0]] -= demand.qty
        return rows, cols, vals, rhs

    def _capacity_rows(self) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        grid = self.grid
        working = grid.capacity > 1e-9
        row_of = np.full(grid.capacity.shape, -1, dtype=np.int64)
        row_of[working] = np.arange(int(working.sum()))
        rows, cols, vals = [], [], []
        for k, arc in enumerate(self.network.arcs):
            slots = self.arc_slots[k]
            if len(slots) == 0:
                continue
            r = grid.resource_index[arc.resource_id]
            rows.append(row_of[r, slots])
            cols.append(self.arc_offset[k] + np.arange(len(slots), dtype=np.int64))
            vals.append(np.full(len(slots), self.scenario.minutes_per_unit[k]))
        rhs = [grid.capacity[working]]
        flex = self.scenario.flexible
        n_cap = int(working.sum())
        if flex is not None and len(self.ship_days):
            rows.append(np.full(len(self.ship_days), n_cap, dtype=np.int64))
            cols.append(self.ship_offset + np.arange(len(self.ship_days), dtype=np.int64))
            vals.append(np.ones(len(self.ship_days)))
            rhs.append(np.array([flex.qty]))
            if flex.complete:
                # ≥ qty as -sum ≤ -qty
                rows.append(np.full(len(self.ship_days), n_cap + 1, dtype=np.int64))
                cols.append(self.ship_offset + np.arange(len(self.ship_days), dtype=np.int64))
                vals.append(-np.ones(len(self.ship_days)))
                rhs.append(np.array([-flex.qty * (1 - 1e-9)]))
        if not rows:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0), np.concatenate(rhs)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), np.concatenate(rhs)

    def _objective(self) -> FloatArray:
        c = np.zeros(self.n_vars)
        for k in range(len(self.network.arcs)):
            n = len(self.arc_slots[k])
            c[self.arc_offset[k] : self.arc_offset[k] + n] = PRODUCTION_COST_PER_MINUTE * self.scenario.minutes_per_unit[k]
        c[self.buy_offset : self.buy_offset + len(self.buy_points)] = PURCHASE_COST_PER_UNIT
        if len(self.ship_days):
            # Earlier is worth more: maximising these weights maximises the cumulative
            # quantity delivered, summed over days.
            horizon = float(self.grid.days)
            c[self.ship_offset :] = -(horizon - self.ship_days.astype(np.float64) + 1.0)
        return c

    def _solution(self, x: FloatArray) -> Solution:
        flow: dict[int, tuple[IntArray, FloatArray]] = {}
        for k in range(len(self.network.arcs)):
            slots = self.arc_slots[k]
            units = x[self.arc_offset[k] : self.arc_offset[k] + len(slots)]
            keep = units > 1e-7
            if keep.any():
                flow[k] = (slots[keep], units[keep])
        bought = {
            point: float(x[self.buy_offset + j])
            for j, point in enumerate(self.buy_points)
            if x[self.buy_offset + j] > 1e-7
        }
        shipped = np.zeros(self.grid.days)
        if len(self.ship_days):
            shipped[self.ship_days] = np.clip(x[self.ship_offset :], 0.0, None)
        levels = {
            point: (self.events[point], np.clip(x[self.level_offset[point] : self.level_offset[point + 1]], 0.0, None))
            for point in range(self.V) if len(self.events[point])
        }
        return Solution(True, flow, levels, bought, shipped, self.scenario)


def _quiet_solver() -> highspy.Highs:
    """A HiGHS instance that prints nothing: the first one a process makes writes a
    banner straight to file descriptor 1, which would corrupt `--json` output."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        solver = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with Path(os.devnull).open("w") as null:
                os.dup2(null.fileno(), 1)
                solver = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    solver.setOptionValue("output_flag", False)
    # Time-expanded stock chains make dual simplex take many small steps; the interior
    # point method (with crossover to an exact vertex) solves these LPs about twice as fast.
    solver.setOptionValue("solver", "ipm")
    return solver


_BANNER_SHOWN = False


def _column_wise(
    rows: IntArray, cols: IntArray, vals: FloatArray, n_cols: int
) -> tuple[NDArray[np.int32], NDArray[np.int32], FloatArray]:
    """Compressed sparse columns from (row, column, value) triples, summing duplicates."""
    order = np.lexsort((rows, cols))
    rows, cols, vals = rows[order], cols[order], vals[order]
    if len(rows):
        distinct = np.ones(len(rows), dtype=bool)
        distinct[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        groups = np.flatnonzero(distinct)
        vals = np.add.reduceat(vals, groups)
        rows, cols = rows[groups], cols[groups]
    start = np.searchsorted(cols, np.arange(n_cols + 1)).astype(np.int32)
    return start, rows.astype(np.int32), vals
