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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import numpy as np

from planning_core.ctp.explain import Evidence
from planning_core.ctp.grid import FloatArray, IntArray
from planning_core.ctp.layout import bucket_operations, slot_span
from planning_core.ctp.ledger import Claim, Ledger, Occupancy
from planning_core.ctp.model import CtpModel, remaining_qty
from planning_core.model import PlantSnapshot, SalesOrder
from planning_core.plan import Delivery, Operation, Plan, Promise, Purchase

NEW_DEMAND = "NEW"
PLACING = frozenset({"book", "rush", "change", "cancel"})
MAX_MOVED = 60  # committed orders one booking or rush may move to make room  # journal entries that change where an order stands
MIN_HORIZON_DAYS = 28
HORIZON_MARGIN_DAYS = 14  # beyond the last date the data mentions; quotes that need more widen it
MAX_HORIZON_DAYS = 3 * 366


def by_due(order: SalesOrder) -> tuple[date, int, str]:
    """The order in which confirmed orders are committed: earliest due first, rush before normal."""
    return (order.due_date, -order.priority.weight, order.order_id)


def default_horizon(snapshot: PlantSnapshot, as_of: date, *, leaving_out: Collection[str] = ()) -> int:
    """Days the plant is planned ahead: beyond every date its data mentions (orders in
    `leaving_out` aside), so that a state rebuilt with the same journal has the same horizon."""
    days = [MIN_HORIZON_DAYS]
    days += [(o.due_date - as_of).days + HORIZON_MARGIN_DAYS for o in snapshot.open_orders if o.order_id not in leaving_out]
    days += [(po.due_date - as_of).days + HORIZON_MARGIN_DAYS for po in snapshot.purchase_orders]
    days += [(h.release_date - as_of).days + HORIZON_MARGIN_DAYS for h in snapshot.hold_releases if h.release_date]
    days += [item.lead_time_days + HORIZON_MARGIN_DAYS for item in snapshot.items.values()]
    return max(MIN_HORIZON_DAYS, min(max(days), MAX_HORIZON_DAYS))


