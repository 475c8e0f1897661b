"""Level-by-level, bucket-by-bucket netting, vectorised over the items of one BOM level.

For each level (low-level code 0 first) and each bucket t, for all items of the level at once:

    before[t]  = available[t-1] + scheduled_receipts[t] - gross[t]      (available[-1] = on hand)
    net[t]     = max(0, safety_stock - before[t])
    planned[t] = lot(net[t])   if a receipt can arrive within bucket t, else 0
    available[t] = before[t] + planned[t]

`lot(q)` = max(q, min_lot) rounded up to a multiple of `lot_multiple` (lot-for-lot when
min_lot is 0 and the multiple 1). A planned receipt is due on the day it is needed: the
day stock first fell under safety stock when it already had, else the day of the
bucket's first requirement. When the lead time from today cannot reach that day, it is
due on its earliest possible day if that falls inside bucket t ("past due": release
now); otherwise the need waits for a later bucket, and the stock-out until then is a
shortage. Releases of a level's planned orders, times the BOM's quantity per (with
scrap), are the gross requirements of their components, netted with the next levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning_core.mrp.grid import FloatArray, Grid, IntArray
from planning_core.mrp.inputs import BomEdges, ItemArrays
from planning_core.mrp.leadtime import LeadTimes

EPS = 1e-6


@dataclass(frozen=True)
class Matrices:
    """Per item and bucket quantities of the MRP record."""

    gross: FloatArray
    scheduled: FloatArray
    planned_receipts: FloatArray
    planned_releases: FloatArray
    available: FloatArray


@dataclass(frozen=True)
class PlannedOrderArrays:
    item: IntArray
    bucket: IntArray  # bucket whose net requirement the order covers
    qty: FloatArray
    need_day: IntArray  # the day that requirement is needed
    due_day: IntArray
    release_day: IntArray
    working_days: IntArray  # lead time used


def lot_size(net: FloatArray, *, min_lot: FloatArray, multiple: FloatArray) -> FloatArray:
    """Lot-sized quantity for each net requirement (vectorised)."""
    qty = np.maximum(net, min_lot)
    step = np.where(multiple > 0, multiple, 1.0)
    # a relative tolerance keeps 480.0000001 from becoming 481
    return np.ceil(qty / step - 1e-9 * np.maximum(1.0, qty / step)) * step


def net_all_levels(
    items: ItemArrays,
    edges: BomEdges,
    lead: LeadTimes,
    grid: Grid,
    *,
    gross: FloatArray,
    first_need: IntArray,
    scheduled: FloatArray,
) -> tuple[Matrices, PlannedOrderArrays]:
    """Run the netting.

    `gross` holds independent demand and `first_need` the first day of a requirement per
    item and bucket (a day past the bucket when there is none); both receive the
    dependent demand of each level in place before the next level is netted.
    """
    n = len(items.ids)
    receipts = np.zeros((n, grid.buckets))
    releases = np.zeros((n, grid.buckets))
    available = np.zeros((n, grid.buckets))
    found: list[PlannedOrderArrays] = []
    by_parent = np.argsort(edges.parent, kind="stable")
    edge_ptr = np.searchsorted(edges.parent[by_parent], np.arange(n + 1))
    for level in items.levels:
        rows = slice(level.start, level.stop)
        level_orders = _net_level(items, lead, grid, rows=rows, gross=gross, first_need=first_need,
                                  scheduled=scheduled, receipts=receipts, releases=releases, available=available)
        found.extend(level_orders)
        mine = by_parent[edge_ptr[level.start]:edge_ptr[level.stop]]
        if mine.size:
            np.add.at(gross, edges.component[mine], edges.qty[mine, None] * releases[edges.parent[mine]])
            _mark_first_need(first_need, _concat(level_orders), edges, by_parent, edge_ptr, grid)
    orders = _concat(found)
    return Matrices(gross, scheduled, receipts, releases, available), orders


def _mark_first_need(
    first_need: IntArray, orders: PlannedOrderArrays, edges: BomEdges, by_parent: IntArray, edge_ptr: IntArray, grid: Grid
) -> None:
    """A planned order's components are needed on its release day."""
    counts = edge_ptr[orders.item + 1] - edge_ptr[orders.item]
    if not counts.sum():
        return
    order_of = np.repeat(np.arange(orders.item.size), counts)
    first_edge = np.repeat(edge_ptr[orders.item], counts)
    within = np.arange(order_of.size) - np.repeat(np.cumsum(counts) - counts, counts)
    edge = by_parent[first_edge + within]
    day = orders.release_day[order_of]
    np.minimum.at(first_need, (edges.component[edge], grid.bucket_of_days(day)), day)


