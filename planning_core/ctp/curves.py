"""Cumulative curves on the slot grid: the arithmetic of the committed-capacity ledger.

A *curve* holds, for every slot, how many units have been made (or must be made,
or are available) by the end of that slot. Steps of an item overlap unit by unit,
as in the capable-to-promise LP: a step may have made, by the end of any slot, at
most what the step before it had made by then. Both placements below are closed
forms of the slot-by-slot recurrences, so a whole step is placed with a handful of
numpy operations instead of a loop over slots.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def as_early_as_possible(bound: FloatArray, capacity: FloatArray) -> FloatArray:
    """Most units made by the end of each slot when slot s can make `capacity[s]` units and
    no more than `bound[s]` (the units available to the step by then) may be through.

    Solves C(s) = min(bound(s), C(s−1) + capacity(s)) with C(−1) = 0, i.e.
    C(s) = K(s) + min(0, min_{j≤s} (bound(j) − K(j))) with K the cumulative capacity.
    """
    total = np.cumsum(capacity)
    made: FloatArray = total + np.minimum(0.0, np.minimum.accumulate(bound - total))
    return made


def as_late_as_possible(required: FloatArray, capacity: FloatArray) -> FloatArray | None:
    """Fewest units made by the end of each slot such that `required[s]` are through by the
    end of every slot s, slot s making at most `capacity[s]`; None when no schedule can.

    Solves P(s) = max(required(s), P(s+1) − capacity(s+1)), i.e.
    P(s) = K(s) + max_{t≥s} (required(t) − K(t)); feasible when required ≤ K everywhere.
    """
    total = np.cumsum(capacity)
    gap = required - total
    if len(gap) and float(gap.max()) > 1e-9 * max(1.0, float(required[-1])):
        return None
    latest: FloatArray = total + np.maximum.accumulate(gap[::-1])[::-1]
    return np.maximum(latest, 0.0)


def increments(curve: FloatArray) -> FloatArray:
    """Units per slot of a cumulative curve (never negative)."""
    steps = np.empty_like(curve)
    if len(curve):
        steps[0] = curve[0]
        np.subtract(curve[1:], curve[:-1], out=steps[1:])
    return np.maximum(steps, 0.0)


def first_reaching(curve: FloatArray, qty: float) -> int | None:
    """The first slot by whose end `curve` holds `qty` (within rounding), or None."""
    reached = np.flatnonzero(curve >= qty - 1e-9 * max(1.0, qty))
    return int(reached[0]) if len(reached) else None
