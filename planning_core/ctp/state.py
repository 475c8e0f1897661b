"""The resident promise state of one plant: compiled once, then kept current order by order.

`PromiseState` holds the plant compiled for capable-to-promise (slot grid, flow network,
receipts) and the committed-capacity ledger with every confirmed order's claim. It
answers the *first* tier of a quote in milliseconds (the earliest day on what the
committed orders leave, feasible by construction) and is changed incrementally: holding
a booked order, releasing a cancelled one. A data change (import) builds a new state.

Nothing here locks: callers that share a state between threads hold `state.lock`
around every call (the service layer does).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, partial

import numpy as np

from planning_core.ctp.explain import Evidence
from planning_core.ctp.grid import FloatArray, IntArray
from planning_core.ctp.layout import bucket_operations, slot_span
from planning_core.ctp.ledger import Claim, Ledger
from planning_core.ctp.model import CtpModel, remaining_qty
from planning_core.model import PlantSnapshot, SalesOrder
from planning_core.plan import Delivery, Operation, Plan, Promise, Purchase

NEW_DEMAND = "NEW"
MIN_HORIZON_DAYS = 28
HORIZON_MARGIN_DAYS = 14  # beyond the last date the data mentions; quotes that need more widen it
MAX_HORIZON_DAYS = 3 * 366


def by_due(order: SalesOrder) -> tuple[date, int, str]:
    """The order in which confirmed orders are committed: earliest due first, rush before normal."""
    return (order.due_date, -order.priority.weight, order.order_id)


def default_horizon(snapshot: PlantSnapshot, as_of: date) -> int:
    days = [MIN_HORIZON_DAYS]
    days += [(o.due_date - as_of).days + HORIZON_MARGIN_DAYS for o in snapshot.open_orders]
    days += [(po.due_date - as_of).days + HORIZON_MARGIN_DAYS for po in snapshot.purchase_orders]
    days += [item.lead_time_days + HORIZON_MARGIN_DAYS for item in snapshot.items.values()]
    return max(MIN_HORIZON_DAYS, min(max(days), MAX_HORIZON_DAYS))


@dataclass(frozen=True)
class Placement:
    """A demand placed on the ledger (and taken back): its claim, everything committed beside
    it, and what the plan shows with it in place."""

    claim: Claim
    committed: tuple[Claim, ...]
    evidence: Evidence

    @property
    def day(self) -> int | None:
        return self.claim.day


class PromiseState:
    def __init__(self, snapshot: PlantSnapshot, *, as_of: date, horizon_days: int | None = None) -> None:
        self.snapshot = snapshot
        self.as_of = as_of
        self.model = CtpModel(snapshot, as_of=as_of, days=horizon_days or default_horizon(snapshot, as_of))
        m = self.model
        self.ledger = Ledger(snapshot, m.grid, m.network, m.supplies, m.buyable)
        self.lock = threading.RLock()
        for order in sorted(snapshot.open_orders, key=by_due):
            self.hold(order)

    @property
    def version(self) -> int:
        """Changes whenever a claim is held or released."""
        return self.ledger.version

    def pristine(self) -> Ledger:
        """The plant with nothing committed: what a first-priority order could have."""
        m = self.model
        return Ledger(self.snapshot, m.grid, m.network, m.supplies, m.buyable)

    # -- committed orders -------------------------------------------------------------------
    def hold(self, order: SalesOrder, *, day: date | None = None) -> Claim | None:
        """Commit a confirmed order at its promise (or `day`), as late as that allows; an order
        that cannot make it is held at the earliest day it can. None: nothing left to make."""
        qty = remaining_qty(order)
        if qty <= 0:
            self.ledger.release(order.order_id)
            return None
        return self.ledger.hold(order.order_id, order.item_id, qty, self.model.day_of(day or order.due_date))

    def hold_exactly(self, order: SalesOrder, day: date) -> Claim | None:
        """Commit the order complete by `day` only if that fits as things stand (else change nothing)."""
        return self.ledger.hold_at(order.order_id, order.item_id, remaining_qty(order), self.model.day_of(day))

    def release(self, order_id: str) -> Claim | None:
        return self.ledger.release(order_id)

    @property
    def projected_day(self) -> dict[str, int | None]:
        """The day each confirmed order will be complete on the committed plan (None: not within the horizon)."""
        return {key: claim.day for key, claim in self.ledger.claims.items()}

    # -- first answers ------------------------------------------------------------------------
    def place(self, item_id: str, qty: float, *, key: str = NEW_DEMAND) -> Placement:
        """The earliest the committed orders leave room for `qty` of `item_id`, and the plan
        that shows it (feasible by construction). The ledger is left as it was.

        Committed orders hold stock only by their day, not by position: when taking stock
        they hold (and holding them again on later supply, no later than they stood) makes
        the demand earlier, that is the answer."""
        placement = place_on(self.ledger, item_id, qty, key=key)
        if placement.day is None or placement.day == 0:
            return placement
        # Only stock the demand had to make or buy more of is worth borrowing.
        network = self.model.network
        short = {network.arcs[m.arc].output for m in placement.claim.made() if network.arcs[m.arc].is_last_step}
        short |= {b.point for b in placement.claim.bought()}
        seating = self.ledger.seat_borrowing(key, item_id, qty, day=None, due_day=self._due_days, points=short)
        if seating is None:
            return placement
        try:
            if seating.claim.day is None or seating.claim.day >= placement.day:
                return placement
            return Placement(seating.claim, tuple(c for c in self.ledger.claims.values() if c.key != key),
                             evidence_of(self.ledger, seating.claim))
        finally:
            self.ledger.unseat(seating)

    @cached_property
    def _due_days(self) -> dict[str, int]:
        return {o.order_id: self.model.day_of(o.due_date) for o in self.snapshot.open_orders}

    def fits_by(self, item_id: str, qty: float, day: int, *, key: str = NEW_DEMAND) -> Claim | None:
        """The claim that makes `qty` complete by the end of `day` on what is left (taken back), or None."""
        claim = self.ledger.hold_at(key, item_id, qty, day)
        if claim is not None:
            self.ledger.release(key)
        return claim

    # -- plans -------------------------------------------------------------------------------
    def plan(self, claims: Iterable[Claim]) -> Plan:
        """The claims as a timed plan the independent checker can validate."""
        m = self.model
        grid, network = m.grid, m.network
        operations: list[Operation] = []
        purchases: list[Purchase] = []
        deliveries: list[Delivery] = []
        promises: list[Promise] = []
        for claim in claims:
            for made in claim.made():
                arc = network.arcs[made.arc]
                for slot, units, minutes in zip(made.slots.tolist(), made.units.tolist(), made.minutes.tolist(),
                                                strict=True):
                    operations.extend(bucket_operations(arc, slot_span(grid, slot), units, minutes, demand_id=claim.key))
            for bought in claim.bought():
                purchases.append(Purchase(network.points[bought.point][0], bought.units, float(grid.starts[bought.slot])))
            deliveries.extend(self._deliveries(claim))
            if claim.day is not None:
                promises.append(Promise(claim.key, claim.item_id, claim.qty, m.date_of(claim.day)))
        return Plan(grid.axis, tuple(sorted(operations, key=lambda op: (op.start, op.resource_id, op.item_id, op.step))),
                    tuple(purchases), tuple(deliveries), (), tuple(promises))

    def _deliveries(self, claim: Claim) -> list[Delivery]:
        """Units handed over at the end of each day they are ready, up to the claim's quantity."""
        grid = self.model.grid
        if claim.ready is None:
            return []
        ready = np.minimum(claim.ready, claim.qty)
        by_day = ready[grid.day_last_slot[grid.day_last_slot >= 0]]
        days = np.flatnonzero(grid.day_last_slot >= 0)
        handed = np.diff(by_day, prepend=0.0)
        return [
            Delivery(claim.key, claim.item_id, float(units), float(grid.ends[grid.day_last_slot[day]]))
            for day, units in zip(days.tolist(), handed.tolist(), strict=True) if units > 1e-9
        ]

    def date_of(self, day: int | None) -> date | None:
        return None if day is None else self.as_of + timedelta(days=day)


