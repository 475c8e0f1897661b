"""Shortages and the sales orders they hurt.

A shortage is a run of buckets in which an item's projected available stock is below
zero. Stock serves demand first come, first served, so every requirement for the item
that falls inside the run is (at least partly) unmet. A requirement is either a sales
order (or forecast) for the item itself, or a planned order of a parent released in
the run; that parent order is traced to the parent's requirements it covers (from its
receipt bucket until the parent's next planned receipt, plus any backlog it makes up),
and so on up the bill of materials.

Only items on a shortage's trail are looked at: requirements and planned orders are
sorted by item once, so each item's rows are one slice.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from planning_core.mrp.grid import FloatArray, Grid, IntArray
from planning_core.mrp.inputs import BomEdges
from planning_core.mrp.netting import EPS, PlannedOrderArrays
from planning_core.mrp.results import Shortage

Span = tuple[int, int]  # first and last bucket, inclusive


def _pointers(item: IntArray, n_items: int) -> list[int]:
    """Row ranges per item of rows sorted by item: item k owns rows ptr[k]:ptr[k+1]."""
    return np.searchsorted(item, np.arange(n_items + 1)).tolist()  # type: ignore[no-any-return]


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
        # Plain lists: a trace touches a few rows of a few items, where numpy calls cost more than they save.
        n_items = available.shape[0]
        self._available = available
        self._grid = grid
        items = demand["item"].to_numpy(dtype=np.int64)
        by_item = np.argsort(items, kind="stable")
        self._d_ptr = _pointers(items[by_item], n_items)
        self._d_bucket: list[int] = grid.bucket_of_days(demand["day"].to_numpy(dtype=np.int64))[by_item].tolist()
        self._d_need: list[int] = demand["need_day"].to_numpy(dtype=np.int64)[by_item].tolist()
        self._d_order: list[str | None] = [
            o if isinstance(o, str) else None for o in demand["order_id"].to_numpy(dtype=object)[by_item].tolist()
        ]
        sequence = np.lexsort((orders.bucket, orders.item))
        self._s_ptr = _pointers(orders.item[sequence], n_items)
        self._s_receipt: list[int] = orders.bucket[sequence].tolist()
        self._s_release: list[int] = grid.bucket_of_days(orders.release_day)[sequence].tolist()
        self._s_release_day: list[int] = orders.release_day[sequence].tolist()
        by_component = np.argsort(edges.component, kind="stable")
        self._parent_ptr = _pointers(edges.component[by_component], n_items)
        self._parents: list[int] = edges.parent[by_component].tolist()
        self._memo: dict[tuple[int, int, int], tuple[frozenset[str], bool]] = {}

    def _parents_of(self, item: int) -> list[int]:
        return self._parents[self._parent_ptr[item] : self._parent_ptr[item + 1]]

    def demand_in(self, item: int, span: Span) -> tuple[frozenset[str], bool]:
        """Sales orders (and whether forecast) behind the item's requirements in `span`."""
        key = (item, *span)
        if key not in self._memo:
            self._memo[key] = self._trace(item, span)
        return self._memo[key]

    def _trace(self, item: int, span: Span) -> tuple[frozenset[str], bool]:
        first, last = span
        orders: set[str] = set()
        forecast = False
        for j in range(self._d_ptr[item], self._d_ptr[item + 1]):
            if first <= self._d_bucket[j] <= last:
                order_id = self._d_order[j]
                if order_id is None:
                    forecast = True
                else:
                    orders.add(order_id)
        for parent in self._parents_of(item):
            stop = self._s_ptr[parent + 1]
            for k in range(self._s_ptr[parent], stop):
                if first <= self._s_release[k] <= last:
                    served, by_forecast = self.demand_in(parent, self._covered(parent, k, stop))
                    orders |= served
                    forecast = forecast or by_forecast
        return frozenset(orders), forecast

    def _covered(self, item: int, k: int, stop: int) -> Span:
        receipt = self._s_receipt[k]
        last = self._s_receipt[k + 1] - 1 if k + 1 < stop else self._grid.buckets - 1
        first = receipt
        while first > 0 and self._available[item, first - 1] < -EPS:  # it also makes up a backlog
            first -= 1
        return first, max(last, receipt)

    def first_need(self, item: int, bucket: int) -> date:
        """The earliest requirement date for the item in `bucket`: an order's due date (today
        at the earliest), a forecast period's start, or the day a parent order is released."""
        days = [self._d_need[j] for j in range(self._d_ptr[item], self._d_ptr[item + 1]) if self._d_bucket[j] == bucket]
        for parent in self._parents_of(item):
            days += [self._s_release_day[k] for k in range(self._s_ptr[parent], self._s_ptr[parent + 1])
                     if self._s_release[k] == bucket]
        return self._grid.date_of(min(days)) if days else self._grid.bucket_start(bucket)


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
