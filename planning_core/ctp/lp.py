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

# Tiny costs keep plans lean (no needless production, purchase or early stock
# build-up) without ever trading against an earlier delivery, worth ≥ 1 per unit-day.
PRODUCTION_COST_PER_MINUTE = 1e-6
PURCHASE_COST_PER_UNIT = 1e-4
HOLDING_COST_PER_UNIT_SLOT = 1e-8


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
    level: FloatArray  # [point, slot]
    bought: dict[int, float]  # stock point → units
    shipped: FloatArray  # units of the flexible demand per day
    scenario: Scenario

    @property
    def shipped_total(self) -> float:
        return float(self.shipped.sum())


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


def solve(grid: SlotGrid, network: Network, scenario: Scenario) -> Solution:
    builder = _Builder(grid, network, scenario)
    return builder.solve()


class _Builder:
    def __init__(self, grid: SlotGrid, network: Network, scenario: Scenario) -> None:
        self.grid = grid
        self.network = network
        self.scenario = scenario
        self.T = grid.slots
        self.V = len(network.points)
        self._layout_variables()

    def _layout_variables(self) -> None:
        grid, net = self.grid, self.network
        self.n_level = self.V * self.T
        self.arc_slots: list[IntArray] = []
        self.arc_offset: list[int] = []
        offset = self.n_level
        for k, arc in enumerate(net.arcs):
            row = grid.resource_index.get(arc.resource_id)
            if row is None or k in self.scenario.disabled_arcs:
                slots = np.empty(0, dtype=np.int64)
            else:
                slots = np.flatnonzero(grid.capacity[row] > 1e-9).astype(np.int64)
            self.arc_slots.append(slots)
            self.arc_offset.append(offset)
            offset += len(slots)
        self.buy_points = sorted(p for p, slot in self.scenario.buyable.items() if 0 <= slot < self.T)
        self.buy_offset = offset
        offset += len(self.buy_points)
        flex = self.scenario.flexible
        if flex is not None:
            last = grid.days - 1 if flex.last_day is None else min(flex.last_day, grid.days - 1)
            self.ship_days = np.arange(max(flex.first_day, 0), last + 1, dtype=np.int64)
        else:
            self.ship_days = np.empty(0, dtype=np.int64)
        self.ship_offset = offset
        self.n_vars = offset + len(self.ship_days)

    def solve(self) -> Solution:
        rows, cols, vals, rhs_eq = self._balance_rows()
        ub_rows, ub_cols, ub_vals, rhs_ub = self._capacity_rows()
        n_eq = self.V * self.T
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
        solver.setOptionValue("primal_feasibility_tolerance", 1e-7)
        solver.setOptionValue("dual_feasibility_tolerance", 1e-9)
        solver.passModel(lp)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return Solution(False, {}, np.zeros((self.V, self.T)), {}, np.zeros(self.grid.days), self.scenario)
        return self._solution(np.asarray(solver.getSolution().col_value))

    def _balance_rows(self) -> tuple[list[IntArray], list[IntArray], list[FloatArray], FloatArray]:
        T, V = self.T, self.V
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        vals: list[FloatArray] = []
        # level[v, t] - level[v, t-1]
        own = np.arange(V * T, dtype=np.int64)
        rows.append(own)
        cols.append(own)
        vals.append(np.ones(V * T))
        prev = own.reshape(V, T)[:, 1:].ravel()
        rows.append(prev)
        cols.append(prev - 1)
        vals.append(-np.ones(len(prev)))
        for k, arc in enumerate(self.network.arcs):
            slots = self.arc_slots[k]
            if len(slots) == 0:
                continue
            var = self.arc_offset[k] + np.arange(len(slots), dtype=np.int64)
            rows.append(arc.output * T + slots)
            cols.append(var)
            vals.append(-np.ones(len(slots)))
            for point, per_unit in arc.inputs:
                rows.append(point * T + slots)
                cols.append(var)
                vals.append(np.full(len(slots), per_unit))
        for j, point in enumerate(self.buy_points):
            rows.append(np.array([point * T + self.scenario.buyable[point]]))
            cols.append(np.array([self.buy_offset + j]))
            vals.append(np.array([-1.0]))
        flex = self.scenario.flexible
        if flex is not None and len(self.ship_days):
            rows.append(flex.point * T + self.grid.day_last_slot[self.ship_days])
            cols.append(self.ship_offset + np.arange(len(self.ship_days), dtype=np.int64))
            vals.append(np.ones(len(self.ship_days)))
        rhs = np.zeros(V * T)
        for supply in self.scenario.supplies:
            if 0 <= supply.slot < T:
                rhs[supply.point * T + supply.slot] += supply.qty
        for demand in self.scenario.fixed:
            day = min(max(demand.day, 0), self.grid.days - 1)
            slot = self.grid.day_last_slot[day] if demand.slot is None else demand.slot
            rhs[demand.point * T + slot] -= demand.qty
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
        c[: self.n_level] = HOLDING_COST_PER_UNIT_SLOT
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
        level = np.clip(x[: self.n_level].reshape(self.V, self.T), 0.0, None)
        return Solution(True, flow, level, bought, shipped, self.scenario)