def _net_level(
    items: ItemArrays,
    lead: LeadTimes,
    grid: Grid,
    *,
    rows: slice,
    gross: FloatArray,
    first_need: IntArray,
    scheduled: FloatArray,
    receipts: FloatArray,
    releases: FloatArray,
    available: FloatArray,
) -> list[PlannedOrderArrays]:
    offset = rows.start
    safety = items.safety_stock[rows]
    on_hand = items.on_hand[rows].copy()
    short_since = np.where(on_hand < safety - EPS, 0, -1)  # day stock fell under safety stock, -1: it has not
    found = []
    for t in range(grid.buckets):
        start = t * grid.bucket_days
        end = start + grid.bucket_days
        before = on_hand + scheduled[rows, t] - gross[rows, t]
        net = safety - before
        short = np.flatnonzero(net > EPS)
        need = np.clip(first_need[rows, t], start, end - 1)
        need = np.where(short_since >= 0, short_since, need)
        if short.size:
            orders = _plan_bucket(items, lead, grid, t=t, local=short, offset=offset, net=net[short], need=need[short])
            if orders.item.size:
                receipts[orders.item, t] = orders.qty
                np.add.at(releases, (orders.item, grid.bucket_of_days(orders.release_day)), orders.qty)
                before[orders.item - offset] += orders.qty
                found.append(orders)
        below = before < safety - EPS
        short_since = np.where(below, np.where(short_since >= 0, short_since, need), -1)
        available[rows, t] = before
        on_hand = before
    return found


def _plan_bucket(
    items: ItemArrays, lead: LeadTimes, grid: Grid, *, t: int, local: IntArray, offset: int, net: FloatArray,
    need: IntArray,
) -> PlannedOrderArrays:
    """Lot-size the net requirements of bucket t and place the orders that can arrive within it."""
    idx = local + offset
    qty = lot_size(net, min_lot=items.min_lot[idx], multiple=items.lot_multiple[idx])
    start = t * grid.bucket_days
    end = start + grid.bucket_days
    wd = lead.working_days(idx, qty)
    ideal = lead.release_day(idx, need, wd)
    due = np.maximum(np.where(ideal >= 0, need, lead.earliest_day(idx, wd)), start)
    ok = due < end
    return PlannedOrderArrays(
        item=idx[ok],
        bucket=np.full(int(ok.sum()), t, dtype=np.int64),
        qty=qty[ok],
        need_day=need[ok],
        due_day=due[ok],
        release_day=np.maximum(lead.release_day(idx[ok], due[ok], wd[ok]), 0),
        working_days=wd[ok],
    )


def _concat(parts: list[PlannedOrderArrays]) -> PlannedOrderArrays:
    names = ["item", "bucket", "qty", "need_day", "due_day", "release_day", "working_days"]
    if not parts:
        empty_int = np.zeros(0, dtype=np.int64)
        return PlannedOrderArrays(empty_int, empty_int, np.zeros(0), empty_int, empty_int, empty_int, empty_int)
    columns = {name: np.concatenate([getattr(p, name) for p in parts]) for name in names}
    return PlannedOrderArrays(**columns)
