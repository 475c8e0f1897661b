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
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from planning_core.ctp.explain import Evidence, binding_constraints
from planning_core.ctp.grid import FloatArray, IntArray
from planning_core.ctp.layout import FlexibleOutcome, bucket_operations, build_plan, slot_span
from planning_core.ctp.ledger import Bought, Claim, FromLots, Ledger, Taken
from planning_core.ctp.lp import FixedDemand, LateDemand
from planning_core.ctp.model import Completion, CtpModel, explode, remaining_qty
from planning_core.ctp.results import ImpactedOrder, PartialDelivery, Quote, RushImpact
from planning_core.ctp.review import review_order
from planning_core.ctp.state import MAX_HORIZON_DAYS, NEW_DEMAND, Placement, PromiseState, by_due, place_on
from planning_core.model import PlantSnapshot, SalesOrder
from planning_core.plan import Delivery, Operation, Plan, Promise, Purchase

EXACT_LIMIT = 400_000  # LP variables up to which the whole plant is solved at once
COUNTED_UNITS = frozenset({"pcs", "pc", "ea", "each", "unit", "units", "set", "sets", "个", "件", "台", "套", "只"})
MAX_SCOPES = 32


@dataclass(frozen=True)
class Projection:
    """Where confirmed orders stand before anything new is added."""

    fixed: tuple[FixedDemand, ...]  # every confirmed order at the day it will be complete
    projected_day: dict[str, int | None]  # None: cannot be completed within the horizon


@dataclass(frozen=True)
class Scope:
    """The part of the plant an exact answer re-optimises, and what stays fixed around it."""

    model: CtpModel
    base: tuple[FixedDemand, ...]  # material the fixed rest of the plant takes from this part
    orders: tuple[SalesOrder, ...]  # confirmed orders inside the part
    background: Plan | None  # the fixed rest, merged into every plan (None: nothing fixed)


@dataclass
class _ItemShare:
    """One item's share of the committed plan (for cutting a part out of a large plant)."""

    used: list[tuple[int, IntArray, FloatArray]]  # (resource row, slots, minutes)
    operations: list[Operation]
    taken_by: list[tuple[str, int, float]]  # (consuming item, slot, units)
    purchases: list[Purchase]
    deliveries: list[Delivery]
    promises: list[Promise]


