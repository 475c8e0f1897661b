"""The JSON documents the CLI prints and the REST API returns (CONTRACT section 2), as pydantic models.

Each is built from a service's typed answer; the REST API declares them as `response_model`s,
so OpenAPI describes every answer. Keys follow the contract (keys may be added, never removed
or renamed). Documents whose contents the planning core already shapes (MRP, KPIs, schedules)
declare the contract's keys and carry the rest as extra fields.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from planbridge.presentation import quotes
from planbridge.presentation.formats import iso, number
from planbridge.presentation.names import item_name, resource_name
from planning_core.plan import Plan

if TYPE_CHECKING:
    from planbridge.records import AuditEntry, StoredRequest
    from planbridge.services.availability import AvailableAnswer
    from planbridge.services.digest import Digest, OrderLine
    from planbridge.services.material import ForecastAnswer, KpiAnswer, MrpAnswer
    from planbridge.services.orders import Booking
    from planbridge.services.quoting import QuoteAnswer, RushAnswer
    from planbridge.services.requests import RequestAnswer

Number = int | float
D = TypeVar("D", bound="Document")


class Document(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_dict(self) -> dict[str, Any]:
        """The document as plain JSON values (what `--json` prints)."""
        return self.model_dump(mode="json")

    def __getitem__(self, key: str) -> Any:
        """A document reads like the JSON it prints: `quote["promise_date"]` is the ISO date."""
        return self.to_dict()[key]


class OpenDocument(Document):
    """A document with the contract's keys declared and everything else the core reports kept as it is."""

    model_config = ConfigDict(frozen=True, extra="allow")


# -- quotes, rushes, bookings ------------------------------------------------------------------


class PartialDelivery(Document):
    qty: Number
    date: dt.date


class Constraint(Document):
    kind: str
    resource_id: str | None
    item_id: str | None
    detail: str


class ReviewCheck(Document):
    status: str
    reason: str


class Review(Document):
    technical: ReviewCheck
    material: ReviewCheck
    capacity: ReviewCheck
    date: ReviewCheck
    quality: ReviewCheck | None = None  # None: a document written before quality was reviewed (issue 16)


class QuoteDocument(Document):
    """`planbridge quote --json`: the promise, partial deliveries, binding constraints, order review.

    `exact` is false for a first answer (feasible, possibly later than the exact earliest day);
    `first_answer_date` holds the first answer when the exact day came out earlier.
    """

    item_id: str
    item_name: str
    qty: Number
    due_date: dt.date | None
    as_of: dt.date
    promise_date: dt.date | None
    feasible_by_due: bool | None
    partial: list[PartialDelivery]
    constraints: list[Constraint]
    review: Review
    customer: str | None
    language: str
    explanation: str
    exact: bool = True
    first_answer_date: dt.date | None = None


class QuoteWithPlan(QuoteDocument):
    plan: dict[str, list[dict[str, Any]]]


class BookingDocument(QuoteDocument):
    """A booked quote: promised at the date asked (`requested_date`) when the plant can hold it,
    else at `earliest_date`, the earliest day it can."""

    order_id: str
    booked: bool = True
    requested_date: dt.date | None = None
    earliest_date: dt.date | None = None


class ImpactedOrder(Document):
    order_id: str
    customer: str
    item_id: str
    qty: Number
    promised_date: dt.date
    projected_date: dt.date | None
    days_late: int | None


class RushDocument(Document):
    """`planbridge rush --json`: when the rushed order can be ready and every order that would slip."""

    order_id: str | None
    item_id: str
    qty: Number
    customer: str | None
    due_date: dt.date
    as_of: dt.date
    promise_date: dt.date | None
    feasible_by_due: bool
    impacted: list[ImpactedOrder]
    language: str
    explanation: str


class RushWithPlan(RushDocument):
    plan: dict[str, list[dict[str, Any]]]


class AvailableDocument(Document):
    """`planbridge available --json`: the largest quantity whose promise is on or before `by`, and
    when those units are ready. `unlimited`: a bought item that arrives in time, any quantity;
    `exact` false: the search stopped at its time limit (at least `qty`)."""

    item_id: str
    item_name: str
    by: dt.date
    as_of: dt.date
    qty: Number
    schedule: list[PartialDelivery]
    unlimited: bool
    exact: bool
    earliest_date: dt.date | None
    customer: str | None
    language: str
    explanation: str


