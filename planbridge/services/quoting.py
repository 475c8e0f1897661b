"""Quotes and rush impact: the service functions the CLI, REST API and bot call."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from planbridge.errors import BadRequest
from planbridge.services import wording
from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_item, find_order
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import Quote, RushImpact
from planning_core.model import PlantSnapshot
from planning_core.plan import Plan


@dataclass(frozen=True)
class QuoteCommand:
    item: str  # id, name or alias
    qty: float
    due: date | None = None
    customer: str | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None  # "en" or "zh"; default: the user's language, else English


@dataclass(frozen=True)
class QuoteAnswer:
    quote: Quote
    item_name: str
    customer: str | None
    language: str
    explanation: str
    snapshot: PlantSnapshot

    def to_json(self, *, with_plan: bool = False) -> dict[str, Any]:
        q = self.quote
        document: dict[str, Any] = {
            "item_id": q.item_id,
            "item_name": self.item_name,
            "qty": number(q.qty),
            "due_date": iso(q.due_date),
            "as_of": q.as_of.isoformat(),
            "promise_date": iso(q.promise_date),
            "feasible_by_due": q.feasible_by_due,
            "partial": [{"qty": number(p.qty), "date": p.date.isoformat()} for p in q.partial],
            "constraints": [
                {
                    "kind": c.kind.value,
                    "resource_id": c.resource_id,
                    "item_id": c.item_id,
                    "detail": wording.constraint_detail(c, self.snapshot, self.language, today=q.as_of),
                }
                for c in q.constraints
            ],
            "review": {
                name: {"status": check.status.value, "reason": wording.review_reason(name, check, self.language)}
                for name, check in (
                    ("technical", q.review.technical), ("material", q.review.material),
                    ("capacity", q.review.capacity), ("date", q.review.date),
                )
            },
            "customer": self.customer,
            "language": self.language,
            "explanation": self.explanation,
        }
        if with_plan and q.plan is not None:
            document["plan"] = plan_json(q.plan)
        return document


@dataclass(frozen=True)
class RushCommand:
    due: date
    order_id: str | None = None
    item: str | None = None
    qty: float | None = None
    customer: str | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class RushAnswer:
    impact: RushImpact
    customer: str | None
    language: str
    explanation: str

    def to_json(self, *, with_plan: bool = False) -> dict[str, Any]:
        r = self.impact
        document: dict[str, Any] = {
            "order_id": r.order_id,
            "item_id": r.item_id,
            "qty": number(r.qty),
            "customer": self.customer,
            "due_date": r.due_date.isoformat(),
            "as_of": r.as_of.isoformat(),
            "promise_date": iso(r.promise_date),
            "feasible_by_due": r.feasible_by_due,
            "impacted": [
                {
                    "order_id": i.order_id,
                    "customer": i.customer,
                    "item_id": i.item_id,
                    "qty": number(i.qty),
                    "promised_date": i.promised_date.isoformat(),
                    "projected_date": iso(i.projected_date),
                    "days_late": i.days_late,
                }
                for i in r.impacted
            ],
            "language": self.language,
            "explanation": self.explanation,
        }
        if with_plan and r.plan is not None:
            document["plan"] = plan_json(r.plan)
        return document


def quote(cmd: QuoteCommand, ctx: ServiceContext) -> QuoteAnswer:
    snapshot = ctx.snapshot()
    return quote_on(snapshot, cmd, ctx, engine=None)


def quote_on(snapshot: PlantSnapshot, cmd: QuoteCommand, ctx: ServiceContext, *, engine: PromiseEngine | None) -> QuoteAnswer:
    """Quote against a given snapshot (booking passes the one it read inside its transaction)."""
    qty = positive_quantity(cmd.qty)
    item = find_item(snapshot, cmd.item)
    as_of = ctx.as_of(cmd.as_of, snapshot)
    due = due_date(cmd.due, as_of)
    engine = engine or ENGINES.get(snapshot, as_of)
    result = engine.quote(item_id=item.item_id, qty=qty, due=due)
    lang = language_for(snapshot, cmd.user_id, cmd.language)
    return QuoteAnswer(result, item.name, cmd.customer, lang,
                       wording.quote_explanation(result, snapshot, lang, customer=cmd.customer), snapshot)


def rush_impact(cmd: RushCommand, ctx: ServiceContext) -> RushAnswer:
    snapshot = ctx.snapshot()
    as_of = ctx.as_of(cmd.as_of, snapshot)
    due = due_date(cmd.due, as_of)
    assert due is not None
    engine = ENGINES.get(snapshot, as_of)
    if cmd.order_id:
        order = find_order(snapshot, cmd.order_id)
        if not order.is_open:
            raise BadRequest(f"order {order.order_id} is {order.status.value}, only confirmed orders can be rushed")
        result = engine.rush(due=due, order=order)
        customer: str | None = order.customer
    else:
        if cmd.item is None or cmd.qty is None:
            raise BadRequest("give an order id, or --item and --qty for a new order")
        item = find_item(snapshot, cmd.item)
        result = engine.rush(due=due, item_id=item.item_id, qty=positive_quantity(cmd.qty))
        customer = cmd.customer
    lang = language_for(snapshot, cmd.user_id, cmd.language)
    return RushAnswer(result, customer, lang, wording.rush_explanation(result, snapshot, lang))


@dataclass(frozen=True)
class OrderOutlook:
    """Where a confirmed order stands on finite capacity and real material: its projected day."""

    order_id: str
    customer: str
    item_id: str
    qty: float
    promised_date: date
    projected_date: date | None  # None: cannot be completed at all within the horizon

    @property
    def days_late(self) -> int | None:
        return None if self.projected_date is None else max((self.projected_date - self.promised_date).days, 0)

    def to_json(self) -> dict[str, object]:
        return {"order_id": self.order_id, "customer": self.customer, "item_id": self.item_id, "qty": number(self.qty),
                "promised_date": self.promised_date.isoformat(), "projected_date": iso(self.projected_date),
                "days_late": self.days_late}


def order_outlook(ctx: ServiceContext, *, as_of: date | None = None) -> list[OrderOutlook]:
    """Every confirmed order with the day the plant can really complete it (same engine as quotes)."""
    snapshot = ctx.snapshot()
    today = ctx.as_of(as_of, snapshot)
    engine = ENGINES.get(snapshot, today)
    projected = engine.projection.projected_day
    outlook = []
    for order in sorted(snapshot.open_orders, key=lambda o: (o.due_date, o.order_id)):
        day = projected.get(order.order_id)
        # Held to its promise, or later when it cannot make it; a past-due order at the earliest today.
        when = None if day is None else max(today + timedelta(days=max(day, 0)), min(order.due_date, today))
        outlook.append(OrderOutlook(order.order_id, order.customer, order.item_id, order.qty, order.due_date, when))
    return outlook


# -- validation ---------------------------------------------------------------------
def positive_quantity(value: float | str) -> float:
    try:
        qty = float(str(value).replace(",", "").strip())
    except ValueError:
        raise BadRequest(f"quantity {value!r} is not a number") from None
    if not qty > 0 or qty != qty or qty == float("inf"):
        raise BadRequest(f"quantity must be greater than zero, got {value}")
    return qty


def due_date(value: date | None, as_of: date) -> date | None:
    if value is not None and value < as_of:
        raise BadRequest(f"due date {value.isoformat()} is before today ({as_of.isoformat()})")
    return value


def language_for(snapshot: PlantSnapshot, user_id: str | None, requested: str | None) -> str:
    if requested in (wording.EN, wording.ZH):
        return requested
    user = snapshot.users.get(user_id or "")
    return user.language.value if user else wording.EN


# -- JSON helpers -------------------------------------------------------------------
def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def number(value: float) -> float | int:
    return round(value) if abs(value - round(value)) < 1e-9 else round(value, 4)


def plan_json(plan: Plan) -> dict[str, Any]:
    axis = plan.axis
    return {
        "operations": [
            {
                "item_id": op.item_id, "step": op.step, "resource_id": op.resource_id,
                "start": axis.to_datetime(op.start).isoformat(), "end": axis.to_datetime(op.end).isoformat(),
                "qty": round(op.qty, 4), "busy_minutes": round(op.minutes, 2), "demand": op.demand_id,
            }
            for op in plan.operations
        ],
        "purchases": [
            {"item_id": p.item_id, "qty": round(p.qty, 4), "arrival": axis.to_datetime(p.arrival).isoformat()}
            for p in plan.purchases
        ],
        "deliveries": [
            {"order_id": d.order_id, "item_id": d.item_id, "qty": round(d.qty, 4), "at": axis.to_datetime(d.at).isoformat()}
            for d in plan.deliveries
        ],
    }


class EngineCache:
    """Warm promise engines per (plant snapshot, as-of date): the slow part is compiling
    the plant and projecting confirmed orders, which every quote on the same data shares."""

    def __init__(self, size: int = 4) -> None:
        self._engines: OrderedDict[tuple[int, date], tuple[PlantSnapshot, PromiseEngine]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, snapshot: PlantSnapshot, as_of: date) -> PromiseEngine:
        key = (id(snapshot), as_of)
        with self._lock:
            if key in self._engines:
                self._engines.move_to_end(key)
                return self._engines[key][1]
        engine = PromiseEngine(snapshot, as_of=as_of)
        with self._lock:
            self._engines[key] = (snapshot, engine)  # holding the snapshot keeps its id unique
            while len(self._engines) > self.size:
                self._engines.popitem(last=False)
        return engine


ENGINES = EngineCache()
