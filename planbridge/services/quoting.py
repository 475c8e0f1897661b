"""Quotes and rush impact: the service functions the CLI, REST API and bot call."""

from __future__ import annotations

import threading
from collections import OrderedDict
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


def quote(cmd: QuoteCommand, ctx: ServiceContext) -> QuoteAnswer:
    snapshot = ctx.snapshot()
    return quote_on(snapshot, cmd, ctx, engine=None)


def quote_on(snapshot: PlantSnapshot, cmd: QuoteCommand, ctx: ServiceContext, *, engine: PromiseEngine | None) -> QuoteAnswer:
    """Quote against a given snapshot (booking passes the one it read inside its transaction)."""
    qty = positive_quantity(cmd.qty)
    item = find_item(snapshot, cmd.item)
    as_of = ctx.as_of(cmd.as_of, snapshot)
    due = due_date(cmd.due, as_of)
    engine = engine or promise_engine(ctx, snapshot, as_of)
    result = engine.quote(item_id=item.item_id, qty=qty, due=due)
    return QuoteAnswer(result, item.name, cmd.customer, language_for(snapshot, cmd.user_id, cmd.language), snapshot)


def rush_impact(cmd: RushCommand, ctx: ServiceContext) -> RushAnswer:
    snapshot = ctx.snapshot()
    as_of = ctx.as_of(cmd.as_of, snapshot)
    due = due_date(cmd.due, as_of)
    assert due is not None
    engine = promise_engine(ctx, snapshot, as_of)
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
    snapshot = ctx.snapshot()
    today = ctx.as_of(as_of, snapshot)
    engine = promise_engine(ctx, snapshot, today)
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
    """The language asked for, else the user's, else English."""
    if is_known(requested):
        return normalize(requested)
    user = snapshot.users.get(user_id or "")
    return user.language.value if user else EN


def promise_engine(ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date) -> PromiseEngine:
    """The promise engine on the plant's resident promise state (the one way to it)."""
    return ENGINES.get(snapshot, as_of)


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