def available_document(answer: AvailableAnswer) -> AvailableDocument:
    a, lang = answer.availability, answer.language
    return AvailableDocument(
        item_id=a.item_id, item_name=answer.item_name, by=a.by, as_of=answer.as_of, qty=number(a.qty),
        schedule=[PartialDelivery(qty=number(p.qty), date=p.date) for p in a.schedule],
        unlimited=a.unlimited, exact=a.exact, earliest_date=answer.earliest, customer=answer.customer, language=lang,
        explanation=quotes.available_explanation(a, answer.snapshot, lang, as_of=answer.as_of,
                                                 earliest=answer.earliest),
    )


def quote_document(answer: QuoteAnswer, *, with_plan: bool = False) -> QuoteDocument:
    q, lang, snapshot = answer.quote, answer.language, answer.snapshot
    review = q.review
    fields: dict[str, Any] = {
        "item_id": q.item_id,
        "item_name": answer.item_name,
        "qty": number(q.qty),
        "due_date": q.due_date,
        "as_of": q.as_of,
        "promise_date": q.promise_date,
        "feasible_by_due": q.feasible_by_due,
        "partial": [PartialDelivery(qty=number(p.qty), date=p.date) for p in q.partial],
        "constraints": [
            Constraint(kind=c.kind.value, resource_id=c.resource_id, item_id=c.item_id,
                       detail=quotes.constraint_detail(c, snapshot, lang, today=q.as_of))
            for c in q.constraints
        ],
        "review": Review(**{
            name: ReviewCheck(status=check.status.value, reason=quotes.review_reason(name, check, lang, snapshot))
            for name, check in (("technical", review.technical), ("material", review.material),
                                ("capacity", review.capacity), ("date", review.date), ("quality", review.quality))
        }),
        "customer": answer.customer,
        "language": lang,
        "explanation": quotes.quote_explanation(q, snapshot, lang, customer=answer.customer),
        "exact": answer.exact,
        "first_answer_date": answer.first_answer_date,
    }
    return _with_plan(QuoteDocument, QuoteWithPlan, fields, q.plan if with_plan else None)


def booking_document(booking: Booking) -> BookingDocument:
    quote = quote_document(booking.answer)
    return BookingDocument(**dict(quote), order_id=booking.order_id, requested_date=booking.requested_date,
                           earliest_date=booking.earliest_date)


def rush_document(answer: RushAnswer, *, with_plan: bool = False) -> RushDocument:
    r = answer.impact
    fields: dict[str, Any] = {
        "order_id": r.order_id,
        "item_id": r.item_id,
        "qty": number(r.qty),
        "customer": answer.customer,
        "due_date": r.due_date,
        "as_of": r.as_of,
        "promise_date": r.promise_date,
        "feasible_by_due": r.feasible_by_due,
        "impacted": [
            ImpactedOrder(order_id=i.order_id, customer=i.customer, item_id=i.item_id, qty=number(i.qty),
                          promised_date=i.promised_date, projected_date=i.projected_date, days_late=i.days_late)
            for i in r.impacted
        ],
        "language": answer.language,
        "explanation": quotes.rush_explanation(r, answer.snapshot, answer.language, change=answer.change),
    }
    return _with_plan(RushDocument, RushWithPlan, fields, r.plan if with_plan else None)


def _with_plan(plain: type[D], planned: type[D], fields: dict[str, Any], plan: Plan | None) -> D:
    """The document, with the plan behind the answer when one is asked for and there is one."""
    return plain(**fields) if plan is None else planned(**fields, plan=plan_document(plan))


