"""Booking a quoted order: re-quote and record it in one locked transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planbridge.errors import BadRequest, Conflict
from planbridge.records import AuditEntry
from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_user
from planbridge.services.quoting import QuoteAnswer, QuoteCommand, quote_on
from planning_core.ctp.promising import PromiseEngine
from planning_core.model import OrderStatus, Priority, SalesOrder


@dataclass(frozen=True)
class BookOrder:
    item: str
    qty: float
    customer: str
    due: date | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None
    priority: Priority = Priority.NORMAL


@dataclass(frozen=True)
class Booking:
    order_id: str
    answer: QuoteAnswer


def book_order(cmd: BookOrder, ctx: ServiceContext) -> Booking:
    """Quote again on the data as it is *inside* the lock, then record the order.

    Two reps booking the last capacity at once queue on the lock: the second one's
    quote already sees the first booking and gets the next feasible date.
    """
    if not cmd.customer.strip():
        raise BadRequest("booking needs a customer (--customer)")
    with ctx.uow_factory() as uow:
        uow.orders.lock()
        snapshot = uow.plant.load()
        if cmd.user_id is not None:
            find_user(snapshot, cmd.user_id)
        as_of = ctx.as_of(cmd.as_of, snapshot)
        command = QuoteCommand(cmd.item, cmd.qty, cmd.due, cmd.customer, as_of, cmd.user_id, cmd.language)
        answer = quote_on(snapshot, command, ctx, engine=PromiseEngine(snapshot, as_of=as_of))
        promise = answer.quote.promise_date
        if promise is None:
            raise Conflict(f"{answer.item_name} cannot be made in this quantity: nothing was booked")
        order_id = uow.orders.next_order_id()
        order = SalesOrder(
            order_id=order_id, customer=cmd.customer.strip(), item_id=answer.quote.item_id, qty=answer.quote.qty,
            requested_date=cmd.due or promise, promised_date=promise, priority=cmd.priority,
            status=OrderStatus.CONFIRMED, owner=cmd.user_id,
        )
        now = ctx.clock.now()
        uow.orders.add(order, source="booking", at=now)
        uow.plant.bump_version()
        uow.audit.append(AuditEntry(now, cmd.user_id, "book", order_id, {
            "item_id": order.item_id, "qty": order.qty, "customer": order.customer,
            "promised_date": promise.isoformat(), "requested_date": order.requested_date.isoformat(),
            "as_of": as_of.isoformat(),
        }))
        uow.commit()
    return Booking(order_id, answer)
