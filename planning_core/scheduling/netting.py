"""Which existing supply serves which order: stock, open purchase orders, work orders, new purchases.

Orders take supply in a fixed sequence (rush first, then by due date), each from the
earliest-available supply of the item. A bought item can always be bought more; it
arrives `lead_time_days` calendar days after the as-of date, so receipts arriving
later than that are not worth waiting for. Because every order only uses supply that
has arrived by the time it consumes it, the item-level balance the checker verifies
holds whatever order the schedule then runs things in.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from planning_core.calendars import TimeAxis
from planning_core.model import ItemType, PlantSnapshot, WorkOrderStatus
from planning_core.plan import Purchase, SupplyKind, SupplyUse

EPSILON = 1e-9


@dataclass
class _Lot:
    available_at: int
    qty: float
    kind: SupplyKind
    ref: str | None


class SupplyPool:
    """Unallocated supply per item, earliest first."""

    def __init__(self, snapshot: PlantSnapshot, axis: TimeAxis) -> None:
        self.snapshot = snapshot
        self.axis = axis
        lots: dict[str, list[_Lot]] = defaultdict(list)
        for item_id, qty in snapshot.inventory.items():
            if qty > 0:
                lots[item_id].append(_Lot(0, qty, SupplyKind.STOCK, None))
        for po in snapshot.purchase_orders:
            at = max(round(axis.day_start(po.due_date)), 0)
            lots[po.item_id].append(_Lot(at, po.qty, SupplyKind.RECEIPT, po.po_id))
        for held in snapshot.hold_releases:  # held stock quality expects back: usable from its release date
            assert held.release_date is not None
            at = max(round(axis.day_start(held.release_date)), 0)
            lots[held.item_id].append(_Lot(at, held.qty, SupplyKind.HOLD_RELEASE, None))
        for wo in snapshot.work_orders:
            if wo.status is not WorkOrderStatus.DONE:
                at = max(math.ceil(axis.to_minutes(wo.end) - 1e-6), 0)  # never before the work order ends
                lots[wo.item_id].append(_Lot(at, wo.qty, SupplyKind.WORK_ORDER, wo.wo_id))
        self.lots = {item: sorted(found, key=lambda lot: lot.available_at) for item, found in lots.items()}
        self.purchases: dict[tuple[str, int], float] = defaultdict(float)

    def purchase_arrival(self, item_id: str) -> int:
        lead = self.snapshot.items[item_id].lead_time_days
        return max(round(self.axis.day_start(self.axis.origin_day + timedelta(days=lead))), 0)

    def take(self, item_id: str, qty: float, demand_id: str) -> tuple[list[SupplyUse], float]:
        """Allocate up to `qty` from existing supply; a bought item's shortfall is bought.

        Returns the allocations and what is still missing (to be made)."""
        item = self.snapshot.items[item_id]
        buy = item.type is ItemType.BUY
        latest = self.purchase_arrival(item_id) if buy else None
        uses: list[SupplyUse] = []
        for lot in self.lots.get(item_id, ()):
            if qty <= EPSILON:
                break
            if lot.qty <= EPSILON or (latest is not None and lot.available_at > latest):
                continue
            taken = min(lot.qty, qty)
            lot.qty -= taken
            qty -= taken
            uses.append(SupplyUse(item_id, lot.kind, lot.ref, taken, demand_id, lot.available_at))
        if buy and qty > EPSILON and latest is not None:
            self.purchases[(item_id, latest)] += qty
            uses.append(SupplyUse(item_id, SupplyKind.PURCHASE, None, qty, demand_id, latest))
            qty = 0.0
        return uses, max(qty, 0.0)

    def give_back(self, uses: list[SupplyUse]) -> None:
        """Undo allocations of an order that cannot be scheduled after all."""
        for use in uses:
            if use.kind is SupplyKind.PURCHASE:
                self.purchases[(use.item_id, round(use.available_at))] -= use.qty
                continue
            for lot in self.lots.get(use.item_id, ()):
                if lot.kind is use.kind and lot.ref == use.ref and lot.available_at == use.available_at:
                    lot.qty += use.qty
                    break

    def new_purchases(self) -> tuple[Purchase, ...]:
        return tuple(Purchase(item, qty, float(at)) for (item, at), qty in sorted(self.purchases.items())
                     if qty > EPSILON)
