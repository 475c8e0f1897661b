"""`run_mrp`: the time-phased material plan of a plant snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning_core.model import ItemType, PlantSnapshot
from planning_core.mrp.grid import BoolArray, Grid
from planning_core.mrp.inputs import (
    DEMAND_COLUMNS,
    bom_edges,
    first_day_matrix,
    forecast_demand,
    item_arrays,
    order_demand,
    receipts_frame,
    scheduled_receipts,
    to_matrix,
)
from planning_core.mrp.leadtime import lead_times
from planning_core.mrp.messages import planned_order_messages, receipt_messages, stock_messages
from planning_core.mrp.netting import PlannedOrderArrays, net_all_levels
from planning_core.mrp.pegging import Pegger, find_shortages
from planning_core.mrp.results import MrpParams, MrpResult, PlannedOrder, Shortage


def run_mrp(snapshot: PlantSnapshot, params: MrpParams) -> MrpResult:
    """Net requirements level by level (low-level codes) and report what to do about them."""
    grid = Grid.build(params.as_of, horizon_days=params.horizon_days, bucket=params.bucket)
    items = item_arrays(snapshot)
    edges = bom_edges(snapshot, items.index)
    lead = lead_times(snapshot, grid, items.ids)
    demand = order_demand(snapshot, grid, items.index)
    if params.use_forecast:
        demand = _concat([demand, forecast_demand(snapshot, grid, items.index)])
    receipts = scheduled_receipts(snapshot, grid, items.index)
    n = len(items.ids)
    matrices, arrays = net_all_levels(
        items, edges, lead, grid,
        gross=to_matrix(demand, grid, n),
        first_need=first_day_matrix(demand, grid, n),
        scheduled=to_matrix(receipts_frame(receipts), grid, n),
    )
    planned = _planned_orders(arrays, items.ids, grid, snapshot, items.is_make)
    pegger = Pegger(edges=edges, orders=arrays, demand=demand, available=matrices.available, grid=grid)
    shortages = [_by_due_date(s, snapshot) for s in find_shortages(pegger, matrices.available, grid, items.ids)]
    messages = [
        *planned_order_messages(planned, grid, snapshot),
        *receipt_messages(receipts, items, matrices, grid, snapshot),
        *stock_messages(items, lead, matrices, grid, snapshot),
    ]
    return MrpResult(
        params=params,
        grid=grid,
        item_ids=items.ids,
        planned_orders=tuple(planned),
        shortages=tuple(sorted(shortages, key=lambda s: (s.date, s.item_id))),
        messages=tuple(messages),
        matrices=matrices,
    )


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=DEMAND_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _planned_orders(
    arrays: PlannedOrderArrays, ids: list[str], grid: Grid, snapshot: PlantSnapshot, is_make: BoolArray
) -> list[PlannedOrder]:
    """Planned orders with user-facing dates.

    Internally a receipt on day d is usable from 00:00 of d. A bought item's due date is
    that arrival day; a made item's due date is the day its production completes (d - 1,
    or d when it takes no working time), the day it can ship, as CONTRACT §3 counts it.
    """
    order = np.lexsort((arrays.due_day, arrays.item))
    item = arrays.item[order]
    shift = (is_make[item] & (arrays.working_days[order] > 0)).astype(np.int64)
    due = np.maximum(arrays.due_day[order] - shift, 0)
    need = np.maximum(arrays.need_day[order] - shift, 0)
    dates = [grid.date_of(d) for d in range(grid.days + 1)]
    types = [ItemType.MAKE if make else ItemType.BUY for make in is_make.tolist()]
    columns = zip(
        item.tolist(), arrays.qty[order].tolist(), arrays.release_day[order].tolist(), due.tolist(), need.tolist(),
        arrays.working_days[order].tolist(), (due > need).tolist(), strict=True,
    )
    return [
        PlannedOrder(ids[i], qty, types[i], dates[release], dates[d], dates[n], lead, late)
        for i, qty, release, d, n, lead, late in columns
    ]


def _by_due_date(shortage: Shortage, snapshot: PlantSnapshot) -> Shortage:
    orders = sorted(shortage.orders, key=lambda o: (snapshot.orders_by_id[o].due_date, o))
    return Shortage(shortage.item_id, shortage.date, shortage.qty, tuple(orders), shortage.until, shortage.forecast)



