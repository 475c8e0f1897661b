"""Quotes and rush analysis on one plant at one as-of date.

Confirmed orders keep their promises, but nothing is reserved for them by list
position: the LP may make any confirmed order from any stock, receipt or capacity,
as long as each is complete by its day. Orders that cannot keep their promise even
today (already late or overloaded) are first projected to the earliest day they can
be complete, in due-date order, and then held to that day instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from planning_core.ctp.explain import binding_constraints
from planning_core.ctp.layout import FlexibleOutcome, build_plan
from planning_core.ctp.lp import FixedDemand
from planning_core.ctp.model import Completion, CtpModel, remaining_qty
from planning_core.ctp.results import ImpactedOrder, PartialDelivery, Quote, RushImpact
from planning_core.ctp.review import review_order
from planning_core.model import PlantSnapshot, SalesOrder

NEW_DEMAND = "NEW"
COUNTED_UNITS = frozenset({"pcs", "pc", "ea", "each", "unit", "units", "set", "sets", "个", "件", "台", "套", "只"})
MIN_HORIZON_DAYS = 60
MAX_HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class Projection:
    """Where confirmed orders stand before anything new is added."""

    fixed: tuple[FixedDemand, ...]  # every confirmed order at the day it will be complete
    projected_day: dict[str, int | None]  # None: cannot be completed within the horizon


def _by_due(order: SalesOrder) -> tuple[date, int, str]:
    return (order.due_date, -order.priority.weight, order.order_id)


class PromiseEngine:
    """Capable-to-promise answers for one snapshot and as-of date (reuse it while both hold)."""

    def __init__(self, snapshot: PlantSnapshot, *, as_of: date, horizon_days: int | None = None) -> None:
        self.snapshot = snapshot
        self.as_of = as_of
        self.model = CtpModel(snapshot, as_of=as_of, days=horizon_days or self._default_horizon())

    def _default_horizon(self) -> int:
        s = self.snapshot
        days = [MIN_HORIZON_DAYS]
        days += [(o.due_date - self.as_of).days + 30 for o in s.open_orders]
        days += [(po.due_date - self.as_of).days + 30 for po in s.purchase_orders]
        days += [item.lead_time_days + 30 for item in s.items.values()]
        return max(MIN_HORIZON_DAYS, min(max(days), MAX_HORIZON_DAYS))

    def _wider(self) -> PromiseEngine | None:
        if self.model.days >= MAX_HORIZON_DAYS:
            return None
        return PromiseEngine(self.snapshot, as_of=self.as_of, horizon_days=min(self.model.days * 2, MAX_HORIZON_DAYS))

    # -- confirmed orders ------------------------------------------------------------
    @cached_property
    def projection(self) -> Projection:
        return self._project(list(self.snapshot.open_orders), first=[])

    def _project(self, orders: list[SalesOrder], *, first: list[FixedDemand]) -> Projection:
        m = self.model
        wanted = [(o, remaining_qty(o)) for o in sorted(orders, key=_by_due) if remaining_qty(o) > 0]
        at_promise = [m.fixed_demand(o.order_id, o.item_id, q, m.day_of(o.due_date)) for o, q in wanted]
        if m.feasible(first + at_promise):
            return Projection(tuple(at_promise), {o.order_id: m.day_of(o.due_date) for o, _ in wanted})
        fixed = list(first)
        projected: dict[str, int | None] = {}
        for (order, qty), demand in zip(wanted, at_promise, strict=True):
            if m.feasible([*fixed, demand]):
                fixed.append(demand)
                projected[order.order_id] = demand.day
                continue
            done = m.earliest(fixed, key=order.order_id, item_id=order.item_id, qty=qty)
            projected[order.order_id] = done.day
            if done.day is not None:
                fixed.append(m.fixed_demand(order.order_id, order.item_id, qty, done.day))
        return Projection(tuple(d for d in fixed if d not in first), projected)

    # -- quotes ----------------------------------------------------------------------
    def quote(self, *, item_id: str, qty: float, due: date | None = None) -> Quote:
        fixed = list(self.projection.fixed)
        done = self.model.earliest(fixed, key=NEW_DEMAND, item_id=item_id, qty=qty)
        if done.day is None and self.snapshot.is_makeable(item_id):
            wider = self._wider()
            if wider is not None:
                return wider.quote(item_id=item_id, qty=qty, due=due)
        return self._quote_from(done, fixed, item_id=item_id, qty=qty, due=due)

    def _quote_from(self, done: Completion, fixed: list[FixedDemand], *, item_id: str, qty: float, due: date | None) -> Quote:
        m = self.model
        promise = m.date_of(done.day) if done.day is not None else None
        plan = None
        if done.solution.feasible:
            plan = build_plan(
                self.snapshot, m.grid, m.network, done.solution, fixed=fixed,
                flexible=FlexibleOutcome(NEW_DEMAND, item_id, qty, done.day),
            )
        constraints = binding_constraints(self.snapshot, m, done, item_id=item_id, qty=qty)
        quote = Quote(
            item_id=item_id,
            qty=qty,
            as_of=self.as_of,
            due_date=due,
            promise_date=promise,
            partial=self._partial(done, item_id, qty),
            constraints=constraints,
            review=review_order(self.snapshot, m, done, item_id=item_id, qty=qty, due=due, constraints=constraints),
            plan=plan,
        )
        return quote

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
        m = self.model
        first = m.earliest([], key=key, item_id=item_id, qty=qty)
        if first.day is None:
            wider = self._wider()
            if wider is not None and self.snapshot.is_makeable(item_id):
                return wider.rush(due=due, order=order, item_id=item_id, qty=qty)
            return RushImpact(key if order else None, item_id, qty, self.as_of, due, None, (), (), None)
        promise_day = max(first.day, m.day_of(due))
        rushed = m.fixed_demand(key, item_id, qty, promise_day)
        others = [o for o in self.snapshot.open_orders if order is None or o.order_id != order.order_id]
        after = self._project(others, first=[rushed])
        impacted = self._impacted(others, after)
        fixed = [rushed, *after.fixed]
        solution = m.solve_fixed(fixed)
        plan = build_plan(self.snapshot, m.grid, m.network, solution, fixed=fixed, flexible=None) if solution.feasible else None
        constraints = binding_constraints(self.snapshot, m, first, item_id=item_id, qty=qty)
        return RushImpact(key if order else None, item_id, qty, self.as_of, due, m.date_of(promise_day),
                          impacted, constraints, plan)

    def _impacted(self, others: list[SalesOrder], after: Projection) -> tuple[ImpactedOrder, ...]:
        before = self.projection.projected_day
        result = []
        for order in sorted(others, key=_by_due):
            promised = self.model.day_of(order.due_date)
            was = before.get(order.order_id, promised)
            now = after.projected_day.get(order.order_id, promised)
            if was is None:
                continue  # could not be completed before the rush either
            if now is None or now > max(was, promised):
                result.append(
                    ImpactedOrder(order.order_id, order.customer, order.item_id, remaining_qty(order), order.due_date,
                                  None if now is None else self.model.date_of(now))
                )
        return tuple(result)