def plan_document(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The plan behind an answer: operations, purchases and deliveries (datetimes in the plant's zone)."""
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


# -- change requests and the audit log ---------------------------------------------------------


class RequestDocument(Document):
    """A rush, change or cancellation request with the impact analysis it holds."""

    request_id: str
    kind: str
    order_id: str | None
    status: str
    requested_by: str
    decided_by: str | None
    created_at: str
    decided_at: str | None
    payload: dict[str, Any]
    impact: dict[str, Any]
    explanation: str
    to_repromise: list[RepromiseDocument] = []


class RepromiseDocument(Document):
    """An order an approved change made late: flagged to re-promise; its owner is told."""

    order_id: str
    customer: str
    owner: str | None
    promised_date: dt.date
    projected_date: dt.date | None


def request_document(request: StoredRequest, explanation: str = "") -> RequestDocument:
    return RequestDocument(
        request_id=request.request_id, kind=request.kind, order_id=request.order_id, status=request.status,
        requested_by=request.requested_by, decided_by=request.decided_by, created_at=request.created_at.isoformat(),
        decided_at=request.decided_at.isoformat() if request.decided_at else None, payload=request.payload,
        impact=request.impact, explanation=explanation,
    )


def request_answer_document(answer: RequestAnswer) -> RequestDocument:
    document = request_document(answer.request, answer.explanation)
    return document.model_copy(update={"to_repromise": [
        RepromiseDocument(order_id=r.order_id, customer=r.customer, owner=r.owner, promised_date=r.promised_date,
                          projected_date=r.projected_date)
        for r in answer.to_repromise
    ]})


class AuditEntryDocument(Document):
    at: str
    user_id: str | None
    action: str
    subject: str | None
    detail: dict[str, Any]


def audit_document(entry: AuditEntry) -> AuditEntryDocument:
    return AuditEntryDocument(at=entry.at.isoformat(), user_id=entry.user_id, action=entry.action,
                              subject=entry.subject, detail=entry.detail)


# -- material, KPIs, forecast, schedule, digest -----------------------------------------------


class MrpDocument(OpenDocument):
    """`planbridge mrp --json`."""

    planned_orders: list[dict[str, Any]]
    shortages: list[dict[str, Any]]
    exceptions: list[dict[str, Any]]


def mrp_document(answer: MrpAnswer) -> MrpDocument:
    document: dict[str, Any] = answer.result.to_json()
    document["shortages"] = [
        {**s.to_json(), "text": line} for s, line in zip(answer.result.shortages, answer.shortage_lines, strict=True)
    ]
    return MrpDocument(**document)


class KpiDocument(OpenDocument):
    """`planbridge kpi --json`: the contract's figures, and the lists behind them."""

    otd_last_30_days: float | None
    otif_last_30_days: float | None
    backlog_orders: int
    late_open_orders: int
    utilization_next_14_days: dict[str, float | None]
    shortages: int


def kpi_document(answer: KpiAnswer) -> KpiDocument:
    return KpiDocument(**answer.report.to_json())


class ForecastDocument(OpenDocument):
    saved: dict[str, Any] | None


def forecast_document(answer: ForecastAnswer) -> ForecastDocument:
    document = answer.run.to_json()
    saved = answer.saved
    document["saved"] = None if saved is None else {
        "rows": saved.written, "items": saved.items,
        "kept_imported": list(saved.kept_imported), "replaced_imported_rows": saved.replaced_imported,
    }
    return ForecastDocument(**document)


class ScheduleDocument(OpenDocument):
    """`planbridge schedule --json` (datetimes ISO 8601 in the plant's time zone)."""

    operations: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    solver: dict[str, Any]


class DigestFigures(OpenDocument):
    """The digest's key figures, machine-readable (the KPI names of the contract where they exist)."""

    plant: str
    as_of: dt.date
    language: str


def digest_figures(digest: Digest) -> DigestFigures:
    lang, snapshot = digest.language, digest.snapshot
    return DigestFigures(
        plant=digest.plant_name,
        as_of=digest.as_of,
        language=digest.language,
        otd_last_30_days=digest.otd,
        otif_last_30_days=digest.otif,
        shipped_last_30_days=digest.shipped,
        on_time_last_30_days=digest.on_time,
        backlog_orders=digest.backlog,
        late_open_orders=len(digest.late_open),
        at_risk_orders=len(digest.at_risk),
        shortages=digest.shortage_count,
        utilization_next_14_days={r.resource_id: r.utilization for r in digest.resources},
        utilization_source=digest.utilization_source,
        pending_requests=len(digest.pending),
        late_open=[_order_line(o, item_name(snapshot, o.item_id, lang)) for o in digest.late_open],
        at_risk=[_order_line(o, item_name(snapshot, o.item_id, lang)) for o in digest.at_risk],
        top_shortages=[
            {"item_id": s.item_id, "item_name": item_name(snapshot, s.item_id, lang), "uom": s.uom, "date": s.short_from.isoformat(),
             "until": iso(s.until), "qty": number(s.qty), "orders": list(s.orders), "customers": list(s.customers)}
            for s in digest.top_shortages
        ],
        resources=[
            {"resource_id": r.resource_id, "name": resource_name(snapshot, r.resource_id, lang), "utilization": r.utilization, "load_ratio": r.load_ratio,
             "overloaded": r.overloaded}
            for r in digest.resources
        ],
        otd_trend=[{"last_day": p.last_day.isoformat(), "shipped": p.shipped, "on_time": p.on_time, "otd": p.otd}
                   for p in digest.trend],
        pending=[
            {"request_id": p.request_id, "kind": p.kind, "order_id": p.order_id, "requested_by": p.requested_by,
             "requested_by_name": p.requested_by_name, "created_at": p.created_at.isoformat(),
             "promise_date": p.promise_date, "impacted_orders": p.impacted}
            for p in digest.pending
        ],
        projected_late_orders=len(digest.projected_late),
        projected_late=[
            {"order_id": p.order_id, "customer": p.customer, "item_name": item_name(snapshot, p.item_id, lang), "qty": number(p.qty),
             "promised_date": p.promised_date.isoformat(), "projected_date": iso(p.projected_date)}
            for p in digest.projected_late
        ],
        **({"quality": digest.quality.to_json()} if digest.quality is not None else {}),
    )


def _order_line(o: OrderLine, name: str) -> dict[str, Any]:
    return {"order_id": o.order_id, "customer": o.customer, "item_id": o.item_id, "item_name": name,
            "qty": number(o.qty), "due_date": o.due_date.isoformat(), "days_late": o.days_late,
            "short_items": list(o.short_items)}


class DigestDocument(Document):
    """`planbridge digest --json` and `/api/digest`: the text, the chat card as Block Kit, and the figures."""

    text: str
    blocks: list[dict[str, Any]]
    figures: DigestFigures


# -- language ----------------------------------------------------------------------------------


class SlotsDocument(Document):
    item_id: str | None
    qty: Number | None
    due_date: dt.date | None
    customer: str | None
    order_id: str | None
    resource_id: str | None
    metric: str | None


class UnmatchedDocument(Document):
    item: str | None
    order: str | None
    resource: str | None


class WindowDocument(Document):
    from_: dt.date = Field(alias="from")
    to: dt.date

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)


class ParseDocument(Document):
    """`planbridge parse --json`: intent, all seven slots, and who produced them; `window` is the
    period a list, load or KPI question is about (null when none was named)."""

    intent: str
    slots: SlotsDocument
    source: str
    confidence: float
    language: str
    unmatched: UnmatchedDocument
    asks_approval: bool
    note: str | None
    follow_up: bool
    context_used: bool
    window: WindowDocument | None = None


class FactsDocument(OpenDocument):
    """The facts behind a chat answer that has no document of its own (orders, stock, KPIs, shortages)."""


class ChangeDocument(Document):
    """What a change or cancellation asked in chat would be (nothing is changed)."""

    intent: Literal["change", "cancel"]
    language: str
    order: dict[str, Any]
    requested: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"order": self.order, "requested": self.requested}


AnswerDocument = QuoteDocument | RushDocument | AvailableDocument | ChangeDocument | DigestFigures | FactsDocument


class AskDocument(Document):
    """`planbridge ask --json`: the reply the bot would post, the parse behind it, and the answer's document."""

    reply: str
    language: str
    intent: str
    parse: ParseDocument
    needs: str | None
    suggestions: list[str]
    answer: dict[str, Any] | None
    error: str | None
    thread_id: str | None
