"""Plant snapshot → the arrays and tables the MRP netting works on.

Items are ordered by low-level code (then id) so each BOM level is one contiguous
slice; every array indexed by item follows that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

import numpy as np
import numpy.typing as npt
import pandas as pd

from planning_core.model import ForecastEntry, ItemType, OrderStatus, PlantSnapshot, WorkOrderStatus
from planning_core.mrp.grid import BoolArray, FloatArray, Grid, IntArray

DEFAULT_FORECAST_PERIOD_DAYS = 7


@dataclass(frozen=True)
class Level:
    code: int
    start: int
    stop: int


@dataclass(frozen=True)
class ItemArrays:
    ids: list[str]
    index: dict[str, int]
    levels: tuple[Level, ...]
    is_make: BoolArray
    on_hand: FloatArray
    safety_stock: FloatArray
    min_lot: FloatArray
    lot_multiple: FloatArray


@dataclass(frozen=True)
class BomEdges:
    """One row per BOM line: parent and component index, component needed per parent unit (with scrap)."""

    parent: IntArray
    component: IntArray
    qty: FloatArray


def item_arrays(snapshot: PlantSnapshot) -> ItemArrays:
    codes = snapshot.low_level_codes
    ids = sorted(snapshot.items, key=lambda i: (codes[i], i))
    items = [snapshot.items[i] for i in ids]
    level_of = np.array([codes[i] for i in ids], dtype=np.int64)
    levels = []
    for code in np.unique(level_of):
        where = np.flatnonzero(level_of == code)
        levels.append(Level(int(code), int(where[0]), int(where[-1]) + 1))
    return ItemArrays(
        ids=ids,
        index={item_id: k for k, item_id in enumerate(ids)},
        levels=tuple(levels),
        is_make=np.array([i.type is ItemType.MAKE for i in items], dtype=bool),
        on_hand=np.array([snapshot.inventory.get(i, 0.0) for i in ids], dtype=np.float64),
        safety_stock=np.array([i.safety_stock for i in items], dtype=np.float64),
        min_lot=np.array([i.min_lot for i in items], dtype=np.float64),
        lot_multiple=np.array([i.lot_multiple for i in items], dtype=np.float64),
    )


def bom_edges(snapshot: PlantSnapshot, index: dict[str, int]) -> BomEdges:
    lines = snapshot.bom
    return BomEdges(
        parent=np.array([index[b.parent_id] for b in lines], dtype=np.int64),
        component=np.array([index[b.component_id] for b in lines], dtype=np.int64),
        # a component goes into every unit the parent's first step starts (more than it finishes below 100% yield)
        qty=np.array([b.gross_qty_per * snapshot.started_per_good(b.parent_id) for b in lines], dtype=np.float64),
    )


HOLD_RELEASE_REF = "hold_release"

DEMAND_COLUMNS = ["item", "day", "qty", "order_id", "kind", "need_day"]  # need_day: the requirement's own date


@dataclass(frozen=True, slots=True)
class Receipt:
    """An open purchase order, work order or held stock released on a date: usable from day `day`
    (negative: overdue)."""

    item: int
    day: int
    qty: float
    ref: str
    kind: str  # "po", "wo" or "hold"
    due_date: date


def order_demand(snapshot: PlantSnapshot, grid: Grid, index: dict[str, int]) -> pd.DataFrame:
    """Remaining quantity of open confirmed orders at their due date D.

    Day indexes mean "usable from 00:00 of that day". A made item finished at any time
    of D ships on D (CONTRACT §3), so its order needs the goods by 00:00 of D + 1; a bought
    item sold as it is must have arrived by 00:00 of D. A past-due order needs them now.
    """
    rows = []
    for order in snapshot.open_orders:
        remaining = order.qty - order.shipped_qty if order.shipped_qty is not None else order.qty
        made = snapshot.items[order.item_id].type is ItemType.MAKE
        day = grid.day_index(order.due_date) + (1 if made else 0)
        if remaining > 0 and day < grid.days:
            due = max(grid.day_index(order.due_date), 0)
            rows.append((index[order.item_id], max(day, 0), remaining, order.order_id, "order", due))
    return pd.DataFrame(rows, columns=DEMAND_COLUMNS)


def forecast_demand(snapshot: PlantSnapshot, grid: Grid, index: dict[str, int]) -> pd.DataFrame:
    """Forecast left after consumption by orders due in the same forecast period.

    A forecast period runs from its `period_start` to the item's next `period_start`
    (the last one lasts as long as the one before it, or 7 days). Confirmed and shipped
    orders due in the period consume it. A period that has ended by the as-of date is
    dropped; the rest of the current period is needed at once (day 0).
    """
    if not snapshot.forecast:
        return pd.DataFrame(columns=DEMAND_COLUMNS)
    fc = forecast_periods(snapshot.forecast)
    fc["consumed"] = _consumption(snapshot, fc)
    fc["net"] = (fc["qty"] - fc["consumed"]).clip(lower=0.0)
    as_of = pd.Timestamp(grid.as_of)
    fc = fc[(fc["end"] > as_of) & (fc["net"] > 0)]
    day = (fc["start"] - as_of).dt.days.clip(lower=0)
    fc = fc.assign(day=day)[day < grid.days]
    return pd.DataFrame({
        "item": fc["item_id"].map(index).astype(np.int64),
        "day": fc["day"].astype(np.int64),
        "qty": fc["net"].astype(np.float64),
        "order_id": None,
        "kind": "forecast",
        "need_day": fc["day"].astype(np.int64),
    })


_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def datetimes(days: Sequence[date]) -> npt.NDArray[np.datetime64]:
    """Dates as a datetime64[ns] array, without building a Timestamp per date."""
    ordinals = np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days))
    return (ordinals - _UNIX_EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[ns]")


def forecast_periods(forecast: Sequence[ForecastEntry]) -> pd.DataFrame:
    """Forecast rows with their periods: item_id, start, end (exclusive, Timestamps) and qty."""
    fc = pd.DataFrame({
        "item_id": [f.item_id for f in forecast],
        "start": datetimes([f.period_start for f in forecast]),
        "qty": np.array([f.qty for f in forecast], dtype=np.float64),
    }).sort_values(["item_id", "start"], ignore_index=True)
    fc["end"] = _period_ends(fc)
    return fc


def _period_ends(fc: pd.DataFrame) -> pd.Series:
    following = fc.groupby("item_id")["start"].shift(-1)
    previous_length = fc["start"] - fc.groupby("item_id")["start"].shift(1)
    default = pd.Timedelta(days=DEFAULT_FORECAST_PERIOD_DAYS)
    return following.fillna(fc["start"] + previous_length.fillna(default))


def _consumption(snapshot: PlantSnapshot, fc: pd.DataFrame) -> pd.Series:
    counted = [o for o in snapshot.sales_orders if o.status in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED)]
    orders = pd.DataFrame({
        "item_id": [o.item_id for o in counted],
        "due": datetimes([o.due_date for o in counted]),
        "qty": np.array([o.qty for o in counted], dtype=np.float64),
    })
    if orders.empty:
        return pd.Series(0.0, index=fc.index)
    periods = fc.reset_index(names="period")[["period", "item_id", "start", "end"]]
    matched = pd.merge_asof(
        orders.sort_values("due"), periods.sort_values("start"),
        left_on="due", right_on="start", by="item_id", direction="backward",
    )
    matched = matched[matched["period"].notna() & (matched["due"] < matched["end"])]
    consumed = matched.groupby("period")["qty"].sum()
    return pd.Series(consumed.reindex(fc.index, fill_value=0.0).to_numpy(dtype=np.float64), index=fc.index)


def scheduled_receipts(snapshot: PlantSnapshot, grid: Grid, index: dict[str, int]) -> list[Receipt]:
    """Open purchase orders from their due date, released and running work orders from their end.

    A work order ending during a day counts from the next day's 00:00 (its components were
    issued when it was released, so it adds no requirements).
    """
    rows = [Receipt(index[po.item_id], grid.day_index(po.due_date), po.qty, po.po_id, "po", po.due_date)
            for po in snapshot.purchase_orders]
    # held stock quality expects to release: a receipt on its release date (other held stock is not counted)
    rows += [Receipt(index[h.item_id], grid.day_index(h.release_date), h.qty, HOLD_RELEASE_REF, "hold", h.release_date)
             for h in snapshot.hold_releases if h.release_date is not None]
    for wo in snapshot.work_orders:
        if wo.status is not WorkOrderStatus.DONE:
            end = wo.end.date()
            day = grid.day_index(end) + (0 if wo.end.time() == time(0) else 1)
            rows.append(Receipt(index[wo.item_id], day, wo.qty, wo.wo_id, "wo", end))
    return sorted((r for r in rows if r.day < grid.days), key=lambda r: (r.item, r.day, r.ref))


def receipts_frame(receipts: list[Receipt]) -> pd.DataFrame:
    return pd.DataFrame(
        {"item": [r.item for r in receipts], "day": [r.day for r in receipts], "qty": [r.qty for r in receipts]}
    )


def first_day_matrix(frame: pd.DataFrame, grid: Grid, n_items: int) -> IntArray:
    """First requirement day per item and bucket; `grid.days` where the bucket has none."""
    matrix = np.full((n_items, grid.buckets), grid.days, dtype=np.int64)
    if len(frame):
        days = np.maximum(frame["day"].to_numpy(dtype=np.int64), 0)
        np.minimum.at(matrix, (frame["item"].to_numpy(dtype=np.int64), grid.bucket_of_days(days)), days)
    return matrix


def to_matrix(frame: pd.DataFrame, grid: Grid, n_items: int) -> FloatArray:
    """Sum `qty` per item and bucket (days before the as-of date count in the first bucket)."""
    matrix = np.zeros((n_items, grid.buckets), dtype=np.float64)
    if len(frame):
        buckets = grid.bucket_of_days(frame["day"].to_numpy(dtype=np.int64))
        np.add.at(matrix, (frame["item"].to_numpy(dtype=np.int64), buckets), frame["qty"].to_numpy(dtype=np.float64))
    return matrix