def planning_horizon(snapshot: PlantSnapshot, as_of: date, *, journal_orders: Collection[str] = ()) -> int:
    """The default horizon leaving the journal's orders out, doubled (as a quote that needs more
    widens it) until it reaches each of their dates: a state whose bookings outgrew its horizon
    is built again with the journal, and every process building it gets the same horizon."""
    days = default_horizon(snapshot, as_of, leaving_out=journal_orders)
    last = max(((o.due_date - as_of).days for o in snapshot.open_orders if o.order_id in journal_orders), default=-1)
    while last >= days and days < MAX_HORIZON_DAYS:
        days = min(2 * days, MAX_HORIZON_DAYS)
    return days


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
    """`journal`: orders committed one by one after the others (bookings and approved changes,
    in the order they happened); the others are committed first, in due-date order. Building a
    state from the same snapshot and journal always gives the same state."""

    outgrown = False  # an order was committed at a day beyond the horizon: build the state again

    def __init__(
        self, snapshot: PlantSnapshot, *, as_of: date, horizon_days: int | None = None,
        journal: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.snapshot = snapshot
        self.as_of = as_of
        later = {order_id for kind, order_id in journal if kind in PLACING}
        days = horizon_days or planning_horizon(snapshot, as_of, journal_orders=later)
        self.model = CtpModel(snapshot, as_of=as_of, days=days)
        m = self.model
        self.ledger = Ledger(snapshot, m.grid, m.network, m.supplies, m.buyable)
        self._pristine: Ledger | None = None
        self.lock = threading.RLock()
        self.due_days = {o.order_id: m.day_of(o.due_date) for o in snapshot.open_orders}
        for order in sorted((o for o in snapshot.open_orders if o.order_id not in later), key=by_due):
            self.hold(order)
        for kind, order_id in journal:
            changed = snapshot.orders_by_id.get(order_id)
            if changed is not None:
                self.apply(kind, changed)
        self.ledger.warm()

    def apply(self, kind: str, order: SalesOrder) -> None:
        """Replay one entry of the order journal: `book` commits the order at its promise, `rush`
        and `change` make it the first priority at its promise, `cancel` releases it (as does
        any entry for an order no longer open); other entries leave its place as it is."""
        if kind not in PLACING:
            return
        if not order.is_open or kind == "cancel":
            self.release(order.order_id)
        elif kind in ("rush", "change"):
            self.rush(order, order.due_date)
        else:
            self.commit(order)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the plant snapshot (the loader has it already): `attach` it after loading."""
        state = dict(self.__dict__)
        del state["lock"]
        state["snapshot"] = None
        state["_pristine"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._pristine = None
        self.lock = threading.RLock()

    def attach(self, snapshot: PlantSnapshot) -> None:
        """The plant this state plans (after loading it, or when bookings have added orders to it)."""
        self.snapshot = self.model.snapshot = self.ledger.snapshot = snapshot
        if self._pristine is not None:
            self._pristine.snapshot = snapshot

    @property
    def version(self) -> int:
        """Changes whenever a claim is held or released."""
        return self.ledger.version

    def pristine(self) -> Ledger:
        """The plant with nothing committed: what a first-priority order could have (a fresh copy,
        the caller may change it)."""
        return self._empty().copy()

    def _empty(self) -> Ledger:
        if self._pristine is None:
            m = self.model
            self._pristine = Ledger(self.snapshot, m.grid, m.network, m.supplies, m.buyable)
        return self._pristine

    # -- committed orders -------------------------------------------------------------------
    def hold(self, order: SalesOrder, *, day: date | None = None) -> Claim | None:
        """Commit a confirmed order at its promise (or `day`), as late as that allows; an order
        that cannot make it is held at the earliest day it can. None: nothing left to make."""
        qty = remaining_qty(order)
        if qty <= 0:
            self.ledger.release(order.order_id)
            return None
        return self.ledger.hold(order.order_id, order.item_id, qty, self.model.day_of(day or order.due_date))

    def commit(self, order: SalesOrder) -> Claim | None:
        """Commit a booked (or changed) order at its promise as every process replays it: as late
        as its day allows; else taking stock or room from committed orders that can be held again
        no later than they stood; else at the earliest day it can be complete."""
        qty = remaining_qty(order)
        self._note_due(order)
        if qty <= 0:
            self.ledger.release(order.order_id)
            return None
        if self.seat(order.order_id, order.item_id, qty, order.due_date):
            return self.ledger.claims[order.order_id]
        return self.hold(order)

    def seat(self, key: str, item_id: str, qty: float, day: date, *, earliest: date | None = None) -> bool:
        """Hold `qty` of `item_id` complete by `day` if the committed plan can make room for it
        without any order later than it stands (applied); False: nothing changed. `earliest`: the
        first answer, when known (a day before it can only be had by making room)."""
        at = self.model.day_of(day)
        ledger = self.ledger
        if ledger.hold_at(key, item_id, qty, at) is not None:
            return True
        if ledger.seat_borrowing(key, item_id, qty, day=at, due_day=self.due_days) is not None:
            return True
        if make_room(ledger, self.pristine(), key=key, item_id=item_id, qty=qty, day=at, due_day=self.due_days,
                     first_priority=False) is not None:
            return True
        return (earliest is None or day >= earliest) and self._seat_as_placed(key, item_id, qty, at)

    def _seat_as_placed(self, key: str, item_id: str, qty: float, at: int) -> bool:
        """Hold the demand as `place` lays a first answer (as early as it can be, borrowing stock
        only where it had to make or buy more) when that is complete by `at`. Laid as late as the
        day allows, the same demand can miss it (it then takes the time of an order whose stock it
        borrowed), so a promised first answer is kept this way; False: nothing changed."""
        ledger = self.ledger
        placed = ledger.place_earliest(key, item_id, qty)
        ledger.undo(placed.entries)
        if placed.day is not None and placed.day <= at:
            ledger.restore(placed)
            return True
        seating = ledger.seat_borrowing(key, item_id, qty, day=None, due_day=self.due_days,
                                        points=self._worth_borrowing(placed))
        if seating is None:
            return False
        if seating.claim.day is not None and seating.claim.day <= at:
            return True
        ledger.unseat(seating)
        return False

    def fits(self, item_id: str, qty: float, day: date, *, earliest: date | None = None) -> bool:
        """Whether a new order could be committed complete by `day` as `commit` would (asked on a
        copy of the ledger: nothing changes). `earliest`: its first answer, when known."""
        self._empty()  # built once, shared with the trial
        trial = object.__new__(PromiseState)  # not copy.copy: that pickles, which leaves the snapshot out
        trial.__dict__.update(self.__dict__)
        trial.ledger = self.ledger.copy()
        trial.due_days = dict(self.due_days)
        return trial.seat(NEW_DEMAND, item_id, qty, day, earliest=earliest)

    def rush(self, order: SalesOrder, day: date) -> list[str]:
        """Make the order the first priority, complete by `day` (an approved rush or change): the
        orders in its way are committed again after it, late where they must be; returns them."""
        self.ledger.release(order.order_id)
        self._note_due(order)
        moved = make_room(self.ledger, self.pristine(), key=order.order_id, item_id=order.item_id,
                          qty=remaining_qty(order), day=self.model.day_of(day), due_day=self.due_days,
                          first_priority=True)
        if moved is None:  # even alone it cannot be complete by then: as early as it can be
            self.hold(order, day=day)
            return []
        return moved

    def _note_due(self, order: SalesOrder) -> None:
        due = self.due_days[order.order_id] = self.model.day_of(order.due_date)
        if due >= self.model.days and self.model.days < MAX_HORIZON_DAYS:
            self.outgrown = True

    def release(self, order_id: str) -> Claim | None:
        self.due_days.pop(order_id, None)
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
        seating = self.ledger.seat_borrowing(key, item_id, qty, day=None, due_day=self.due_days,
                                             points=self._worth_borrowing(placement.claim))
        if seating is None:
            return placement
        try:
            if seating.claim.day is None or seating.claim.day >= placement.day:
                return placement
            return Placement(seating.claim, tuple(c for c in self.ledger.claims.values() if c.key != key),
                             evidence_of(self.ledger, seating.claim))
        finally:
            self.ledger.unseat(seating)

    def _worth_borrowing(self, placed: Claim) -> set[int]:
        """Only stock the demand had to make or buy more of is worth borrowing."""
        network = self.model.network
        short = {network.arcs[m.arc].output for m in placed.made() if network.arcs[m.arc].is_last_step}
        return short | {b.point for b in placed.bought()}

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
        if claim.ready is None:  # all of it at the end of its day
            if claim.day is None:
                return []
            return [Delivery(claim.key, claim.item_id, claim.qty, float(grid.ends[grid.day_last_slot[claim.day]]))]
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
    rows = {ledger.row_of[k] for i in ledger.snapshot.explode(claim.item_id, 1.0) for k in network.arcs_of_item.get(i, ())}
    occupancy = {row: ledger.occupancy(row) for row in rows}
    return Evidence(claim.day, ledger.grid.capacity - ledger.free, bought, partial(_stock_left, lots),
                    partial(_occupants, occupancy, claim.key))


def _occupants(occupancy: dict[int, Occupancy], demand: str, row: int, first: int, last: int) -> list[tuple[str, int]]:
    """The committed orders working on a resource (row) in slots `first`..`last`, and in how many."""
    found = occupancy.get(row)
    return [] if found is None else found.working(first, last, leaving_out=demand)


def _stock_left(lots: dict[int, tuple[IntArray, FloatArray]], point: int, slot: int) -> float:
    """Units of a stock point's lots that arrived by the end of `slot` and are still free."""
    if point not in lots:
        return 0.0
    slots, qty = lots[point]
    return float(np.maximum(qty[slots <= slot], 0.0).sum())


def make_room(
    ledger: Ledger, pristine: Ledger, *, key: str, item_id: str, qty: float, day: int, due_day: dict[str, int],
    first_priority: bool,
) -> list[str] | None:
    """Hold a demand complete by `day`, taking committed orders in its way out and committing them
    again after it in due-date order; returns them (empty: nothing was in the way).

    With `first_priority` (a rush) they may end up late. Otherwise each must be held again no
    later than it stood, else everything is put back and the answer is None.
    """
    if ledger.hold_at(key, item_id, qty, day) is not None:
        return []
    footprint = pristine.hold_at(key, item_id, qty, day)
    if footprint is None:
        return None  # not even with the plant to itself: no room to make
    in_the_way = _in_the_way(ledger, footprint, same_slots=True)
    sharing = _in_the_way(ledger, footprint, same_slots=False)
    # Those in the way, and everyone due after them on the same resources and stock: in due-date
    # order, the first displaced order may in turn displace them.
    first_due = min((due_day.get(k, 0) for k in in_the_way), default=0)
    way = set(in_the_way)
    behind = [k for k in sharing if k in way or due_day.get(k, 0) >= first_due]
    tiers = [_nearest(behind, in_the_way, due_day), _nearest(sharing, in_the_way, due_day)]
    if first_priority and len(ledger.claims) <= MAX_MOVED:
        tiers.append([k for k in ledger.claims if k != key])
    tried: list[set[str]] = []
    for candidates in tiers:
        if set(candidates) in tried:  # the same orders moved again would fail again
            continue
        tried.append(set(candidates))
        taken = [c for c in (ledger.release(k) for k in sorted(candidates)) if c is not None]
        if ledger.hold_at(key, item_id, qty, day) is not None:
            again: list[Claim] = []
            for claim in sorted(taken, key=lambda c: (due_day.get(c.key, c.day or 0), c.key)):
                again.append(ledger.hold(claim.key, claim.item_id, claim.qty, due_day.get(claim.key, claim.day or 0)))
                if not first_priority and _later(again[-1], claim):
                    break
            else:
                return [c.key for c in taken]
            for claim in reversed(again):
                ledger.release(claim.key)
            ledger.release(key)
        for claim in taken:
            ledger.restore(claim)
    return None


def _nearest(candidates: list[str], in_the_way: list[str], due_day: dict[str, int]) -> list[str]:
    """At most MAX_MOVED of them (each moved is held again: the work grows with their number): those in
    the way first, then the earliest due."""
    if len(candidates) <= MAX_MOVED:
        return candidates
    first = set(in_the_way)
    return sorted(candidates, key=lambda k: (k not in first, due_day.get(k, 0), k))[:MAX_MOVED]


def _later(now: Claim, before: Claim) -> bool:
    return before.day is not None and (now.day is None or now.day > before.day)


def _in_the_way(ledger: Ledger, footprint: Claim, *, same_slots: bool) -> list[str]:
    """Committed orders that use what the demand needs: the same resources (in the same slots,
    or at all) or stock of items in its bill of materials."""
    cells: dict[int, list[IntArray]] = {}
    for made in footprint.made():
        cells.setdefault(ledger.row_of[made.arc], []).append(made.slots)
    points = {ledger.network.inventory_point(i) for i in ledger.snapshot.bom_items(footprint.item_id)}
    found: set[str] = set()
    for point in points:
        found |= ledger.holding.get(point, set())
    for row, slots in cells.items():
        if same_slots:
            found.update(ledger.occupancy(row).touching(np.concatenate(slots)))
        else:
            found |= ledger.using.get(row, set())
    found.discard(footprint.key)
    return sorted(found)