class PromiseEngine:
    """Capable-to-promise answers for one plant state (reuse it while the state holds)."""

    def __init__(
        self, snapshot: PlantSnapshot, *, as_of: date, horizon_days: int | None = None, exact_limit: int = EXACT_LIMIT,
        state: PromiseState | None = None,
    ) -> None:
        self.state = state or PromiseState(snapshot, as_of=as_of, horizon_days=horizon_days)
        self.snapshot = self.state.snapshot
        self.as_of = self.state.as_of
        self.model = self.state.model
        self.exact_limit = exact_limit
        self.decomposed = self.model.size > exact_limit
        self._scopes: OrderedDict[tuple[frozenset[str], int], Scope] = OrderedDict()
        self._scope_lock = threading.Lock()

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

    def _held(self, model: CtpModel, orders: tuple[SalesOrder, ...]) -> list[FixedDemand]:
        with self.state.lock:
            claims = [self.state.ledger.claims.get(o.order_id) for o in orders]
        return [d for d in (self._held_demand(model, c) for c in claims if c is not None) if d is not None]

    # -- quotes ----------------------------------------------------------------------
    def quote(
        self, *, item_id: str, qty: float, due: date | None = None, exact: bool = True, deadline: float | None = None
    ) -> Quote:
        """The first answer, or (`exact`) the exact one; `deadline` (time.monotonic) bounds the search."""
        with self.state.lock:
            placement = self.state.place(item_id, qty)
        if placement.day is None and self.snapshot.is_makeable(item_id):
            wider = self._wider()
            if wider is not None:
                return wider.quote(item_id=item_id, qty=qty, due=due, exact=exact, deadline=deadline)
        first = self._first_quote(placement, item_id=item_id, qty=qty, due=due)
        if placement.day is None or placement.day == 0:
            return first  # nothing can be earlier (or it can never be made): already exact
        if not exact:
            return replace(first, exact=False)
        scope = self.scope(item_id)
        fixed = [*scope.base, *self._held(scope.model, scope.orders)]
        search = scope.model.earliest_below(fixed, key=NEW_DEMAND, item_id=item_id, qty=qty, below=placement.day,
                                            deadline=deadline)
        if search.earlier is None:
            return replace(first, exact=search.finished)
        done = search.earlier
        plan = self._plan(scope, done, fixed, FlexibleOutcome(NEW_DEMAND, item_id, qty, done.day))
        evidence = Evidence.of_solution(scope.model, done)
        return self._quote(evidence, item_id=item_id, qty=qty, due=due, plan=plan, shipped=done.solution.shipped,
                           model=scope.model, exact=search.finished, first_day=placement.day)

    def _first_quote(self, placement: Placement, *, item_id: str, qty: float, due: date | None) -> Quote:
        plan = self.state.plan((*placement.committed, placement.claim))
        ready = placement.claim.ready if placement.claim.ready is not None else np.zeros(self.model.grid.slots)
        grid = self.model.grid
        shipped = np.diff(np.minimum(ready, qty)[grid.day_last_slot], prepend=0.0)
        return self._quote(placement.evidence, item_id=item_id, qty=qty, due=due, plan=plan, shipped=shipped,
                           model=self.model, exact=True, first_day=None)

    def _quote(self, evidence: Evidence, *, item_id: str, qty: float, due: date | None, plan: Plan, shipped: FloatArray,
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
                                constraints=constraints),
            plan=plan,
            exact=exact,
            first_answer_date=None if first_day is None else model.date_of(first_day),
        )

    def _plan(self, scope: Scope, done: Completion, fixed: list[FixedDemand], flexible: FlexibleOutcome | None) -> Plan:
        m = scope.model
        plan = build_plan(self.snapshot, m.grid, m.network, done.solution, fixed=fixed, flexible=flexible)
        if scope.background is None:
            return plan
        b = scope.background
        return Plan(plan.axis, plan.operations + b.operations, plan.purchases + b.purchases,
                    plan.deliveries + b.deliveries, (), plan.promises + b.promises)

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

    # -- scopes --------------------------------------------------------------------
    def scope(self, item_id: str) -> Scope:
        if not self.decomposed:
            return Scope(self.model, (), tuple(self.snapshot.open_orders), None)
        items = frozenset(explode(self.snapshot, item_id, 1.0))
        key = (items, self.state.version)
        with self._scope_lock:
            if key in self._scopes:
                self._scopes.move_to_end(key)
                return self._scopes[key]
        scope = self._cut(items)
        with self._scope_lock:
            self._scopes[key] = scope
            while len(self._scopes) > MAX_SCOPES:
                self._scopes.popitem(last=False)
        return scope

    def _cut(self, items: frozenset[str]) -> Scope:
        """The part of the committed plan made of `items`, re-optimised on what the rest leaves.

        The part's confirmed orders stay flexible (they may be resequenced), each of its
        routing steps costing what the ledger found per unit. Should that not fit (set-ups
        spread differently), the part is a model with no room: the first answer stands.
        """
        m, grid = self.model, self.model.grid
        with self.state.lock:
            claims = list(self.state.ledger.claims.values())
        shares = self._shares(claims)
        used = np.zeros_like(grid.capacity)
        for item_id, share in shares.items():
            if item_id not in items:
                for row, slots, minutes in share.used:
                    np.add.at(used[row], slots, minutes)
        residual = replace(grid, capacity=np.maximum(grid.capacity - used, 0.0))
        part = CtpModel(self.snapshot, as_of=self.as_of, days=m.days, grid=residual, items=items,
                        minutes_per_unit=self._minutes_per_unit(claims, items))
        takes: dict[tuple[str, int], float] = defaultdict(float)
        for component in items & shares.keys():
            for consumer, slot, qty in shares[component].taken_by:
                if consumer not in items:
                    takes[(component, slot)] += qty
        base = tuple(
            FixedDemand(f"used-by:{component}", part.network.inventory_point(component), qty, int(grid.day[slot]), slot)
            for (component, slot), qty in sorted(takes.items())
        )
        inside = tuple(o for o in self.snapshot.open_orders if o.item_id in items)
        kept = [share for item_id, share in shares.items() if item_id not in items]
        background = Plan(
            grid.axis,
            tuple(op for share in kept for op in share.operations),
            tuple(p for share in kept for p in share.purchases),
            tuple(d for share in kept for d in share.deliveries),
            (),
            tuple(p for share in kept for p in share.promises),
        )
        return Scope(part, base, inside, background)

    def _shares(self, claims: list[Claim]) -> dict[str, _ItemShare]:
        m, grid = self.model, self.model.grid
        shares: dict[str, _ItemShare] = defaultdict(lambda: _ItemShare([], [], [], [], [], []))
        for claim in claims:
            for made in claim.made():
                arc = m.network.arcs[made.arc]
                share = shares[arc.item_id]
                share.used.append((grid.resource_index[arc.resource_id], made.slots, made.minutes))
                for slot, units, minutes in zip(made.slots.tolist(), made.units.tolist(), made.minutes.tolist(),
                                                strict=True):
                    share.operations.extend(
                        bucket_operations(arc, slot_span(grid, slot), units, minutes, demand_id=claim.key))
                    if arc.step_index == 0:
                        for point, per_unit in arc.inputs:
                            shares[m.network.points[point][0]].taken_by.append((arc.item_id, slot, units * per_unit))
            for bought in claim.bought():
                item_id = m.network.points[bought.point][0]
                shares[item_id].purchases.append(Purchase(item_id, bought.units, float(grid.starts[bought.slot])))
            share = shares[claim.item_id]
            share.deliveries.extend(self.state.plan([claim]).deliveries)
            if claim.day is not None:
                share.promises.append(Promise(claim.key, claim.item_id, claim.qty, m.date_of(claim.day)))
        return dict(shares)

    def _minutes_per_unit(self, claims: list[Claim], items: frozenset[str]) -> dict[tuple[str, int, str], float]:
        """Per routing step and resource, the minutes a unit of the committed orders takes."""
        units: dict[int, float] = defaultdict(float)
        minutes: dict[int, float] = defaultdict(float)
        for claim in claims:
            for made in claim.made():
                if self.model.network.arcs[made.arc].item_id in items:
                    units[made.arc] += float(made.units.sum())
                    minutes[made.arc] += float(made.minutes.sum())
        result = {}
        for k, total in units.items():
            arc = self.model.network.arcs[k]
            if total > 1e-9:
                result[(arc.item_id, arc.step, arc.resource_id)] = minutes[k] / total
        return result

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
        due_day = {o.order_id: self.model.day_of(o.due_date) for o in self.snapshot.open_orders}
        moved = _reseat(ledger, self.state.pristine(), key=key, item_id=item_id, qty=qty, day=promise_day,
                        due_day=due_day, rushed=order)
        constraints = binding_constraints(self.snapshot, self.model, alone.evidence, item_id=item_id, qty=qty)
        others = {o.order_id: o for o in self.snapshot.open_orders if o.order_id != key}
        after = {k: ledger.claims[k].day if k in ledger.claims else None for k in moved}
        first = RushImpact(key if order else None, item_id, qty, self.as_of, due, self.model.date_of(promise_day),
                           self._impacted(others, before, after), constraints, self.state.plan(ledger.claims.values()),
                           exact=not moved)
        if not exact or not moved or self.decomposed:
            return first
        return self._rush_exact(first, key=key, item_id=item_id, qty=qty, promise_day=promise_day,
                                moved=[others[k] for k in moved if k in others], before=before, deadline=deadline)

    def _rush_exact(self, first: RushImpact, *, key: str, item_id: str, qty: float, promise_day: int,
                    moved: list[SalesOrder], before: dict[str, int | None], deadline: float | None) -> RushImpact:
        """The orders the rush displaces, re-planned together in one LP, as little late as they can be."""
        m = self.model
        moving = {o.order_id for o in moved}
        held = [d for d in self.projection.fixed if d.key not in moving and d.key != key]
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
        plan = build_plan(self.snapshot, m.grid, m.network, solution, fixed=fixed, flexible=None)
        return replace(first, impacted=self._impacted({o.order_id: o for o in moved}, before, after), plan=plan,
                       exact=True)

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


