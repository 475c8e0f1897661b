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


# -- quality KPIs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldLine:
    item_id: str
    qty: float
    status: str  # hold, quarantine, or both ("hold+quarantine")
    oldest_days: int | None  # age of the oldest lot (None: not known)
    release_date: date | None  # the earliest expected release

    def to_json(self) -> dict[str, object]:
        return {"item_id": self.item_id, "qty": self.qty, "status": self.status, "oldest_days": self.oldest_days,
                "release_date": self.release_date.isoformat() if self.release_date else None}


@dataclass(frozen=True)
class RateLine:
    """Complaints and returns raised in the window against what shipped in it."""

    key: str  # a customer or an item
    complaints: int
    returns: int
    shipped_qty: float

    @property
    def per_1000(self) -> float | None:
        """Complaints and returns per 1,000 units shipped (None: nothing shipped)."""
        return round((self.complaints + self.returns) * 1000 / self.shipped_qty, 2) if self.shipped_qty > 0 else None

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "complaints": self.complaints, "returns": self.returns,
                "shipped_qty": self.shipped_qty, "per_1000_shipped": self.per_1000}


@dataclass(frozen=True)
class QualityKpis:
    """First-pass yield, complaint and return rates, held stock and open NCRs as of a date.

    - First-pass yield of an item: the share of the units its first step starts that come out good
      at the last (the product of its steps' yields). Of a resource: good units out over units
      started on it for the open orders' remaining quantities (each step's started units counted on
      every resource that can run it); a resource no open order loads: the plain mean of its steps'.
    - Rates: complaints and returns dated in the window of `window_days` days ending on the as-of
      date, per 1,000 units shipped in that window (`shipped_qty`, else `qty`), by customer and item.
    - Held stock: units on hold or in quarantine per item, the oldest lot's age in days.
    - Open NCRs: non-conformances not yet closed, oldest first.
    """

    as_of: date
    window_days: int
    item_yield: dict[str, float]
    resource_yield: dict[str, float]
    by_customer: tuple[RateLine, ...]
    by_item: tuple[RateLine, ...]
    held: tuple[HeldLine, ...]
    open_ncrs: tuple[QualityEvent, ...]
    open_complaints: tuple[QualityEvent, ...]

    @property
    def held_qty(self) -> float:
        return sum(line.qty for line in self.held)

    def to_json(self) -> dict[str, object]:
        return {
            "window_days": self.window_days,
            "first_pass_yield": {"items": self.item_yield, "resources": self.resource_yield},
            "complaints_per_1000_shipped": {
                "customers": [line.to_json() for line in self.by_customer],
                "items": [line.to_json() for line in self.by_item],
            },
            "held_stock_qty": self.held_qty,
            "held_stock": [line.to_json() for line in self.held],
            "open_ncrs": len(self.open_ncrs),
            "open_complaints": len(self.open_complaints),
            "details": {
                "open_ncrs": [event_json(e, self.as_of) for e in self.open_ncrs],
                "open_complaints": [event_json(e, self.as_of) for e in self.open_complaints],
            },
        }


def event_json(e: QualityEvent, as_of: date) -> dict[str, object]:
    return {"event_id": e.event_id, "date": e.date.isoformat(), "kind": e.kind.value, "item_id": e.item_id,
            "order_id": e.order_id, "customer_id": e.customer_id, "qty": e.qty, "status": e.status.value,
            "note": e.note, "age_days": (as_of - e.date).days}


def quality_kpis(snapshot: PlantSnapshot, *, as_of: date, window_days: int = LOOKBACK_DAYS) -> QualityKpis:
    return QualityKpis(
        as_of=as_of,
        window_days=window_days,
        item_yield=_item_yields(snapshot),
        resource_yield=_resource_yields(snapshot),
        by_customer=_rates(snapshot, as_of, window_days, by_customer=True),
        by_item=_rates(snapshot, as_of, window_days, by_customer=False),
        held=_held_lines(snapshot, as_of),
        open_ncrs=tuple(sorted((e for e in snapshot.quality_events if e.is_open and e.kind is QualityEventKind.NCR),
                               key=lambda e: (e.date, e.event_id))),
        open_complaints=tuple(open_customer_events(snapshot)),
    )


def _item_yields(snapshot: PlantSnapshot) -> dict[str, float]:
    return {item_id: round(1.0 / snapshot.started_per_good(item_id), 4) for item_id in sorted(snapshot.routing_of)}


def _resource_yields(snapshot: PlantSnapshot) -> dict[str, float]:
    started: dict[str, float] = defaultdict(float)
    good: dict[str, float] = defaultdict(float)
    for order in snapshot.open_orders:
        left = max(order.qty - (order.shipped_qty or 0.0), 0.0)
        for item_id, need in snapshot.explode(order.item_id, left).items():
            for step in snapshot.routing_of.get(item_id, ()):
                units = need * snapshot.started_per_good(item_id, step.step)
                for resource_id in step.resource_ids:
                    started[resource_id] += units
                    good[resource_id] += units * step.yield_fraction
    plain: dict[str, list[float]] = defaultdict(list)
    for step in snapshot.routings:
        for resource_id in step.resource_ids:
            plain[resource_id].append(step.yield_fraction)
    return {
        r: round(good[r] / started[r] if started.get(r, 0.0) > 0 else sum(ys) / len(ys), 4)
        for r, ys in sorted(plain.items())
    }


def _rates(snapshot: PlantSnapshot, as_of: date, days: int, *, by_customer: bool) -> tuple[RateLine, ...]:
    """Only customers (or items) with a complaint or return in the window are listed."""
    first = as_of - timedelta(days=days)
    names: dict[str, str] = {}  # customers compared without case, named as the orders spell them

    def key_of(name: str) -> str:
        key = name.strip().casefold() if by_customer else name
        names.setdefault(key, name)
        return key

    shipped: dict[str, float] = defaultdict(float)
    for order in snapshot.sales_orders:
        if order.shipped_date is not None and first < order.shipped_date <= as_of:
            qty = order.shipped_qty if order.shipped_qty is not None else order.qty
            shipped[key_of(order.customer if by_customer else order.item_id)] += qty
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in snapshot.quality_events:
        if e.kind in CUSTOMER_KINDS and first < e.date <= as_of:
            key = key_of((event_customer(snapshot, e) or "?") if by_customer else e.item_id)
            counts[key][0 if e.kind is QualityEventKind.COMPLAINT else 1] += 1
    lines = [RateLine(names[k], c, r, shipped.get(k, 0.0)) for k, (c, r) in counts.items()]
    return tuple(sorted(lines, key=lambda line: (-(line.per_1000 or float("inf")), line.key)))


def _held_lines(snapshot: PlantSnapshot, as_of: date) -> tuple[HeldLine, ...]:
    lots: dict[str, list[HeldStock]] = defaultdict(list)
    for lot in snapshot.held_stock:
        lots[lot.item_id].append(lot)
    lines = []
    for item_id, held in sorted(lots.items()):
        since = [d for d in (held_since(snapshot, lot) for lot in held) if d is not None]
        releases = [lot.release_date for lot in held if lot.releases and lot.release_date is not None]
        statuses = "+".join(sorted({lot.status.value for lot in held}))
        lines.append(HeldLine(item_id, sum(lot.qty for lot in held), statuses,
                              (as_of - min(since)).days if since else None, min(releases, default=None)))
    return tuple(lines)
