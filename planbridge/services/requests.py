"""Urgent changes: a rush, quantity/date change or cancellation becomes a *request* with its
impact analysis; only a production lead (or admin) can approve it, and only approval
changes confirmed orders. Every request and decision goes to the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from planbridge.errors import BadRequest, Conflict, NotFound, PermissionDenied
from planbridge.presentation.catalogue import t
from planbridge.presentation.documents import rush_document
from planbridge.presentation.formats import qty
from planbridge.records import AuditEntry, JournalEntry, JournalKind, RequestKind, RequestStatus, StoredRequest
from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_item, find_order, find_user
from planbridge.services.ports import UnitOfWork
from planbridge.services.quoting import RushAnswer, language_for, positive_quantity
from planning_core.ctp.promising import PromiseEngine
from planning_core.model import OrderStatus, PlantSnapshot, Priority, SalesOrder, User


@dataclass(frozen=True)
class CreateRequest:
    kind: RequestKind
    user_id: str
    order_id: str | None = None
    due: date | None = None
    qty: float | None = None
    item: str | None = None  # a rush for a new order: item, qty and customer
    customer: str | None = None
    note: str | None = None
    as_of: date | None = None


@dataclass(frozen=True)
class Decide:
    request_id: str
    user_id: str
    approve: bool
    reason: str | None = None
    as_of: date | None = None


@dataclass(frozen=True)
class RequestAnswer:
    """A request as stored, and what its requester or decider is told (in their language); after an
    approval, the orders it made late, each with its owner to tell (they are flagged to re-promise)."""

    request: StoredRequest
    explanation: str
    to_repromise: tuple[Repromise, ...] = ()
    requester_explanation: str | None = None  # the same words in the requester's language, after a decision


@dataclass(frozen=True)
class Repromise:
    """An order an approved change made late: who owns it, and where it now stands."""

    order_id: str
    customer: str
    owner: str | None
    promised_date: date
    projected_date: date | None


def create_request(cmd: CreateRequest, ctx: ServiceContext) -> RequestAnswer:
    with ctx.uow_factory() as uow:
        snapshot = ctx.plants.snapshot(uow)
        user = find_user(snapshot, cmd.user_id)
        as_of = ctx.as_of(cmd.as_of, snapshot)
        payload = _payload(cmd, snapshot, as_of, limit=ctx.settings.max_qty)
        engine = ctx.plants.engine(uow, as_of)
        impact, explanation, _ = _impact(payload, engine, language_for(snapshot, user.user_id, None),
                                      deadline=ctx.deadline())
        now = ctx.clock.now()
        request = StoredRequest(
            request_id=f"REQ-{uuid.uuid4().hex[:6].upper()}", kind=cmd.kind.value, order_id=payload.get("order_id"),
            payload=payload, impact=impact, status=RequestStatus.PENDING.value, requested_by=user.user_id,
            decided_by=None, created_at=now, decided_at=None, plant_version=uow.plant.version(),
        )
        uow.requests.add(request)
        uow.audit.append(AuditEntry(now, user.user_id, f"request_{cmd.kind.value}", request.order_id or request.request_id,
                                    {"request_id": request.request_id, "payload": payload, "impact": impact}))
        uow.commit()
    return RequestAnswer(request, explanation)


def decide_request(cmd: Decide, ctx: ServiceContext) -> RequestAnswer:
    """Approve or reject. Refuses anyone whose role may not approve, and changes nothing then."""
    with ctx.uow_factory() as uow:
        uow.orders.lock()
        snapshot = ctx.plants.snapshot(uow)
        user = find_user(snapshot, cmd.user_id)
        request = uow.requests.get(cmd.request_id, for_update=True)
        if request is None:
            raise NotFound(f"unknown request {cmd.request_id!r}")
        now = ctx.clock.now()
        if not user.may_approve:  # refused, and the refusal is on record
            uow.audit.append(AuditEntry(now, user.user_id, "approve_refused" if cmd.approve else "reject_refused",
                                        request.order_id or request.request_id,
                                        {"request_id": request.request_id, "role": user.role.value}))
            uow.commit()
            _may_decide(user)
        if request.status != RequestStatus.PENDING.value:
            raise Conflict(f"{request.request_id} was already {request.status} by {request.decided_by}")
        lang = language_for(snapshot, user.user_id, None)
        requester_lang = language_for(snapshot, request.requested_by, None)
        if not cmd.approve:
            uow.requests.decide(request.request_id, status=RequestStatus.REJECTED.value, user_id=user.user_id, at=now,
                                impact=request.impact)
            _audit_decision(uow, request, user, cmd, now, changes={}, impact=request.impact)
            uow.commit()
            return RequestAnswer(_decided(uow, request), t(lang, "request.rejected", request_id=request.request_id),
                                 requester_explanation=t(requester_lang, "request.rejected",
                                                         request_id=request.request_id))
        as_of = ctx.as_of(cmd.as_of, snapshot)
        with ctx.plants.changing(uow, as_of) as resident:
            # The impact on today's data, and the change applied as every process replays it.
            impact, explanation, told = _impact(request.payload, resident.engine, lang, deadline=ctx.deadline(),
                                                also=requester_lang)
            changes, kind, changed = _apply(request, impact, snapshot, uow)
            entries = [(JournalEntry(uow.orders.record(kind, changed.order_id, at=now), kind, changed.order_id, now),
                        changed)]
            flagged = _flag_to_repromise(request, impact, snapshot, uow)
            for order in flagged:
                seq = uow.orders.record(JournalKind.REPROMISE, order.order_id, at=now)
                entries.append((JournalEntry(seq, JournalKind.REPROMISE, order.order_id, now), order))
            uow.requests.decide(request.request_id, status=RequestStatus.APPROVED.value, user_id=user.user_id, at=now,
                                impact=impact)
            _audit_decision(uow, request, user, cmd, now, changes={**changes, "to_repromise": [
                {"order_id": o.order_id, "owner": o.owner, "projected_date": iso(o.projected_date)} for o in flagged
            ]}, impact=impact)
            uow.commit()
            for entry, order in entries:
                ctx.plants.applied(resident, entry, order)
        notes = tuple(Repromise(o.order_id, o.customer, o.owner, o.due_date, o.projected_date) for o in flagged)
        return RequestAnswer(_decided(uow, request), explanation, notes, requester_explanation=told)


def _flag_to_repromise(request: StoredRequest, impact: dict[str, Any], snapshot: PlantSnapshot,
                       uow: UnitOfWork) -> list[SalesOrder]:
    """Every order the approved change makes late gets its projected date and the request recorded."""
    flagged = []
    for row in impact.get("impacted", []):
        order = snapshot.orders_by_id.get(row["order_id"])
        if order is None or not order.is_open:
            continue
        projected = date.fromisoformat(row["projected_date"]) if row.get("projected_date") else None
        uow.orders.update(order.order_id, projected_date=projected, repromise_request=request.request_id)
        flagged.append(replace(order, projected_date=projected, repromise_request=request.request_id))
    return flagged


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _audit_decision(uow: UnitOfWork, request: StoredRequest, user: User, cmd: Decide, now: datetime, *,
                    changes: dict[str, Any], impact: dict[str, Any]) -> None:
    uow.audit.append(AuditEntry(now, user.user_id, "approve" if cmd.approve else "reject",
                                request.order_id or request.request_id,
                                {"request_id": request.request_id, "changes": changes, "reason": cmd.reason,
                                 "impact": impact}))


def _decided(uow: UnitOfWork, request: StoredRequest) -> StoredRequest:
    decided = uow.requests.get(request.request_id)
    assert decided is not None
    return decided


def list_requests(ctx: ServiceContext, *, status: str | None = None, limit: int = 50) -> list[StoredRequest]:
    with ctx.uow_factory() as uow:
        return uow.requests.list(status=status, limit=limit)


def audit_log(ctx: ServiceContext, *, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
    with ctx.uow_factory() as uow:
        return uow.audit.list(subject=subject, limit=limit)


# -- helpers ------------------------------------------------------------------------
def _may_decide(user: User) -> None:
    if not user.may_approve:
        raise PermissionDenied(
            f"{user.name} ({user.role.value}) may not approve or reject changes: only production or admin users can"
        )


def _payload(cmd: CreateRequest, snapshot: PlantSnapshot, as_of: date, *, limit: float) -> dict[str, Any]:
    if cmd.due is not None and cmd.due < as_of:
        raise BadRequest(f"due date {cmd.due.isoformat()} is before today ({as_of.isoformat()})")
    payload: dict[str, Any] = {"as_of": as_of.isoformat(), "note": cmd.note}
    if cmd.order_id is None:
        if cmd.kind is not RequestKind.RUSH or cmd.item is None or cmd.qty is None or cmd.due is None:
            raise BadRequest("a change or cancellation needs an order id; a rush needs an order id or --item, --qty and --due")
        item = find_item(snapshot, cmd.item)
        return {**payload, "item_id": item.item_id, "qty": positive_quantity(cmd.qty, limit=limit), "due": cmd.due.isoformat(),
                "customer": cmd.customer or "?"}
    order = find_order(snapshot, cmd.order_id)
    if not order.is_open:
        raise BadRequest(f"order {order.order_id} is {order.status.value}: only confirmed orders can change")
    payload["order_id"] = order.order_id
    if cmd.kind is RequestKind.RUSH:
        if cmd.due is None:
            raise BadRequest("a rush needs --due")
        return {**payload, "due": cmd.due.isoformat()}
    if cmd.kind is RequestKind.CHANGE:
        if cmd.qty is None and cmd.due is None:
            raise BadRequest("a change needs a new --qty, a new --due, or both")
        new_qty = positive_quantity(cmd.qty, limit=limit) if cmd.qty is not None else order.qty
        return {**payload, "qty": new_qty, "due": (cmd.due or order.due_date).isoformat(), "old_qty": order.qty,
                "old_due": order.due_date.isoformat()}
    return payload


def _impact(payload: dict[str, Any], engine: PromiseEngine, lang: str, *, deadline: float | None,
            also: str | None = None) -> tuple[dict[str, Any], str, str]:
    """The impact analysis held by a request: what happens to everyone else if it is approved; its
    words in `lang`, and in `also` (the requester's language, when someone else decides)."""
    snapshot = engine.snapshot
    if "due" not in payload:  # a cancellation frees capacity and hurts nobody
        order = snapshot.orders_by_id[payload["order_id"]]
        text = {language: t(language, "request.cancel_impact", order=order.order_id, qty=qty(order.qty),
                            item=order.item_id) for language in {lang, also or lang}}
        return {"impacted": [], "promise_date": None}, text[lang], text[also or lang]
    due = date.fromisoformat(payload["due"])
    if "order_id" in payload:
        order = snapshot.orders_by_id[payload["order_id"]]
        if "qty" in payload:  # a change: the order at its new size, held to its new date first
            order = replace(order, qty=float(payload["qty"]), promised_date=due)
        result = engine.rush(due=due, order=order, deadline=deadline)
        customer: str | None = order.customer
    else:
        result = engine.rush(due=due, item_id=payload["item_id"], qty=float(payload["qty"]), deadline=deadline)
        customer = payload.get("customer")
    # The request keeps the impact analysis as its requester saw it, words included (the audit record).
    document = rush_document(RushAnswer(result, customer, lang, snapshot, change="qty" in payload))
    told = document if not also or also == lang else rush_document(
        RushAnswer(result, customer, also, snapshot, change="qty" in payload))
    return document.to_dict(), document.explanation, told.explanation


def _apply(request: StoredRequest, impact: dict[str, Any], snapshot: PlantSnapshot,
           uow: UnitOfWork) -> tuple[dict[str, Any], JournalKind, SalesOrder]:
    """Change confirmed orders as approved; returns what changed (for the audit log), the journal
    entry's kind and the order as it now stands."""
    payload = request.payload
    promise = impact.get("promise_date")
    if request.kind == RequestKind.CANCEL.value and request.order_id is not None:
        uow.orders.update(request.order_id, status=OrderStatus.CANCELLED.value)
        cancelled = replace(snapshot.orders_by_id[request.order_id], status=OrderStatus.CANCELLED)
        return {"order_id": request.order_id, "status": "cancelled"}, JournalKind.CANCEL, cancelled
    if promise is None:
        raise Conflict(f"{request.request_id} can no longer be met at all: reject it or ask for a new request")
    if request.order_id is None:  # a rush for a new order becomes a confirmed rush order
        order = SalesOrder(uow.orders.next_order_id(), payload.get("customer") or "?", payload["item_id"],
                           float(payload["qty"]), date.fromisoformat(payload["due"]), date.fromisoformat(promise),
                           Priority.RUSH, OrderStatus.CONFIRMED, owner=request.requested_by)
        uow.orders.add(order, source="rush_request", at=request.created_at)
        changes = {"order_id": order.order_id, "created": True, "promised_date": promise, "priority": "rush"}
        return changes, JournalKind.RUSH, order
    before = snapshot.orders_by_id[request.order_id]
    values: dict[str, Any] = {"promised_date": date.fromisoformat(promise), "projected_date": None,
                              "repromise_request": None}
    if request.kind == RequestKind.RUSH.value:
        values["priority"] = Priority.RUSH.value
        kind = JournalKind.RUSH
        after = replace(before, promised_date=values["promised_date"], priority=Priority.RUSH, projected_date=None,
                        repromise_request=None)
    else:
        values["qty"] = float(payload["qty"])
        values["requested_date"] = date.fromisoformat(payload["due"])
        kind = JournalKind.CHANGE
        after = replace(before, promised_date=values["promised_date"], qty=values["qty"],
                        requested_date=values["requested_date"], projected_date=None, repromise_request=None)
    uow.orders.update(request.order_id, **values)
    changes = {
        "order_id": request.order_id,
        **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v is not None},
        "previous": {"promised_date": before.due_date.isoformat(), "qty": before.qty, "priority": before.priority.value},
    }
    return changes, kind, after
