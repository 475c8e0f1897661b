"""Quotes and rush impact: the service functions the CLI, REST API and bot call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from planbridge.errors import BadRequest
from planbridge.languages import EN, is_known, normalize
from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_item, find_order
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import Quote, RushImpact
from planning_core.model import PlantSnapshot


@dataclass(frozen=True)
class QuoteCommand:
    item: str  # id, name or alias
    qty: float
    due: date | None = None
    customer: str | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None  # "en" or "zh"; default: the user's language, else English
    exact: bool = True  # False: the first answer only (from the committed plan, in milliseconds)


@dataclass(frozen=True)
class QuoteAnswer:
    """A quote with what its reader needs: the item's name, the customer, the reader's language.

    `exact` is False for a first answer (feasible, possibly later than the exact earliest day);
    `first_answer_date` keeps the first answer when the exact day came out earlier.
    """

    quote: Quote
    item_name: str
    customer: str | None
    language: str
    snapshot: PlantSnapshot
    exact: bool = True
    first_answer_date: date | None = None


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
    snapshot: PlantSnapshot
    change: bool = False  # the impact of changing the order's quantity or date (worded as a change)


def quote(cmd: QuoteCommand, ctx: ServiceContext) -> QuoteAnswer:
    """A capable-to-promise answer: the first one, or (`cmd.exact`) the exact one, by the time budget."""
    qty = positive_quantity(cmd.qty, limit=ctx.settings.max_qty)
    with ctx.uow_factory() as uow:
        snapshot = ctx.plants.snapshot(uow)
        item = find_item(snapshot, cmd.item)
        as_of = ctx.as_of(cmd.as_of, snapshot)
        due = due_date(cmd.due, as_of)
        engine = ctx.plants.engine(uow, as_of)
    result = engine.quote(item_id=item.item_id, qty=qty, due=due, exact=cmd.exact, deadline=ctx.deadline(),
                          customer=cmd.customer)
    return answer_of(result, item.name, cmd, engine.snapshot)


def answer_of(result: Quote, item_name: str, cmd: QuoteCommand, snapshot: PlantSnapshot) -> QuoteAnswer:
    return QuoteAnswer(result, item_name, cmd.customer, language_for(snapshot, cmd.user_id, cmd.language), snapshot,
                       exact=result.exact, first_answer_date=result.first_answer_date)


def rush_impact(cmd: RushCommand, ctx: ServiceContext) -> RushAnswer:
    with ctx.uow_factory() as uow:
        snapshot = ctx.plants.snapshot(uow)
        as_of = ctx.as_of(cmd.as_of, snapshot)
        due = due_date(cmd.due, as_of)
        assert due is not None
        engine = ctx.plants.engine(uow, as_of)
    if cmd.order_id:
        order = find_order(snapshot, cmd.order_id)
        if not order.is_open:
            raise BadRequest(f"order {order.order_id} is {order.status.value}, only confirmed orders can be rushed")
        result = engine.rush(due=due, order=order, deadline=ctx.deadline())
        customer: str | None = order.customer
    else:
        if cmd.item is None or cmd.qty is None:
            raise BadRequest("give an order id, or --item and --qty for a new order")
        item = find_item(snapshot, cmd.item)
        result = engine.rush(due=due, item_id=item.item_id, qty=positive_quantity(cmd.qty, limit=ctx.settings.max_qty),
                             deadline=ctx.deadline())
        customer = cmd.customer
    return RushAnswer(result, customer, language_for(snapshot, cmd.user_id, cmd.language), snapshot)


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


def order_outlook(ctx: ServiceContext, *, as_of: date | None = None) -> list[OrderOutlook]:
    """Every confirmed order with the day the plant can really complete it (same engine as quotes)."""
    with ctx.uow_factory() as uow:
        snapshot = ctx.plants.snapshot(uow)
        today = ctx.as_of(as_of, snapshot)
        projected = ctx.plants.engine(uow, today).projection.projected_day
    outlook = []
    for order in sorted(snapshot.open_orders, key=lambda o: (o.due_date, o.order_id)):
        day = projected.get(order.order_id)
        # Held to its promise, or later when it cannot make it; a past-due order at the earliest today.
        when = None if day is None else max(today + timedelta(days=max(day, 0)), min(order.due_date, today))
        outlook.append(OrderOutlook(order.order_id, order.customer, order.item_id, order.qty, order.due_date, when))
    return outlook


# -- validation ---------------------------------------------------------------------
MAX_QTY = 1_000_000.0  # the default of PLANBRIDGE_MAX_QTY


def positive_quantity(value: float | str, *, limit: float = MAX_QTY) -> float:
    """A quantity someone may ask for: a number above zero and at most `limit` (the setting)."""
    try:
        qty = float(str(value).replace(",", "").strip())
    except ValueError:
        raise BadRequest(f"quantity {value!r} is not a number") from None
    if qty != qty or not qty > 0:
        raise BadRequest(f"quantity must be greater than zero, got {value}")
    if qty > limit:
        shown = f"{qty:,.0f}" if qty < 1e15 else f"{qty:g}"  # 1,000,000,000 but 1e+30 and inf
        raise BadRequest(f"quantity {shown} is more than one order may ask for ({limit:,.0f}; PLANBRIDGE_MAX_QTY)")
    return qty


def due_date(value: date | None, as_of: date) -> date | None:
    if value is not None and value < as_of:
        raise BadRequest(f"due date {value.isoformat()} is before today ({as_of.isoformat()})")
    return value


def language_for(snapshot: PlantSnapshot, user_id: str | None, requested: str | None) -> str:
    """The language asked for, else the user's, else English."""
    if is_known(requested):
        return normalize(requested)
    user = snapshot.users.get(user_id or "")
    return user.language.value if user else EN


def promise_engine(ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date) -> PromiseEngine:
    """The promise engine on the plant's resident promise state (the one way to it)."""
    with ctx.uow_factory() as uow:
        return ctx.plants.engine(uow, as_of)
