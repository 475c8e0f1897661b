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
class LateDemand:
    """An order the LP may deliver late: it delivers all of `qty`, each unit-day beyond `day` costing `weight`."""

    key: str
    point: int
    qty: float
    day: int
    weight: float


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


def quiet_solver() -> highspy.Highs:
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


def column_wise(
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
