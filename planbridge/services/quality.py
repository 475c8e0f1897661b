"""Quality: log a complaint, return or NCR, close it, and see what quality has to say.

Sales (and planners, production, admins) log complaints and returns; production, planners and
admins log NCRs and close events. Each change is audited and changes the plant's version (quality
events are plant data: the next answer of every process reads them). Closing an event that is
already closed changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planbridge.errors import BadRequest, NotFound, PermissionDenied
from planbridge.records import AuditEntry
from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_item, find_order, find_user
from planbridge.services.quoting import language_for
from planning_core.model import (
    PlantSnapshot,
    QualityEvent,
    QualityEventKind,
    QualityEventStatus,
    Role,
    SalesOrder,
    User,
)
from planning_core.quality import QualityKpis, event_customer, quality_kpis, same_customer

NOTE_LENGTH = 1000  # the database column's size (integrations/csv_import/schema.py)
MAY_LOG: dict[QualityEventKind, frozenset[Role]] = {
    QualityEventKind.COMPLAINT: frozenset(Role),
    QualityEventKind.RETURN: frozenset(Role),
    QualityEventKind.NCR: frozenset({Role.PRODUCTION, Role.PLANNER, Role.ADMIN}),
}
MAY_CLOSE = frozenset({Role.PRODUCTION, Role.PLANNER, Role.ADMIN})


@dataclass(frozen=True)
class LogQualityEvent:
    kind: str  # complaint, return or ncr
    user_id: str | None
    item: str | None = None  # default: the order's item
    qty: float | str = 0.0
    customer: str | None = None  # default: the order's customer
    order_id: str | None = None
    note: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class CloseQualityEvent:
    event_id: str
    user_id: str | None
    language: str | None = None


@dataclass(frozen=True)
class QualityEventAnswer:
    event: QualityEvent
    changed: bool  # False: closing an event already closed
    language: str
    snapshot: PlantSnapshot


@dataclass(frozen=True)
class QualityQuery:
    customer: str | None = None
    item: str | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class QualityOverview:
    """Open complaints, returns and NCRs (of a customer or an item, when asked), and the KPIs."""

    kpis: QualityKpis
    events: tuple[QualityEvent, ...]
    customer: str | None
    item_id: str | None
    language: str
    snapshot: PlantSnapshot


def log_event(cmd: LogQualityEvent, ctx: ServiceContext) -> QualityEventAnswer:
    kind = _kind(cmd.kind)
    units = _units(cmd.qty)
    note = (cmd.note or "").strip() or None
    if note is not None and len(note) > NOTE_LENGTH:
        raise BadRequest(f"the note is {len(note)} characters long, at most {NOTE_LENGTH} are allowed")
    with ctx.uow_factory() as uow:
        uow.orders.lock()  # one writer of plant data at a time
        snapshot = ctx.plants.snapshot(uow)
        user = _user(snapshot, cmd.user_id, MAY_LOG[kind], f"log a {kind.value}")
        order = find_order(snapshot, cmd.order_id) if cmd.order_id else None
        item_id = _item_id(snapshot, cmd.item, order)
        customer = (cmd.customer or "").strip() or (order.customer if order else None)
        if kind is not QualityEventKind.NCR and customer is None:
            raise BadRequest(f"a {kind.value} needs a customer (--customer) or the order it is about (--order)")
        now = ctx.clock.now()
        event = QualityEvent(uow.quality.next_event_id(), ctx.as_of(None, snapshot), kind, item_id,
                             order.order_id if order else None, customer, units, QualityEventStatus.OPEN, note)
        uow.quality.add(event)
        uow.plant.bump_version()
        uow.audit.append(AuditEntry(now, user.user_id, "quality_log", event.event_id, {
            "kind": kind.value, "item_id": item_id, "qty": event.qty, "customer": customer,
            "order_id": event.order_id, "note": note,
        }))
        uow.commit()
    return QualityEventAnswer(event, True, language_for(snapshot, cmd.user_id, cmd.language), snapshot)


def close_event(cmd: CloseQualityEvent, ctx: ServiceContext) -> QualityEventAnswer:
    with ctx.uow_factory() as uow:
        uow.orders.lock()
        snapshot = ctx.plants.snapshot(uow)
        user = _user(snapshot, cmd.user_id, MAY_CLOSE, "close a quality event")
        event = uow.quality.get(cmd.event_id.strip())
        if event is None:
            raise NotFound(f"unknown quality event {cmd.event_id.strip()!r}")
        language = language_for(snapshot, cmd.user_id, cmd.language)
        if not event.is_open:
            return QualityEventAnswer(event, False, language, snapshot)
        uow.quality.set_status(event.event_id, QualityEventStatus.CLOSED)
        uow.plant.bump_version()
        uow.audit.append(AuditEntry(ctx.clock.now(), user.user_id, "quality_close", event.event_id,
                                    {"kind": event.kind.value, "item_id": event.item_id}))
        uow.commit()
    closed = QualityEvent(event.event_id, event.date, event.kind, event.item_id, event.order_id, event.customer_id,
                          event.qty, QualityEventStatus.CLOSED, event.note)
    return QualityEventAnswer(closed, True, language, snapshot)


def quality_overview(query: QualityQuery, ctx: ServiceContext) -> QualityOverview:
    """What quality has open (complaints, returns, NCRs), for a customer or an item when asked."""
    snapshot = ctx.snapshot()
    as_of = ctx.as_of(query.as_of, snapshot)
    item_id = find_item(snapshot, query.item).item_id if query.item else None
    customer = (query.customer or "").strip() or None
    events = tuple(sorted(
        (e for e in snapshot.quality_events
         if e.is_open and (item_id is None or e.item_id == item_id)
         and (customer is None or same_customer(event_customer(snapshot, e), customer))),
        key=lambda e: (e.date, e.event_id),
    ))
    return QualityOverview(quality_kpis(snapshot, as_of=as_of), events, customer, item_id,
                           language_for(snapshot, query.user_id, query.language), snapshot)


def _units(value: float | str) -> float:
    try:
        units = float(str(value).replace(",", "").strip() or 0)
    except ValueError:
        raise BadRequest(f"quantity {value!r} is not a number") from None
    if units != units or units < 0 or units == float("inf"):
        raise BadRequest(f"the quantity must be zero or more, not {value}")
    return units


def _kind(text: str) -> QualityEventKind:
    try:
        return QualityEventKind(text.strip().lower())
    except ValueError:
        raise BadRequest(f"the kind must be complaint, return or ncr, not {text!r}") from None


def _user(snapshot: PlantSnapshot, user_id: str | None, allowed: frozenset[Role], what: str) -> User:
    if not (user_id or "").strip():
        raise BadRequest("give a user (--user, or PLANBRIDGE_USER): the audit records who did it")
    user = find_user(snapshot, user_id or "")
    if user.role not in allowed:
        roles = ", ".join(sorted(r.value for r in allowed))
        raise PermissionDenied(f"{user.name} ({user.role.value}) may not {what}: that takes {roles}")
    return user


def _item_id(snapshot: PlantSnapshot, item: str | None, order: SalesOrder | None) -> str:
    if item:
        found = find_item(snapshot, item).item_id
        if order is not None and found != order.item_id and found not in snapshot.explode(order.item_id):
            raise BadRequest(f"order {order.order_id} is for {order.item_id}, which does not use {found}")
        return found
    if order is not None:
        return order.item_id
    raise BadRequest("give the item (--item) or the order (--order) the event is about")
