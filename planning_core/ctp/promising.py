"""Quotes and rush analysis on one plant at one as-of date.

Confirmed orders keep their promises, but nothing is reserved for them by list
position: the LP may make any confirmed order from any stock, receipt or capacity,
as long as each is complete by its day. Orders that cannot keep their promise even
today (already late or overloaded) are first projected to the earliest day they can
be complete, in due-date order, and then held to that day instead.

Small and medium plants are solved whole and exactly. A plant too large for one LP
is first loaded order by order (`ledger`); a quote then re-optimises exactly the part
its item touches (its bill of materials and every confirmed order for those items)
on the capacity the rest of the plant leaves, and the rest stays as loaded.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np

from planning_core.ctp.explain import binding_constraints
from planning_core.ctp.grid import FloatArray
from planning_core.ctp.layout import FlexibleOutcome, bucket_operations, build_plan, slot_span
from planning_core.ctp.ledger import Ledger, Loaded
from planning_core.ctp.lp import FixedDemand
from planning_core.ctp.model import Completion, CtpModel, explode, remaining_qty
from planning_core.ctp.results import ImpactedOrder, PartialDelivery, Quote, RushImpact
from planning_core.ctp.review import review_order
from planning_core.model import PlantSnapshot, SalesOrder
from planning_core.plan import Delivery, Operation, Plan, Promise, Purchase

NEW_DEMAND = "NEW"
MIN_HORIZON_DAYS = 28
HORIZON_MARGIN_DAYS = 14  # beyond the last date the data mentions; quotes that need more widen it
MAX_HORIZON_DAYS = 3 * 366
EXACT_LIMIT = 400_000  # LP variables up to which the whole plant is solved at once
COUNTED_UNITS = frozenset({"pcs", "pc", "ea", "each", "unit", "units", "set", "sets", "个", "件", "台", "套", "只"})


@dataclass(frozen=True)
class Projection:
    """Where confirmed orders stand before anything new is added."""

    fixed: tuple[FixedDemand, ...]  # every confirmed order at the day it will be complete
    projected_day: dict[str, int | None]  # None: cannot be completed within the horizon


@dataclass(frozen=True)
class Scope:
    """The part of the plant an answer re-optimises, and what stays fixed around it."""

    model: CtpModel
    base: tuple[FixedDemand, ...]  # material the fixed rest of the plant takes from this part
    orders: tuple[SalesOrder, ...]  # confirmed orders inside the part
    background: Plan | None  # the fixed rest, merged into every plan (None: nothing fixed)


@dataclass
class _ItemLoad:
    """One item's share of the loaded plan."""

    used: list[tuple[int, int, float]] = field(default_factory=list)  # (resource row, slot, minutes)
    operations: list[Operation] = field(default_factory=list)
    taken_by: list[tuple[str, int, float]] = field(default_factory=list)  # (consuming item, slot, units)
    purchases: list[Purchase] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)


def _first_fixed_day(model: CtpModel, fixed: list[FixedDemand], order: SalesOrder, qty: float, day: int) -> int | None:
    """The first day from `day` at which the order fits as a *confirmed* order.

    Searching earliest, the order is its own batch (its own set-up); once confirmed it
    shares the set-ups spread over all confirmed work, which may need a little longer.
    Holding it to a day that does not fit that way would make every later check fail.
    """
    def fits(d: int) -> bool:
        return model.feasible([*fixed, model.fixed_demand(order.order_id, order.item_id, qty, d)])

    if fits(day):
        return day
    # Usually a day or two more is enough: probe 1, 2, 4, … days later, then bisect.
    low, step = day + 1, 1
    while True:
        high = min(day + step, model.days - 1)
        if fits(high):
            break
        if high == model.days - 1:
            return None
        low, step = high + 1, step * 2
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _by_due(order: SalesOrder) -> tuple[date, int, str]:
    return (order.due_date, -order.priority.weight, order.order_id)


