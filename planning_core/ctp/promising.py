"""Quotes and rush analysis in two tiers: a first answer from the ledger, then the exact one.

The *first answer* is the earliest day on the capacity and material the committed
orders leave (`state.PromiseState`): feasible by construction, in milliseconds. The
*exact answer* is the capable-to-promise LP: confirmed orders keep their days, but
nothing is reserved for them by position, so the LP may resequence them to promise
earlier. Seeded with the first answer, it first asks for the day before it, which
settles most quotes in one solve, and then searches below.

Confirmed orders are held to the days the ledger commits them to: their promise, or
the earliest day an order that cannot make its promise can be complete. Small and
medium plants are solved whole; for a plant too large for one LP a quote re-optimises
exactly the part its item touches (its bill of materials and every confirmed order
for those items) on the capacity the rest of the committed plan leaves.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property, partial

import numpy as np

from planning_core.ctp.explain import Evidence, binding_constraints
from planning_core.ctp.grid import FloatArray, IntArray, window
from planning_core.ctp.layout import FlexibleOutcome, build_plan
from planning_core.ctp.ledger import Claim, FromLots, Ledger, Made
from planning_core.ctp.lp import FixedDemand, LateDemand
from planning_core.ctp.model import Completion, CtpModel, remaining_qty
from planning_core.ctp.results import ImpactedOrder, PartialDelivery, Quote, RushImpact
from planning_core.ctp.review import quality_check, review_order
from planning_core.ctp.state import MAX_HORIZON_DAYS, NEW_DEMAND, Placement, PromiseState, by_due, make_room, place_on
from planning_core.model import PlantSnapshot, SalesOrder
from planning_core.plan import Plan
from planning_core.quality import with_held_released

EXACT_LIMIT = 400_000  # LP variables up to which the whole plant is solved at once
COUNTED_UNITS = frozenset({"pcs", "pc", "ea", "each", "unit", "units", "set", "sets", "个", "件", "台", "套", "只"})
MAX_SCOPES = 32
MAX_FLEXIBLE = 400  # confirmed orders one exact answer may move, the latest due of those that compete
NEIGHBOURHOOD_LIMIT = 25_000
RUSH_ROOM_DAYS = 21  # how late a displaced order may be planned in a rush's exact answer  # LP variables of the part of a large plant one exact answer re-optimises


@dataclass(frozen=True)
class Projection:
    """Where confirmed orders stand before anything new is added."""

    fixed: tuple[FixedDemand, ...]  # every confirmed order at the day it will be complete
    projected_day: dict[str, int | None]  # None: cannot be completed within the horizon


@dataclass(frozen=True)
class Neighbourhood:
    """The part of the plant an exact answer re-optimises, and what stays as committed around it."""

    model: CtpModel  # the part's items, on what the rest leaves, over its days
    held: tuple[FixedDemand, ...]  # its confirmed orders, complete by their days, anyhow
    outside: tuple[Claim, ...]  # every other committed order, where it stands


class PromiseEngine:
    """Capable-to-promise answers for one plant state (reuse it while the state holds)."""

    def __init__(
        self, snapshot: PlantSnapshot, *, as_of: date, horizon_days: int | None = None, exact_limit: int = EXACT_LIMIT,
        state: PromiseState | None = None, neighbourhood_limit: int = NEIGHBOURHOOD_LIMIT,
    ) -> None:
        self.state = state or PromiseState(snapshot, as_of=as_of, horizon_days=horizon_days)
        self.as_of = self.state.as_of
        self.model = self.state.model
        self.exact_limit = exact_limit
        self.neighbourhood_limit = neighbourhood_limit
        self.decomposed = self.model.size > exact_limit
        self._scopes: OrderedDict[tuple[str, int, int], Neighbourhood] = OrderedDict()
        self._scope_lock = threading.Lock()

    @property
    def snapshot(self) -> PlantSnapshot:
        """The plant as the state knows it (bookings add orders to it)."""
        return self.state.snapshot

    def _wider(self) -> PromiseEngine | None:
        if self.model.days >= MAX_HORIZON_DAYS:
            return None
        return PromiseEngine(self.snapshot, as_of=self.as_of, exact_limit=self.exact_limit,
                             horizon_days=min(self.model.days * 2, MAX_HORIZON_DAYS))

    # -- confirmed orders ------------------------------------------------------------
    @property
    def projection(self) -> Projection:
        with self.state.lock:
            claims = dict(self.state.ledger.claims)
        fixed = tuple(d for d in (self._held_demand(self.model, c) for c in claims.values()) if d is not None)
        return Projection(fixed, {key: claim.day for key, claim in claims.items()})

    def _held_demand(self, model: CtpModel, claim: Claim) -> FixedDemand | None:
        """A committed order as the LP must keep it: complete by its day, or, when it cannot be
        complete within the horizon, with what it can have by then (its claim stays)."""
        if claim.day is not None:
            return model.fixed_demand(claim.key, claim.item_id, claim.qty, claim.day)
        delivered = claim.delivered
        if delivered <= 1e-9:
            return None
        return model.fixed_demand(claim.key, claim.item_id, delivered, model.days - 1)

    # -- quotes ----------------------------------------------------------------------
    def quote(
        self, *, item_id: str, qty: float, due: date | None = None, exact: bool = True, deadline: float | None = None,
        customer: str | None = None,
    ) -> Quote:
        """The first answer, or (`exact`) the exact one; `deadline` (time.monotonic) bounds the search.
        The order review's quality check looks at `customer`'s open complaints when one is named."""
        answer = self._quote_dates(item_id=item_id, qty=qty, due=due, exact=exact, deadline=deadline)
        quality = quality_check(
            self.snapshot, item_id=item_id, qty=qty, as_of=self.as_of, due=due, promise=answer.promise_date,
            constraints=answer.constraints, customer=customer,
            promise_with_held=partial(self._promise_with_held, item_id, qty),
        )
        return replace(answer, review=replace(answer.review, quality=quality))

    def _promise_with_held(self, item_id: str, qty: float) -> date | None:
        """The first answer were every held lot released today (only asked when held stock could
        save a late promise)."""
        freed = PromiseEngine(with_held_released(self.snapshot), as_of=self.as_of, horizon_days=self.model.days)
        return freed.quote(item_id=item_id, qty=qty, exact=False).promise_date

    def _quote_dates(
        self, *, item_id: str, qty: float, due: date | None, exact: bool, deadline: float | None
    ) -> Quote:
        with self.state.lock:
            placement = self.state.place(item_id, qty)
        if placement.day is None and self.snapshot.is_makeable(item_id):
            wider = self._wider()
            if wider is not None:
                return wider._quote_dates(item_id=item_id, qty=qty, due=due, exact=exact, deadline=deadline)
        first = self._first_quote(placement, item_id=item_id, qty=qty, due=due)
        if placement.day is None or placement.day == 0:
            return first  # nothing can be earlier (or it can never be made): already exact
        if not exact or (deadline is not None and time.monotonic() >= deadline):
            return replace(first, exact=False)
        part = self.neighbourhood(item_id, placement.day)
        fixed = list(part.held)
        search = part.model.earliest_below(fixed, key=NEW_DEMAND, item_id=item_id, qty=qty, below=placement.day,
                                           deadline=deadline)
        if search.earlier is None:
            return replace(first, exact=search.finished)
        done = search.earlier
        plan = partial(self._plan, part, done, fixed, FlexibleOutcome(NEW_DEMAND, item_id, qty, done.day))
        evidence = Evidence.of_solution(part.model, done)
        return self._quote(evidence, item_id=item_id, qty=qty, due=due, plan=plan, shipped=done.solution.shipped,
                           model=part.model, exact=search.finished, first_day=placement.day)

    def _first_quote(self, placement: Placement, *, item_id: str, qty: float, due: date | None) -> Quote:
        plan = partial(self.state.plan, (*placement.committed, placement.claim))
        grid = self.model.grid
        ready = placement.claim.ready
        if ready is None:  # all of it at the end of its day
            ready = np.zeros(grid.slots)
            if placement.day is not None:
                ready[int(grid.day_last_slot[placement.day]):] = qty
        shipped = np.diff(np.minimum(ready, qty)[grid.day_last_slot], prepend=0.0)
        return self._quote(placement.evidence, item_id=item_id, qty=qty, due=due, plan=plan, shipped=shipped,
                           model=self.model, exact=True, first_day=None)

    def _quote(self, evidence: Evidence, *, item_id: str, qty: float, due: date | None, plan: Callable[[], Plan],
               shipped: FloatArray,
               model: CtpModel, exact: bool, first_day: int | None) -> Quote:
        constraints = binding_constraints(self.snapshot, model, evidence, item_id=item_id, qty=qty)
        return Quote(
            item_id=item_id,
            qty=qty,
            as_of=self.as_of,
            due_date=due,
            promise_date=model.date_of(evidence.day) if evidence.day is not None else None,
            partial=self._partial(evidence.day, shipped, item_id, qty),
            constraints=constraints,
            review=review_order(self.snapshot, model, evidence.day, item_id=item_id, qty=qty, due=due,
                                constraints=constraints, evidence=evidence),
            plan_source=plan,
            exact=exact,
            first_answer_date=None if first_day is None else model.date_of(first_day),
        )

    def _plan(self, part: Neighbourhood, done: Completion, fixed: list[FixedDemand],
              flexible: FlexibleOutcome | None) -> Plan:
        m = part.model
        plan = build_plan(self.snapshot, m.grid, m.network, done.solution, fixed=fixed, flexible=flexible)
        rest = self.state.plan(part.outside)
        return Plan(self.model.grid.axis, plan.operations + rest.operations, plan.purchases + rest.purchases,
                    plan.deliveries + rest.deliveries, (), plan.promises + rest.promises)

    def _partial(self, day: int | None, shipped: FloatArray, item_id: str, qty: float) -> tuple[PartialDelivery, ...]:
        if day is None:
            return ()
        whole = self.snapshot.items[item_id].uom.casefold() in COUNTED_UNITS
        result: list[PartialDelivery] = []
        delivered = cumulative = 0.0
        for d, units in enumerate(shipped[: day + 1].tolist()):
            cumulative += units
            ready = float(int(cumulative + 1e-6)) if whole else round(cumulative, 3)
            if d == day:
                ready = qty  # the promise is the day the last unit is ready
            if ready - delivered > 1e-9:
                result.append(PartialDelivery(ready - delivered, self.model.date_of(d)))
                delivered = ready
        return tuple(result)

    # -- the part an exact answer re-optimises ----------------------------------------
    def neighbourhood(self, item_id: str, day: int) -> Neighbourhood:
        """The confirmed orders a demand for `item_id` complete before `day` competes with, freed
        from their places on the committed plan (held to their days only), on what everything
        else leaves, over the days up to `day`.

        Those orders are the ones complete by `day` that take time on a resource the demand's
        bill of materials may use, or stock of one of its items. The others keep their places:
        they share nothing with the demand, or are due later and already held as late as their
        day allows, which is all the room they can make. On a small plant that is often every
        order; on a large one, the few hundred that matter.
        """
        key = (item_id, day, self.state.version)
        with self._scope_lock:
            if key in self._scopes:
                self._scopes.move_to_end(key)
                return self._scopes[key]
        part = self._cut(item_id, day)
        with self._scope_lock:
            self._scopes[key] = part
            while len(self._scopes) > MAX_SCOPES:
                self._scopes.popitem(last=False)
        return part

    @staticmethod
    def _competing(claims: dict[str, Claim], holders: set[str], users: set[str], day: int) -> list[Claim]:
        """Who competes with a demand due before `day`, most directly first: orders holding stock of
        its items; orders using its resources and complete by then, latest first (their work lies
        where the demand's would); then those complete later, earliest first."""
        held = sorted((claims[k] for k in holders if claims[k].day is not None), key=lambda c: (c.day, c.key))
        using = [claims[k] for k in users if claims[k].day is not None]
        before = sorted((c for c in using if c.day is not None and c.day <= day), key=lambda c: (-(c.day or 0), c.key))
        after = sorted((c for c in using if c.day is not None and c.day > day), key=lambda c: (c.day, c.key))
        return held + before + after

    def _within_limit(self, competing: list[Claim], items: set[str], day: int) -> list[Claim]:
        """As many of the competing orders, in order, as keep the LP within `neighbourhood_limit` variables."""
        meter = _SizeMeter(self, items)
        chosen: list[Claim] = []
        too_large: set[tuple[str, int]] = set()  # (item, day) found too large since the part last grew
        for claim in competing:
            if len(chosen) >= MAX_FLEXIBLE:
                break
            last_day = max(day, claim.day or 0)
            if (claim.item_id, last_day) in too_large:
                continue
            more = self.snapshot.bom_items(claim.item_id) - meter.items
            if meter.size(last_day, more) > self.neighbourhood_limit:
                too_large.add((claim.item_id, last_day))
                continue
            chosen.append(claim)
            if more:
                meter.add(more)
                too_large.clear()
            day = last_day
        return chosen

    @cached_property
    def _working_slots(self) -> IntArray:
        """Working slots of each resource up to each slot."""
        working: IntArray = np.cumsum(self.model.grid.capacity > 1e-9, axis=1)
        return working

    def _item_size(self, item_id: str, last: int) -> int:
        """LP variables of one item up to slot `last`: a stock point per routing step (or one) per
        slot, and a flow variable per working slot of each resource its steps use."""
        key = (item_id, last)
        size = self._item_sizes.get(key)
        if size is None:
            grid, network = self.model.grid, self.model.network
            points = len(self.snapshot.routing_of.get(item_id, ())) or 1
            arcs = sum(int(self._working_slots[grid.resource_index[network.arcs[k].resource_id], last])
                       for k in network.arcs_of_item.get(item_id, ()))
            size = self._item_sizes[key] = points * (last + 1) + arcs
        return size

    @cached_property
    def _item_sizes(self) -> dict[tuple[str, int], int]:
        return {}

    def _cut(self, item_id: str, day: int) -> Neighbourhood:
        m, network = self.model, self.model.network
        bom = self.snapshot.explode(item_id, 1.0)
        rows = {m.grid.resource_index[network.arcs[k].resource_id] for i in bom for k in network.arcs_of_item.get(i, ())}
        points = {network.inventory_point(i) for i in bom}
        with self.state.lock:
            ledger = self.state.ledger
            holders: set[str] = set()
            for point in points:
                holders |= ledger.holding.get(point, set())
            users: set[str] = set()
            for row in rows:
                users |= ledger.using.get(row, set())
            flexible = self._within_limit(self._competing(ledger.claims, holders, users - holders, day), set(bom), day)
            return self._part(ledger, flexible, set(bom), day)

    def _part(self, ledger: Ledger, flexible: list[Claim], items: set[str], day: int) -> Neighbourhood:
        """`flexible` freed from their places (held to their days) on what every other claim leaves, over
        the days up to `day` and theirs, for the items of `items` and of theirs (the caller holds the lock)."""
        m, network = self.model, self.model.network
        free = ledger.free.copy()
        lots = {p: (ledger.lot_slot[p], ledger.lot_qty[p].copy()) for p in ledger.lot_slot}
        freed = {f.key for f in flexible}
        outside = tuple(c for c in ledger.claims.values() if c.key not in freed)
        items = set(items)
        units: dict[int, float] = defaultdict(float)
        minutes: dict[int, float] = defaultdict(float)
        for claim in flexible:
            items |= self.snapshot.explode(claim.item_id, 1.0).keys()
            for entry in claim.entries:
                if isinstance(entry, FromLots):
                    lots[entry.point][1][entry.lots] += entry.units
                elif isinstance(entry, Made):
                    free[entry.row, entry.slots] += entry.minutes
                    units[entry.arc] += float(entry.units.sum())
                    minutes[entry.arc] += float(entry.minutes.sum())
        per_unit = {
            (network.arcs[k].item_id, network.arcs[k].step, network.arcs[k].resource_id): minutes[k] / total
            for k, total in units.items() if total > 1e-9
        }
        days = min(max([day, *(c.day for c in flexible if c.day is not None)]) + 1, m.days)
        grid = window(m.grid, days, capacity=np.maximum(free, 0.0))
        supplies = tuple(
            (network.points[p][0], slot, qty)
            for p, (slots, left) in lots.items() if network.points[p][0] in items
            for slot, qty in zip(slots.tolist(), left.tolist(), strict=True) if qty > 1e-9 and slot < grid.slots
        )
        part = CtpModel(self.snapshot, as_of=self.as_of, days=days, grid=grid, items=frozenset(items),
                        supplies=supplies, minutes_per_unit=per_unit)
        held = tuple(part.fixed_demand(c.key, c.item_id, c.qty, c.day) for c in flexible if c.day is not None)
        return Neighbourhood(part, held, outside)

    # -- rush ------------------------------------------------------------------------
    def rush(
        self, *, due: date, order: SalesOrder | None = None, item_id: str | None = None, qty: float | None = None,
        exact: bool = True, deadline: float | None = None,
    ) -> RushImpact:
        """What making this order the first priority does to everyone else.

        The rushed order is promised its due date when it can make it with nothing else
        planned, else its earliest day. On the committed plan, the orders in its way are
        taken out, it is held to that day, and they are committed again in due-date order
        (the first answer). The exact answer re-plans those orders in one LP, as little
        late as they can be, with everyone else held to their days.
        """
        if order is not None:
            item_id, qty, key = order.item_id, remaining_qty(order), order.order_id
        elif item_id is None or qty is None:
            raise ValueError("a rush needs an order, or an item and a quantity")
        else:
            key = NEW_DEMAND
        alone = place_on(self.state.pristine(), item_id, qty, key=key)
        if alone.day is None:
            wider = self._wider() if self.snapshot.is_makeable(item_id) else None
            if wider is not None:
                return wider.rush(due=due, order=order, item_id=item_id, qty=qty, exact=exact, deadline=deadline)
            return RushImpact(key if order else None, item_id, qty, self.as_of, due, None, (), (), None)
        promise_day = max(alone.day, self.model.day_of(due))
        with self.state.lock:
            ledger = self.state.ledger.copy()
        before = {k: c.day for k, c in ledger.claims.items()}
        if order is not None:
            ledger.release(order.order_id)
        made_room = make_room(ledger, self.state.pristine(), key=key, item_id=item_id, qty=qty, day=promise_day,
                              due_day=self.state.due_days, first_priority=True)
        moved = made_room or []
        if made_room is None:  # too many orders in the way to move them all: as early as it can be among them
            held = ledger.hold(key, item_id, qty, promise_day)
            promise_day = held.day if held.day is not None else promise_day
        constraints = binding_constraints(self.snapshot, self.model, alone.evidence, item_id=item_id, qty=qty)
        others = {o.order_id: o for o in self.snapshot.open_orders if o.order_id != key}
        after = {k: ledger.claims[k].day if k in ledger.claims else None for k in moved}
        first = RushImpact(key if order else None, item_id, qty, self.as_of, due, self.model.date_of(promise_day),
                           self._impacted(others, before, after), constraints,
                           partial(self.state.plan, tuple(ledger.claims.values())),
                           exact=made_room is not None and not moved)
        if not exact or not moved:
            return first
        return self._rush_exact(first, key=key, item_id=item_id, qty=qty, promise_day=promise_day,
                                moved=[others[k] for k in moved if k in others], before=before, deadline=deadline)

    def _rush_exact(self, first: RushImpact, *, key: str, item_id: str, qty: float, promise_day: int,
                    moved: list[SalesOrder], before: dict[str, int | None], deadline: float | None) -> RushImpact:
        """The orders the rush displaces, re-planned together in one LP, as little late as they can be,
        on what every other order leaves (the rushed order held to its day, ahead of them)."""
        if not moved or (deadline is not None and time.monotonic() >= deadline):
            return first
        later = [d for d in (self._after(first, o) for o in moved) if d is not None]
        horizon = max([promise_day, *later, *(b for b in (before.get(o.order_id) for o in moved) if b is not None)])
        with self.state.lock:
            ledger = self.state.ledger
            flexible = [ledger.claims[o.order_id] for o in moved if o.order_id in ledger.claims]
            if key in ledger.claims:
                flexible.append(ledger.claims[key])
            if self._size(flexible, item_id, horizon + RUSH_ROOM_DAYS) > 2 * self.neighbourhood_limit:
                return first  # too many orders to re-plan at once: the first answer stands, said to be one
            part = self._part(ledger, flexible, set(self.snapshot.explode(item_id, 1.0)), horizon + RUSH_ROOM_DAYS)
        m = part.model
        moving = {o.order_id for o in moved}
        held = [d for d in part.held if d.key not in moving and d.key != key]
        rushed = m.fixed_demand(key, item_id, qty, promise_day)
        ranked = sorted(moved, key=by_due)
        late = [
            LateDemand(o.order_id, m.network.inventory_point(o.item_id), remaining_qty(o),
                       max(m.day_of(o.due_date), before.get(o.order_id) or 0),
                       o.priority.weight * (1.0 + 0.01 * (len(ranked) - rank) / len(ranked)))
            for rank, o in enumerate(ranked)
        ]
        time_limit = None if deadline is None else deadline - time.monotonic()
        if time_limit is not None and time_limit <= 0:
            return first
        shipped = m.lateness([*held, rushed], late, time_limit=time_limit)
        if shipped is None:
            return first
        after: dict[str, int | None] = {}
        for demand in late:
            days = np.flatnonzero(shipped[demand.key] > 1e-6 * max(1.0, demand.qty))
            after[demand.key] = int(days[-1]) if len(days) else 0
        fixed = [*held, rushed,
                 *(m.fixed_demand(o.order_id, o.item_id, remaining_qty(o), after[o.order_id] or 0) for o in moved)]
        solution = m.solve_fixed(fixed)
        if not solution.feasible:
            return first
        done = Completion(promise_day, solution, {})
        plan = partial(self._plan, part, done, fixed, None)
        return replace(first, impacted=self._impacted({o.order_id: o for o in moved}, before, after), plan_source=plan,
                       exact=True)

    def _after(self, first: RushImpact, order: SalesOrder) -> int | None:
        """Where the first answer put an order the rush moved (its day, when it was listed)."""
        for impacted in first.impacted:
            if impacted.order_id == order.order_id and impacted.projected_date is not None:
                return self.model.day_of(impacted.projected_date)
        return None

    def _size(self, claims: list[Claim], item_id: str, day: int) -> int:
        """About how many LP variables a part of these orders and this item over `day` days has."""
        items = set(self.snapshot.bom_items(item_id))
        for claim in claims:
            items |= self.snapshot.bom_items(claim.item_id)
        return _SizeMeter(self, items).size(day)

    def _impacted(self, orders: dict[str, SalesOrder], before: dict[str, int | None],
                  after: dict[str, int | None]) -> tuple[ImpactedOrder, ...]:
        """Orders that would now be complete later than both their promise and where they stood."""
        result = []
        for order_id, now in after.items():
            order = orders.get(order_id)
            was = before.get(order_id)
            if order is None or was is None:
                continue  # could not be completed before the rush either
            if now is None or now > max(was, self.model.day_of(order.due_date)):
                result.append(ImpactedOrder(order.order_id, order.customer, order.item_id, remaining_qty(order),
                                            order.due_date, None if now is None else self.model.date_of(now)))
        return tuple(sorted(result, key=lambda i: (i.promised_date, i.order_id)))


class _SizeMeter:
    """The size (LP variables) of a part of the plant as items are added to it: each item counts a
    stock point per routing step and a flow variable per working slot of each resource it uses."""

    def __init__(self, engine: PromiseEngine, items: set[str]) -> None:
        self._engine = engine
        self.items: set[str] = set()
        self._sizes: dict[int, int] = {}  # last slot → size of `items` up to it
        self.add(items)

    def add(self, items: Iterable[str]) -> None:
        self.items.update(items)
        self._sizes.clear()

    def size(self, day: int, more: Iterable[str] = ()) -> int:
        """Its size up to the end of `day`, were the items `more` (not yet in it) added too."""
        grid = self._engine.model.grid
        last = int(grid.day_last_slot[min(day, grid.days - 1)])
        size = self._sizes.get(last)
        if size is None:
            size = self._sizes[last] = sum(self._engine._item_size(i, last) for i in self.items)
        return size + sum(self._engine._item_size(i, last) for i in more)