def _reseat(ledger: Ledger, pristine: Ledger, *, key: str, item_id: str, qty: float, day: int,
            due_day: dict[str, int], rushed: SalesOrder | None) -> list[str]:
    """Hold the rushed demand complete by `day` ahead of everyone; returns the orders that had to
    make room, committed again after it in due-date order (late where they must be)."""
    if rushed is not None:
        ledger.release(rushed.order_id)
    if ledger.hold_at(key, item_id, qty, day) is not None:
        return []
    footprint = pristine.hold_at(key, item_id, qty, day) or pristine.place_earliest(key, item_id, qty)
    in_the_way = _in_the_way(ledger, footprint, item_id, same_slots=True)
    sharing = _in_the_way(ledger, footprint, item_id, same_slots=False)
    # Those in the way, and everyone due after them on the same resources and stock: in due-date
    # order, the first displaced order may in turn displace them.
    first_due = min((due_day.get(k, 0) for k in in_the_way), default=0)
    behind = [k for k in sharing if k in in_the_way or due_day.get(k, 0) >= first_due]
    for candidates in (behind, sharing, [k for k in ledger.claims if k != key]):
        taken = [c for c in (ledger.release(k) for k in candidates) if c is not None]
        if ledger.hold_at(key, item_id, qty, day) is not None:
            for claim in sorted(taken, key=lambda c: (due_day.get(c.key, c.day or 0), c.key)):
                ledger.hold(claim.key, claim.item_id, claim.qty, due_day.get(claim.key, claim.day or 0))
            return [c.key for c in taken]
        for claim in taken:
            ledger.restore(claim)
    return []


def _in_the_way(ledger: Ledger, footprint: Claim, item_id: str, *, same_slots: bool) -> list[str]:
    """Committed orders that use what the demand needs: the same resources (in the same slots,
    or at all) or stock of items in its bill of materials."""
    cells = {(ledger.row_of[m.arc], s) for m in footprint.made() for s in m.slots.tolist()}
    rows = {row for row, _ in cells}
    points = {ledger.network.inventory_point(i) for i in ledger.snapshot.explode(item_id, 1.0)}
    result = []
    for key, claim in ledger.claims.items():
        for entry in claim.entries:
            if isinstance(entry, Taken) and entry.row in rows and (
                not same_slots or any((entry.row, s) in cells for s in entry.slots.tolist())
            ):
                result.append(key)
                break
            if isinstance(entry, (FromLots, Bought)) and entry.point in points:
                result.append(key)
                break
    return result
