"""Booking a quoted order: checked on the committed plan and recorded in one locked transaction.

The database's order lock serialises bookings across every process; inside it the plant
is brought up to the order journal's head, so the check sees every booking made anywhere
before it. The check itself is the resident ledger's (milliseconds): the order is
confirmed at the date asked when the committed plan can hold it there, else at the
earliest day it can (the quoted exact day when the plan can be rearranged to hold it,
else the first answer). The booking is appended to the journal, and applied to this
process's state exactly as every other process replays it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from planbridge.errors import BadRequest, Conflict
from planbridge.records import AuditEntry, JournalEntry, JournalKind
from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_item, find_user
from planbridge.services.quoting import QuoteAnswer, QuoteCommand, answer_of, due_date, positive_quantity
from planning_core.ctp.state import PromiseState
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
    quoted: date | None = None  # the day the customer was quoted (an exact answer earlier than the first)


@dataclass(frozen=True)
class Booking:
    """The order as confirmed: at `promised_date`, the date asked (`requested_date`) when that could
    be held, else `earliest_date`, the earliest day the committed plan can hold it."""

    order_id: str
    answer: QuoteAnswer  # the quote behind it, its promise the booked day
    requested_date: date | None
    earliest_date: date | None

    @property
    def promised_date(self) -> date:
        promise = self.answer.quote.promise_date
        assert promise is not None
        return promise


def book_order(cmd: BookOrder, ctx: ServiceContext) -> Booking:
    """Check on the plant as it is *inside* the lock, then record the order.

    Two reps booking the last capacity at once queue on the lock: the second one's check
    already sees the first booking and gets the next day the plant can hold.
    """
    if not cmd.customer.strip():
        raise BadRequest("booking needs a customer (--customer)")
    if not (cmd.user_id or "").strip():
        raise BadRequest("booking needs a user (--user, or PLANBRIDGE_USER): the audit records who booked")
    qty = positive_quantity(cmd.qty, limit=ctx.settings.max_qty)
    with ctx.uow_factory() as uow:
        uow.orders.lock()
        as_of = ctx.as_of(cmd.as_of, ctx.plants.snapshot(uow))
        with ctx.plants.changing(uow, as_of) as resident:
            snapshot = resident.engine.snapshot
            user = find_user(snapshot, cmd.user_id or "")
            item = find_item(snapshot, cmd.item)
            due = due_date(cmd.due, as_of)
            first = resident.engine.quote(item_id=item.item_id, qty=qty, due=due, exact=False, customer=cmd.customer)
            if first.promise_date is None:
                raise Conflict(f"{item.name} cannot be made in this quantity: nothing was booked")
            promise = _promise(resident.state, item.item_id, qty, asked=due, quoted=cmd.quoted,
                               earliest=first.promise_date)
            order_id = uow.orders.next_order_id()
            order = SalesOrder(
                order_id=order_id, customer=cmd.customer.strip(), item_id=item.item_id, qty=qty,
                requested_date=due or promise, promised_date=promise, priority=cmd.priority,
                status=OrderStatus.CONFIRMED, owner=user.user_id,
            )
            now = ctx.clock.now()
            uow.orders.add(order, source="booking", at=now)
            seq = uow.orders.record(JournalKind.BOOK, order_id, at=now)
            uow.audit.append(AuditEntry(now, user.user_id, "book", order_id, {
                "item_id": order.item_id, "qty": order.qty, "customer": order.customer,
                "promised_date": promise.isoformat(), "requested_date": due.isoformat() if due else None,
                "earliest_date": first.promise_date.isoformat(), "as_of": as_of.isoformat(),
            }))
            uow.commit()
            ctx.plants.applied(resident, JournalEntry(seq, JournalKind.BOOK, order_id, now), order)
    command = QuoteCommand(item.item_id, qty, due, cmd.customer, as_of, user.user_id, cmd.language)
    booked = replace(first, promise_date=promise)
    if promise != first.promise_date:  # the day asked (or quoted), not the first answer: its reasons and
        # "may come out earlier" were about another day, and nothing holds back a day chosen later
        booked = replace(booked, constraints=(), exact=True, first_answer_date=None)
    return Booking(order_id, answer_of(booked, item.name, command, snapshot), due, first.promise_date)


def _promise(state: PromiseState, item_id: str, qty: float, *, asked: date | None, quoted: date | None,
             earliest: date) -> date:
    """The date asked when the committed plan can hold it; else the quoted (exact) day when it can
    (the plan rearranged without anyone later); else the first answer, which it can by construction
    (so a date asked on or after it needs no trial)."""
    if asked is not None and (earliest <= asked or state.fits(item_id, qty, asked, earliest=earliest)):
        return asked
    if quoted is not None and quoted < earliest and state.fits(item_id, qty, quoted, earliest=earliest):
        return quoted
    return earliest