def place_on(ledger: Ledger, item_id: str, qty: float, *, key: str = NEW_DEMAND) -> Placement:
    """Place a demand as early as possible on `ledger`, read the evidence, and take it back."""
    claim = ledger.place_earliest(key, item_id, qty)
    try:
        evidence = evidence_of(ledger, claim)
    finally:
        ledger.undo(claim.entries)  # the placement was a what-if
    return Placement(claim, tuple(ledger.claims.values()), evidence)


def evidence_of(ledger: Ledger, claim: Claim) -> Evidence:
    """What the ledger shows with `claim` in place (read while it is)."""
    network = ledger.network
    lots = {
        point: (ledger.lot_slot[point], ledger.lot_qty[point].copy())
        for point in (network.inventory_point(i) for i in ledger.snapshot.explode(claim.item_id, 1.0))
        if point in ledger.lot_slot
    }
    bought: dict[int, float] = {}
    for purchase in claim.bought():
        bought[purchase.point] = bought.get(purchase.point, 0.0) + purchase.units
    return Evidence(claim.day, ledger.grid.capacity - ledger.free, bought, partial(_stock_left, lots))


def _stock_left(lots: dict[int, tuple[IntArray, FloatArray]], point: int, slot: int) -> float:
    """Units of a stock point's lots that arrived by the end of `slot` and are still free."""
    if point not in lots:
        return 0.0
    slots, qty = lots[point]
    return float(np.maximum(qty[slots <= slot], 0.0).sum())
