"""What an MRP run returns: planned orders, pegged shortages, exception messages and the MRP record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from planning_core.model import ItemType, PlantSnapshot
from planning_core.mrp.grid import BucketSize, Grid
from planning_core.mrp.netting import Matrices


class MessageKind(StrEnum):
    RELEASE_NOW = "release_now"  # a planned order to release in the first bucket
    PAST_DUE = "past_due"  # a planned order that should have been released before today
    OVERDUE_RECEIPT = "overdue_receipt"  # an open PO or work order due before today
    EXPEDITE = "expedite"  # an open PO needed before its due date
    PUSH_OUT = "push_out"  # an open PO not needed until after its due date
    CANCEL = "cancel"  # an open PO not needed within the horizon
    BELOW_SAFETY_STOCK = "below_safety_stock"  # stock dips under safety stock (no stock-out)
    NO_ROUTING = "no_routing"  # a made item without routing: planned with no lead time
    NO_CAPACITY = "no_capacity"  # a made item whose calendar has no working time in the horizon


@dataclass(frozen=True)
class MrpParams:
    as_of: date
    horizon_days: int = 90
    bucket: BucketSize = BucketSize.DAY
    use_forecast: bool = True


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    item_id: str
    qty: float
    type: ItemType
    release_date: date
    due_date: date  # usable from 00:00 of this day
    need_date: date  # first day of the bucket whose requirement it covers
    lead_time_days: int  # working days (calendar days for bought items)
    past_due: bool  # should have been released before the as-of date

    def to_json(self) -> dict[str, object]:
        return {
            "item_id": self.item_id, "qty": rounded(self.qty), "type": self.type.value,
            "release_date": self.release_date.isoformat(), "due_date": self.due_date.isoformat(),
            "need_date": self.need_date.isoformat(), "lead_time_days": self.lead_time_days,
            "past_due": self.past_due,
        }


@dataclass(frozen=True, slots=True)
class Shortage:
    """Projected stock of an item below zero from `date` (until the day before `until`)."""

    item_id: str
    date: datetime.date
    qty: float  # the deepest shortfall in the period
    orders: tuple[str, ...]  # open sales orders whose demand falls in the period (directly or via parents)
    until: datetime.date | None  # first day it is covered again; None: not within the horizon
    forecast: bool = False  # forecast demand is hurt too

    def to_json(self) -> dict[str, object]:
        return {
            "item_id": self.item_id, "date": self.date.isoformat(), "qty": rounded(self.qty),
            "orders": list(self.orders), "until": self.until.isoformat() if self.until else None,
            "forecast": self.forecast,
        }


@dataclass(frozen=True, slots=True)
class MrpMessage:
    kind: MessageKind
    item_id: str
    ref: str | None  # PO or work order id; None for planned orders
    detail: str
    date: datetime.date | None = None  # the date the message proposes (release, new due date)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value, "item_id": self.item_id, "ref": self.ref, "detail": self.detail,
            "date": self.date.isoformat() if self.date else None,
        }


@dataclass(frozen=True)
class MrpResult:
    params: MrpParams
    grid: Grid
    item_ids: list[str]
    planned_orders: tuple[PlannedOrder, ...]
    shortages: tuple[Shortage, ...]
    messages: tuple[MrpMessage, ...]
    matrices: Matrices = field(repr=False)

    def to_json(self) -> dict[str, object]:
        return {
            "as_of": self.params.as_of.isoformat(),
            "horizon_days": self.params.horizon_days,
            "bucket": self.params.bucket.value,
            "horizon_end": self.grid.date_of(self.grid.days - 1).isoformat(),  # the horizon in whole buckets
            "planned_orders": [p.to_json() for p in self.planned_orders],
            "shortages": [s.to_json() for s in self.shortages],
            "exceptions": [m.to_json() for m in self.messages],
        }

    def planned_orders_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.to_json() for p in self.planned_orders], columns=list(_PLANNED_COLUMNS))

    def shortages_frame(self) -> pd.DataFrame:
        rows = [{**s.to_json(), "orders": " ".join(s.orders)} for s in self.shortages]
        return pd.DataFrame(rows, columns=["item_id", "date", "qty", "orders", "until", "forecast"])

    def messages_frame(self) -> pd.DataFrame:
        return pd.DataFrame([m.to_json() for m in self.messages], columns=["kind", "item_id", "ref", "detail", "date"])

    def record_frame(self, *, active_only: bool = True) -> pd.DataFrame:
        """The MRP record in long form: one row per item and bucket."""
        m = self.matrices
        n, t = m.gross.shape
        frame = pd.DataFrame({
            "item_id": np.repeat(np.asarray(self.item_ids, dtype=object), t),
            "bucket_start": np.tile([self.grid.bucket_start(b).isoformat() for b in range(t)], n),
            "gross_requirements": m.gross.ravel(),
            "scheduled_receipts": m.scheduled.ravel(),
            "planned_receipts": m.planned_receipts.ravel(),
            "projected_available": m.available.ravel(),
            "planned_releases": m.planned_releases.ravel(),
        })
        if active_only:
            busy = (m.gross != 0).any(axis=1) | (m.scheduled != 0).any(axis=1) | (m.planned_receipts != 0).any(axis=1)
            frame = frame[np.repeat(busy, t)]
        return frame.reset_index(drop=True)


_PLANNED_COLUMNS = ("item_id", "qty", "type", "release_date", "due_date", "need_date", "lead_time_days", "past_due")


def shortage_line(shortage: Shortage, snapshot: PlantSnapshot) -> str:
    """"Casing casting short 480 pcs on 2027-01-05 → A-1 Acme, A-2 Beta Water"."""
    item = snapshot.items[shortage.item_id]
    hurt = [f"{o} {snapshot.orders_by_id[o].customer}" for o in shortage.orders if o in snapshot.orders_by_id]
    if shortage.forecast:
        hurt.append("forecast")
    tail = f" → {', '.join(hurt)}" if hurt else " (no open order affected: safety stock or lot sizes)"
    return f"{item.name} short {rounded(shortage.qty)} {item.uom} on {shortage.date.isoformat()}{tail}"


def rounded(value: float) -> float | int:
    rounded = round(float(value), 4)
    return int(rounded) if rounded.is_integer() else rounded
