"""Shortages and the sales orders they hurt.

A shortage is a run of buckets in which an item's projected available stock is below
zero. Stock serves demand first come, first served, so every requirement for the item
that falls inside the run is (at least partly) unmet. A requirement is either a sales
order (or forecast) for the item itself, or a planned order of a parent released in
the run; that parent order is traced to the parent's requirements it covers (from its
receipt bucket until the parent's next planned receipt, plus any backlog it makes up),
and so on up the bill of materials.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np
import pandas as pd

from planning_core.mrp.grid import FloatArray, Grid
from planning_core.mrp.inputs import BomEdges
from planning_core.mrp.netting import EPS, PlannedOrderArrays
from planning_core.mrp.results import Shortage

Span = tuple[int, int]  # first and last bucket, inclusive


class Pegger:
    def __init__(
        self,
        *,
        edges: BomEdges,
        orders: PlannedOrderArrays,
        demand: pd.DataFrame,
        available: FloatArray,
        grid: Grid,
    ) -> None:
        self._available = available
        self._buckets = grid.buckets
        self._direct: dict[int, list[tuple[int, str, date]]] = defaultdict(list)
        self._forecast: dict[int, list[tuple[int, date]]] = defaultdict(list)
        buckets = grid.bucket_of_days(demand["day"].to_numpy(dtype=np.int64)) if len(demand) else np.zeros(0, np.int64)
        for item, bucket, order_id, when in zip(demand["item"], buckets, demand["order_id"], demand["date"], strict=True):
            if isinstance(order_id, str):
                self._direct[int(item)].append((int(bucket), order_id, when))
            else:
                self._forecast[int(item)].append((int(bucket), when))
        self._parents: dict[int, list[int]] = defaultdict(list)
        for parent, component in zip(edges.parent.tolist(), edges.component.tolist(), strict=True):
            self._parents[component].append(parent)
        # item → (receipt bucket, release bucket, release day) of its planned orders
        self._supply: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        release_buckets = grid.bucket_of_days(orders.release_day)
        for item, receipt, release, day in zip(
            orders.item.tolist(), orders.bucket.tolist(), release_buckets.tolist(), orders.release_day.tolist(), strict=True
        ):
            self._supply[item].append((receipt, release, day))
        self._grid = grid
        for supply in self._supply.values():
            supply.sort()
        self._memo: dict[tuple[int, int, int], tuple[frozenset[str], bool]] = {}

    def demand_in(self, item: int, span: Span) -> tuple[frozenset[str], bool]:
        """Sales orders (and whether forecast) behind the item's requirements in `span`."""
        key = (item, *span)
        if key not in self._memo:
            self._memo[key] = self._trace(item, span)
        return self._memo[key]

    def _trace(self, item: int, span: Span) -> tuple[frozenset[str], bool]:
        first, last = span
        orders = {oid for bucket, oid, _ in self._direct.get(item, ()) if first <= bucket <= last}
        forecast = any(first <= b <= last for b, _ in self._forecast.get(item, ()))
        for parent in self._parents.get(item, ()):
            supply = self._supply.get(parent, [])
            for k, (_, release, _) in enumerate(supply):
                if first <= release <= last:
                    served, by_forecast = self.demand_in(parent, self._covered(parent, supply, k))
                    orders |= served
                    forecast = forecast or by_forecast
        return frozenset(orders), forecast

    def first_need(self, item: int, bucket: int) -> date:
        """The earliest requirement date for the item in `bucket`: an order's due date (today
        at the earliest), a forecast period's start, or the day a parent order is released."""
        dates = [when for b, _, when in self._direct.get(item, ()) if b == bucket]
        dates += [when for b, when in self._forecast.get(item, ()) if b == bucket]
        for parent in self._parents.get(item, ()):
            dates += [self._grid.date_of(day) for _, release, day in self._supply.get(parent, ()) if release == bucket]
        return min(dates, default=self._grid.bucket_start(bucket))

    def _covered(self, item: int, supply: list[tuple[int, int, int]], k: int) -> Span:
        receipt = supply[k][0]
        last = supply[k + 1][0] - 1 if k + 1 < len(supply) else self._buckets - 1
        first = receipt
        while first > 0 and self._available[item, first - 1] < -EPS:  # it also makes up a backlog
            first -= 1
        return first, max(last, receipt)


def find_shortages(pegger: Pegger, available: FloatArray, grid: Grid, item_ids: list[str]) -> list[Shortage]:
    short = available < -EPS
    padded = np.zeros((short.shape[0], short.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = short
    change = np.diff(padded, axis=1)
    starts = np.argwhere(change == 1)
    ends = np.argwhere(change == -1)  # exclusive ends, same row order as starts
    result = []
    for (item, first), (_, stop) in zip(starts.tolist(), ends.tolist(), strict=True):
        orders, forecast = pegger.demand_in(item, (first, stop - 1))
        result.append(Shortage(
            item_id=item_ids[item],
            date=pegger.first_need(item, first),
            qty=float(-available[item, first:stop].min()),
            orders=tuple(sorted(orders)),
            until=grid.bucket_start(stop) if stop < grid.buckets else None,
            forecast=forecast,
        ))
    return result
