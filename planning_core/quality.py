"""Quality facts a promise, a review and the KPIs read: complaints, returns, NCRs and held stock.

Pure functions of the snapshot. An event's customer is its `customer_id`, else the customer of
its `order_id`; customers are compared without regard to case ("ACME" is "Acme").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from planning_core.model import HeldStock, PlantSnapshot, QualityEvent, QualityEventKind

LOOKBACK_DAYS = 90  # complaints about an item this recent count in the order review
CUSTOMER_KINDS = (QualityEventKind.COMPLAINT, QualityEventKind.RETURN)


def event_customer(snapshot: PlantSnapshot, event: QualityEvent) -> str | None:
    if event.customer_id:
        return event.customer_id
    order = snapshot.orders_by_id.get(event.order_id or "")
    return order.customer if order is not None else None


def same_customer(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def open_customer_events(snapshot: PlantSnapshot, customer: str | None = None) -> list[QualityEvent]:
    """Open complaints and returns (of `customer`, when given), oldest first."""
    return sorted(
        (e for e in snapshot.quality_events
         if e.is_open and e.kind in CUSTOMER_KINDS and (customer is None or same_customer(event_customer(snapshot, e), customer))),
        key=lambda e: (e.date, e.event_id),
    )


@dataclass(frozen=True)
class ItemSignals:
    """What quality says about an item: open NCRs (any date), complaints of the last 90 days."""

    open_ncrs: int
    recent_complaints: int

    @property
    def any(self) -> bool:
        return bool(self.open_ncrs or self.recent_complaints)


def item_signals(snapshot: PlantSnapshot, item_id: str, as_of: date) -> ItemSignals:
    since = as_of - timedelta(days=LOOKBACK_DAYS)
    events = [e for e in snapshot.quality_events if e.item_id == item_id]
    ncrs = sum(1 for e in events if e.kind is QualityEventKind.NCR and e.is_open)
    complaints = sum(1 for e in events if e.kind is QualityEventKind.COMPLAINT and since <= e.date <= as_of)
    return ItemSignals(ncrs, complaints)


def held_by_item(snapshot: PlantSnapshot) -> dict[str, float]:
    """Units on hold or in quarantine per item."""
    held: dict[str, float] = defaultdict(float)
    for lot in snapshot.held_stock:
        held[lot.item_id] += lot.qty
    return dict(held)


def held_needed(snapshot: PlantSnapshot, item_id: str, qty: float) -> dict[str, float]:
    """Held stock of the items `qty` of `item_id` needs (itself and its bill of materials) where
    the available stock does not cover the need on its own: the promise would like it."""
    held = held_by_item(snapshot)
    return {
        part: held[part]
        for part, need in snapshot.explode(item_id, qty).items()
        if held.get(part, 0.0) > 0 and need > snapshot.inventory.get(part, 0.0) + 1e-9
    }


def with_held_released(snapshot: PlantSnapshot) -> PlantSnapshot:
    """The plant as if quality released every held lot today (what-if for the order review)."""
    inventory = dict(snapshot.inventory)
    for item_id, qty in held_by_item(snapshot).items():
        inventory[item_id] = inventory.get(item_id, 0.0) + qty
    return replace(snapshot, inventory=inventory, held_stock=())


def held_since(snapshot: PlantSnapshot, lot: HeldStock) -> date | None:
    """When a lot went on hold: its `hold_date`, else the oldest open NCR on its item, else unknown."""
    if lot.hold_date is not None:
        return lot.hold_date
    ncrs = [e.date for e in snapshot.quality_events
            if e.item_id == lot.item_id and e.kind is QualityEventKind.NCR and e.is_open]
    return min(ncrs, default=None)