class PromiseEngine:
    """Capable-to-promise answers for one snapshot and as-of date (reuse it while both hold)."""

    def __init__(
        self, snapshot: PlantSnapshot, *, as_of: date, horizon_days: int | None = None, exact_limit: int = EXACT_LIMIT
    ) -> None:
        self.snapshot = snapshot
        self.as_of = as_of
        self.exact_limit = exact_limit
        self.model = CtpModel(snapshot, as_of=as_of, days=horizon_days or self._default_horizon())
        self.decomposed = self.model.size > exact_limit
        self._scopes: OrderedDict[frozenset[str], Scope] = OrderedDict()

    def _default_horizon(self) -> int:
        s = self.snapshot
        days = [MIN_HORIZON_DAYS]
        days += [(o.due_date - self.as_of).days + HORIZON_MARGIN_DAYS for o in s.open_orders]
        days += [(po.due_date - self.as_of).days + HORIZON_MARGIN_DAYS for po in s.purchase_orders]
        days += [item.lead_time_days + HORIZON_MARGIN_DAYS for item in s.items.values()]
        return max(MIN_HORIZON_DAYS, min(max(days), MAX_HORIZON_DAYS))

    def _wider(self) -> PromiseEngine | None:
        if self.model.days >= MAX_HORIZON_DAYS:
            return None
        return PromiseEngine(self.snapshot, as_of=self.as_of, exact_limit=self.exact_limit,
                             horizon_days=min(self.model.days * 2, MAX_HORIZON_DAYS))

    # -- confirmed orders ------------------------------------------------------------
    @cached_property
    def projection(self) -> Projection:
        if not self.decomposed:
            return self._project(self.model, list(self.snapshot.open_orders), first=[])
        loaded = self.loaded
        fixed = tuple(
            self.model.fixed_demand(key, self.model.network.points[point][0], qty, day)
            for key, (point, qty, day) in loaded.delivered.items()
        )
        return Projection(fixed, dict(loaded.projected_day))

    @cached_property
    def loaded(self) -> Loaded:
        """Every confirmed order loaded in due-date order (large plants only)."""
        m = self.model
        ledger = Ledger(self.snapshot, m.grid, m.network, m.supplies, m.buyable)
        for order in sorted(self.snapshot.open_orders, key=_by_due):
            qty = remaining_qty(order)
            if qty > 0:
                ledger.load_order(order.order_id, order.item_id, qty, m.day_of(order.due_date))
        return ledger.finish()

    def _project(self, model: CtpModel, orders: list[SalesOrder], *, first: list[FixedDemand]) -> Projection:
        wanted = [(o, remaining_qty(o)) for o in sorted(orders, key=_by_due) if remaining_qty(o) > 0]
        at_promise = [model.fixed_demand(o.order_id, o.item_id, q, model.day_of(o.due_date)) for o, q in wanted]
        if model.feasible(first + at_promise):
            return Projection(tuple(at_promise), {o.order_id: model.day_of(o.due_date) for o, _ in wanted})
        fixed = list(first)
        projected: dict[str, int | None] = {}
        for (order, qty), demand in zip(wanted, at_promise, strict=True):
            if model.feasible([*fixed, demand]):
                fixed.append(demand)
                projected[order.order_id] = demand.day
                continue
            done = model.earliest(fixed, key=order.order_id, item_id=order.item_id, qty=qty)
            day = None if done.day is None else _first_fixed_day(model, fixed, order, qty, done.day)
            projected[order.order_id] = day
            if day is not None:
                fixed.append(model.fixed_demand(order.order_id, order.item_id, qty, day))
        return Projection(tuple(d for d in fixed if d not in first), projected)

    # -- scopes --------------------------------------------------------------------
    def scope(self, item_id: str) -> Scope:
        if not self.decomposed:
            return Scope(self.model, (), tuple(self.snapshot.open_orders), None)
        items = frozenset(explode(self.snapshot, item_id, 1.0))
        if items not in self._scopes:
            self._scopes[items] = self._cut(items)
            while len(self._scopes) > 32:
                self._scopes.popitem(last=False)
        self._scopes.move_to_end(items)
        return self._scopes[items]

    def _cut(self, items: frozenset[str]) -> Scope:
        """The part of the loaded plant made of `items`, re-optimised on what the rest leaves.

        The part keeps its confirmed orders flexible (they may be resequenced), each of
        its routing steps costing what the loading found per unit. Should that not fit
        (set-ups spread differently), the loaded plan is kept whole and only the new
        demand is placed on what is left: never an answer the plant cannot keep.
        """
        flexible = self._part(items, outside_only=True)
        if flexible.model.feasible([*flexible.base, *self._held(flexible, flexible.orders)]):
            return flexible
        return self._part(items, outside_only=False)

    @cached_property
    def _loaded_by_item(self) -> dict[str, _ItemLoad]:
        """The loaded plan sorted by the item each piece belongs to, so cutting is cheap."""
        m, loaded, grid = self.model, self.loaded, self.model.grid
        by_item: dict[str, _ItemLoad] = defaultdict(_ItemLoad)
        for k, flows in loaded.flow.items():
            arc = m.network.arcs[k]
            row = grid.resource_index[arc.resource_id]
            load = by_item[arc.item_id]
            for slot, units in flows.items():
                minutes = loaded.minutes[k][slot]
                load.used.append((row, slot, minutes))
                load.operations.extend(bucket_operations(arc, slot_span(grid, slot), units, minutes, demand_id=None))
                for point, per_unit in arc.inputs:
                    by_item[m.network.points[point][0]].taken_by.append((arc.item_id, slot, units * per_unit))
        for (point, slot), qty in loaded.bought.items():
            item_id = m.network.points[point][0]
            by_item[item_id].purchases.append(Purchase(item_id, qty, float(grid.starts[slot])))
        for key, (point, qty, day) in loaded.delivered.items():
            item_id = m.network.points[point][0]
            by_item[item_id].deliveries.append(Delivery(key, item_id, qty, float(grid.ends[grid.day_last_slot[day]])))
            by_item[item_id].promises.append(Promise(key, item_id, qty, m.date_of(day)))
        return dict(by_item)

    @cached_property
    def _loaded_minutes(self) -> FloatArray:
        used = np.zeros_like(self.model.grid.capacity)
        for load in self._loaded_by_item.values():
            for row, slot, minutes in load.used:
                used[row, slot] += minutes
        return used

    def _part(self, items: frozenset[str], *, outside_only: bool) -> Scope:
        m, loaded, grid = self.model, self.loaded, self.model.grid
        by_item = self._loaded_by_item
        used = self._loaded_minutes.copy()
        kept = [load for item_id, load in by_item.items() if not outside_only or item_id not in items]
        if outside_only:
            for item_id in items & by_item.keys():
                for row, slot, minutes in by_item[item_id].used:
                    used[row, slot] -= minutes
        residual = replace(grid, capacity=np.maximum(grid.capacity - used, 0.0))
        takes: dict[tuple[str, int], float] = defaultdict(float)
        if outside_only:
            part = CtpModel(self.snapshot, as_of=self.as_of, days=m.days, grid=residual, items=items,
                            minutes_per_unit=self._loaded_minutes_per_unit(items))
            for component in items & by_item.keys():
                for consumer, slot, qty in by_item[component].taken_by:
                    if consumer not in items:
                        takes[(component, slot)] += qty
        else:
            left = tuple(
                (m.network.points[point][0], slot, qty)
                for point, slot, qty in loaded.unused if m.network.points[point][0] in items
            )
            part = CtpModel(self.snapshot, as_of=self.as_of, days=m.days, grid=residual, items=items, supplies=left)
        base = tuple(
            FixedDemand(f"used-by:{component}", part.network.inventory_point(component), qty, int(grid.day[slot]), slot)
            for (component, slot), qty in sorted(takes.items())
        )
        inside = tuple(o for o in self.snapshot.open_orders if o.item_id in items) if outside_only else ()
        background = Plan(
            grid.axis,
            tuple(op for load in kept for op in load.operations),
            tuple(p for load in kept for p in load.purchases),
            tuple(d for load in kept for d in load.deliveries),
            (),
            tuple(p for load in kept for p in load.promises),
        )
        return Scope(part, base, inside, background)

    def _loaded_minutes_per_unit(self, items: frozenset[str]) -> dict[tuple[str, int, str], float]:
        """Per routing step and resource, the minutes a unit took when the orders were loaded."""
        m, loaded = self.model, self.loaded
        result = {}
        for k, flows in loaded.flow.items():
            arc = m.network.arcs[k]
            units = sum(flows.values())
            if arc.item_id in items and units > 1e-9:
                result[(arc.item_id, arc.step, arc.resource_id)] = sum(loaded.minutes[k].values()) / units
        return result

    def _held(self, scope: Scope, orders: tuple[SalesOrder, ...]) -> list[FixedDemand]:
        """Confirmed orders at the day they are held to: their promise, or where they already stood."""
        projected = self.projection.projected_day
        held = []
        for order in orders:
            day = projected.get(order.order_id)
            if day is not None:
                due = scope.model.day_of(order.due_date)
                held.append(scope.model.fixed_demand(order.order_id, order.item_id, remaining_qty(order), max(day, due)))
        return held

    # -- quotes ----------------------------------------------------------------------
    def quote(self, *, item_id: str, qty: float, due: date | None = None) -> Quote:
        scope = self.scope(item_id)
        fixed = [*scope.base, *self._held(scope, scope.orders)]
        done = scope.model.earliest(fixed, key=NEW_DEMAND, item_id=item_id, qty=qty)
        if done.day is None and self.snapshot.is_makeable(item_id):
            wider = self._wider()
            if wider is not None:
                return wider.quote(item_id=item_id, qty=qty, due=due)
        plan = None
        if done.solution.feasible:
            plan = self._plan(scope, done, fixed, FlexibleOutcome(NEW_DEMAND, item_id, qty, done.day))
        constraints = binding_constraints(self.snapshot, scope.model, done, item_id=item_id, qty=qty)
        return Quote(
            item_id=item_id,
            qty=qty,
            as_of=self.as_of,
            due_date=due,
            promise_date=scope.model.date_of(done.day) if done.day is not None else None,
            partial=self._partial(done, item_id, qty),
            constraints=constraints,
            review=review_order(self.snapshot, scope.model, done, item_id=item_id, qty=qty, due=due,
                                constraints=constraints),
            plan=plan,
        )

    def _plan(self, scope: Scope, done: Completion, fixed: list[FixedDemand], flexible: FlexibleOutcome | None) -> Plan:
        m = scope.model
        plan = build_plan(self.snapshot, m.grid, m.network, done.solution, fixed=fixed, flexible=flexible)
        if scope.background is None:
            return plan
        b = scope.background
        return Plan(plan.axis, plan.operations + b.operations, plan.purchases + b.purchases,
                    plan.deliveries + b.deliveries, (), plan.promises + b.promises)

    def _partial(self, done: Completion, item_id: str, qty: float) -> tuple[PartialDelivery, ...]:
        if done.day is None:
            return ()
        whole = self.snapshot.items[item_id].uom.casefold() in COUNTED_UNITS
        result: list[PartialDelivery] = []
        delivered = cumulative = 0.0
        for day, shipped in enumerate(done.solution.shipped[: done.day + 1].tolist()):
            cumulative += shipped
            ready = float(int(cumulative + 1e-6)) if whole else round(cumulative, 3)
            if day == done.day:
                ready = qty  # the promise is the day the last unit is ready
            if ready - delivered > 1e-9:
                result.append(PartialDelivery(ready - delivered, self.model.date_of(day)))
                delivered = ready
        return tuple(result)

    # -- rush ------------------------------------------------------------------------
    def rush(self, *, due: date, order: SalesOrder | None = None, item_id: str | None = None, qty: float | None = None) -> RushImpact:
        if order is not None:
            item_id, qty, key = order.item_id, remaining_qty(order), order.order_id
        elif item_id is None or qty is None:
            raise ValueError("a rush needs an order, or an item and a quantity")
        else:
            key = NEW_DEMAND
        scope = self.scope(item_id)
        m = scope.model
        first = m.earliest(list(scope.base), key=key, item_id=item_id, qty=qty)
        if first.day is None:
            wider = self._wider()
            if wider is not None and self.snapshot.is_makeable(item_id):
                return wider.rush(due=due, order=order, item_id=item_id, qty=qty)
            return RushImpact(key if order else None, item_id, qty, self.as_of, due, None, (), (), None)
        as_order = order or SalesOrder(key, "", item_id, qty, due)
        held = _first_fixed_day(m, list(scope.base), as_order, qty, max(first.day, m.day_of(due)))
        promise_day = held if held is not None else max(first.day, m.day_of(due))
        rushed = m.fixed_demand(key, item_id, qty, promise_day)
        others = [o for o in scope.orders if order is None or o.order_id != order.order_id]
        standing = self._held(scope, tuple(others))
        if m.feasible([*scope.base, rushed, *standing]):  # the rush fits in the slack: nobody moves
            after = Projection(tuple(standing), {d.key: d.day for d in standing})
        else:
            after = self._project(m, others, first=[*scope.base, rushed])
        impacted = self._impacted(others, after, m)
        fixed = [*scope.base, rushed, *after.fixed]
        solution = m.solve_fixed(fixed)
        plan = None
        if solution.feasible:
            plan = self._plan(scope, Completion(promise_day, solution, {}), fixed, None)
        constraints = binding_constraints(self.snapshot, m, first, item_id=item_id, qty=qty)
        return RushImpact(key if order else None, item_id, qty, self.as_of, due, m.date_of(promise_day),
                          impacted, constraints, plan)

    def _impacted(self, others: list[SalesOrder], after: Projection, model: CtpModel) -> tuple[ImpactedOrder, ...]:
        before = self.projection.projected_day
        result = []
        for order in sorted(others, key=_by_due):
            promised = model.day_of(order.due_date)
            was = before.get(order.order_id, promised)
            now = after.projected_day.get(order.order_id, promised)
            if was is None:
                continue  # could not be completed before the rush either
            if now is None or now > max(was, promised):
                result.append(
                    ImpactedOrder(order.order_id, order.customer, order.item_id, remaining_qty(order), order.due_date,
                                  None if now is None else model.date_of(now))
                )
        return tuple(result)
