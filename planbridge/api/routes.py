"""The /api/ routes: each turns its input into a service command and returns the answer's typed document.

No planning and no queries here: the same services answer the CLI and the bot, and the same
documents (`planbridge.presentation.documents`) are the CLI's `--json` and these responses.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from planbridge.api.deps import Services
from planbridge.api.schemas import (
    AskBody,
    AvailableBody,
    BookBody,
    DecisionBody,
    ParseBody,
    QualityCloseBody,
    QualityEventBody,
    QuoteBody,
    RequestBody,
    RushBody,
    ScheduleBody,
)
from planbridge.chat import conversation
from planbridge.errors import BadRequest, NotFound
from planbridge.metrics import timed_quote
from planbridge.presentation import documents as doc
from planbridge.presentation import quality as quality_docs
from planbridge.presentation.digest import digest_document
from planbridge.records import RequestKind
from planbridge.services import (
    availability,
    board,
    language,
    material,
    orders,
    quality,
    quoting,
    requests,
    scheduling,
)
from planbridge.services import digest as digests

router = APIRouter(prefix="/api")
Language = Literal["en", "zh", "zh-Hant"]
MAX_API_TIME_LIMIT = 120.0


# -- quotes, rushes, bookings ----------------------------------------------------------------


@router.post("/quote", tags=["quoting"], summary="Capable-to-promise quote (as `planbridge quote --json`)",
             response_model=doc.QuoteDocument)
def quote_post(body: QuoteBody, services: Services,
               exact: Annotated[bool | None, Query(description="false: the first answer only")] = None,
               ) -> doc.QuoteDocument:
    return _quote(body if exact is None else body.model_copy(update={"exact": exact}), services)


@router.get("/quote", tags=["quoting"], summary="Capable-to-promise quote from query parameters",
            response_model=doc.QuoteDocument)
def quote_get(body: Annotated[QuoteBody, Query()], services: Services) -> doc.QuoteDocument:
    return _quote(body, services)


def _quote(body: QuoteBody, services: Services) -> doc.QuoteDocument:
    command = quoting.QuoteCommand(item=body.item, qty=body.qty, due=body.due, customer=body.customer,
                                   as_of=body.as_of, user_id=body.user, language=body.lang, exact=body.exact)
    answer = timed_quote("api", lambda: quoting.quote(command, services), exact_of=lambda a: a.exact)
    return doc.quote_document(answer)


@router.get("/available", tags=["quoting"], response_model=doc.AvailableDocument,
            summary="The largest quantity whose promise is on or before a date (as `planbridge available --json`)")
def available_get(body: Annotated[AvailableBody, Query()], services: Services) -> doc.AvailableDocument:
    command = availability.AvailableCommand(item=body.item, by=body.by, customer=body.customer, as_of=body.as_of,
                                            user_id=body.user, language=body.lang)
    return doc.available_document(availability.available_by(command, services))


@router.post("/rush", tags=["quoting"], summary="Rush impact analysis (as `planbridge rush --json`); changes nothing",
             response_model=doc.RushDocument)
def rush(body: RushBody, services: Services) -> doc.RushDocument:
    command = quoting.RushCommand(due=body.due, order_id=body.order_id, item=body.item, qty=body.qty,
                                  customer=body.customer, as_of=body.as_of, user_id=body.user, language=body.lang)
    return doc.rush_document(quoting.rush_impact(command, services))


@router.post("/book", tags=["quoting"], status_code=201, response_model=doc.BookingDocument,
             summary="Book an order at its promise date (re-quoted inside the booking transaction)")
def book(body: BookBody, services: Services) -> doc.BookingDocument:
    command = orders.BookOrder(item=body.item, qty=body.qty, customer=body.customer, due=body.due,
                               as_of=body.as_of, user_id=body.user, language=body.lang, quoted=body.quoted)
    return doc.booking_document(orders.book_order(command, services))


# -- change requests -------------------------------------------------------------------------


@router.get("/requests", tags=["requests"], summary="Change requests, newest first",
            response_model=list[doc.RequestDocument])
def list_requests(
    services: Services,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[doc.RequestDocument]:
    return [doc.request_document(r) for r in requests.list_requests(services, status=status, limit=limit)]


@router.post("/requests", tags=["requests"], status_code=201, response_model=doc.RequestDocument,
             summary="Create a rush, change or cancellation request with its impact analysis")
def create_request(body: RequestBody, services: Services) -> doc.RequestDocument:
    command = requests.CreateRequest(kind=RequestKind(body.kind), user_id=body.user, order_id=body.order_id,
                                     due=body.due, qty=body.qty, item=body.item, customer=body.customer,
                                     note=body.note, as_of=body.as_of)
    return doc.request_answer_document(requests.create_request(command, services))


@router.post("/requests/{request_id}/approve", tags=["requests"], response_model=doc.RequestDocument,
             summary="Approve (production or admin users only; others get 403 and nothing changes)")
def approve(request_id: str, body: DecisionBody, services: Services) -> doc.RequestDocument:
    return _decide(request_id, body, services, approve=True)


@router.post("/requests/{request_id}/reject", tags=["requests"], summary="Reject (production or admin users only)",
             response_model=doc.RequestDocument)
def reject(request_id: str, body: DecisionBody, services: Services) -> doc.RequestDocument:
    return _decide(request_id, body, services, approve=False)


def _decide(request_id: str, body: DecisionBody, services: Services, *, approve: bool) -> doc.RequestDocument:
    command = requests.Decide(request_id=request_id, user_id=body.user, approve=approve, reason=body.reason,
                              as_of=body.as_of)
    return doc.request_answer_document(requests.decide_request(command, services))


@router.get("/audit", tags=["requests"], summary="The audit log: bookings, requests, decisions, digests",
            response_model=list[doc.AuditEntryDocument])
def audit(
    services: Services,
    subject: Annotated[str | None, Query(description="An order or request id.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[doc.AuditEntryDocument]:
    return [doc.audit_document(e) for e in requests.audit_log(services, subject=subject, limit=limit)]


# -- material, KPIs, schedule, digest --------------------------------------------------------


@router.get("/mrp", tags=["planning"], summary="Time-phased MRP (as `planbridge mrp --json`)",
            response_model=doc.MrpDocument)
def mrp(
    services: Services,
    horizon_days: int = 90,
    bucket: Literal["day", "week"] = "day",
    as_of: date | None = None,
    forecast: bool = True,
) -> doc.MrpDocument:
    command = material.MrpCommand(horizon_days=horizon_days, bucket=bucket, as_of=as_of, use_forecast=forecast)
    return doc.mrp_document(material.material_plan(command, services))


@router.get("/kpi", tags=["planning"], summary="KPI figures (as `planbridge kpi --json`)",
            response_model=doc.KpiDocument)
def kpi(services: Services, period_days: int = 30, as_of: date | None = None) -> doc.KpiDocument:
    return doc.kpi_document(material.kpis(material.KpiCommand(period_days=period_days, as_of=as_of), services))


@router.get("/quality", tags=["quality"], response_model=quality_docs.QualityOverviewDocument,
            summary="Open complaints, returns and NCRs (of a customer or an item), held stock, quality KPIs")
def quality_overview(services: Services, customer: str | None = None, item: str | None = None,
                     as_of: date | None = None, lang: Language | None = None) -> quality_docs.QualityOverviewDocument:
    query = quality.QualityQuery(customer=customer, item=item, as_of=as_of, language=lang)
    return quality_docs.overview_document(quality.quality_overview(query, services))


@router.post("/quality/events", tags=["quality"], status_code=201, response_model=quality_docs.QualityEventDocument,
             summary="Log a complaint or return (sales) or an NCR (production); audited")
def log_quality_event(body: QualityEventBody, services: Services) -> quality_docs.QualityEventDocument:
    command = quality.LogQualityEvent(kind=body.kind, user_id=body.user, item=body.item, qty=body.qty,
                                      customer=body.customer, order_id=body.order_id, note=body.note, language=body.lang)
    return quality_docs.event_document(quality.log_event(command, services))


@router.post("/quality/events/{event_id}/close", tags=["quality"], response_model=quality_docs.QualityEventDocument,
             summary="Close a complaint, return or NCR (production, planners, admins); closing twice changes nothing")
def close_quality_event(event_id: str, body: QualityCloseBody, services: Services) -> quality_docs.QualityEventDocument:
    command = quality.CloseQualityEvent(event_id=event_id, user_id=body.user, language=body.lang)
    return quality_docs.event_document(quality.close_event(command, services))


@router.get("/schedule", tags=["planning"], summary="The newest saved schedule (404 when none was saved)",
            response_model=doc.ScheduleDocument)
def latest_schedule(services: Services) -> doc.ScheduleDocument:
    saved = scheduling.latest_saved_schedule(services)
    if saved is None:
        raise NotFound("no schedule has been saved yet: POST /api/schedule with save=true, or `planbridge schedule --save`")
    return doc.ScheduleDocument(**{**saved.document, "saved_id": saved.schedule_id,
                                   "saved_at": saved.created_at.isoformat(), "plant_version": saved.plant_version})


@router.get("/schedule/gantt.png", tags=["planning"], response_class=Response,
            summary="The newest saved schedule as a Gantt chart (PNG; 404 when none was saved)",
            responses={200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The Gantt chart as a PNG image"}})
def schedule_gantt(services: Services,
                   days: Annotated[int | None, Query(ge=board.MIN_DAYS, le=board.MAX_DAYS)] = None) -> Response:
    from planbridge.presentation.charts import gantt_png  # matplotlib only when a chart is asked for

    chart = board.saved_gantt(services, days=days)
    if chart is None:
        raise NotFound("no schedule has been saved yet: POST /api/schedule with save=true, or `planbridge schedule --save`")
    return Response(gantt_png(chart), media_type="image/png")


@router.post("/schedule", tags=["planning"], response_model=doc.ScheduleDocument,
             summary="Schedule all open orders now (as `planbridge schedule --json`), within a time limit")
def make_schedule(body: ScheduleBody, services: Services) -> doc.ScheduleDocument:
    if body.time_limit > MAX_API_TIME_LIMIT:
        raise BadRequest(f"time_limit {body.time_limit:g} s is too long for an HTTP request: at most {MAX_API_TIME_LIMIT:g} s")
    command = scheduling.MakeSchedule(as_of=body.as_of, time_limit=body.time_limit, save=body.save,
                                      campaign_window_days=body.campaign_window_days)
    return doc.ScheduleDocument(**scheduling.make_schedule(command, services).document)


@router.get("/digest", tags=["planning"], summary="The daily digest: text, Block Kit blocks and figures",
            response_model=doc.DigestDocument)
def digest(request: Request, services: Services, lang: Language | None = None,
           as_of: date | None = None) -> doc.DigestDocument:
    built = digests.build_digest(digests.DigestCommand(as_of=as_of, language=lang), services)
    return digest_document(built, render=request.app.state.render_card)


@router.get("/digest/chart.png", tags=["planning"], summary="The digest chart (PNG)",
            response_class=Response, responses={200: {"content": {"image/png": {
                "schema": {"type": "string", "format": "binary"}}}, "description": "The chart as a PNG image"}})
def digest_chart(services: Services, lang: Language | None = None, as_of: date | None = None) -> Response:
    from planbridge.presentation.charts import digest_chart as draw

    built = digests.build_digest(digests.DigestCommand(as_of=as_of, language=lang), services)
    return Response(draw(built), media_type="image/png")


# -- language --------------------------------------------------------------------------------


@router.post("/parse", tags=["language"], summary="Free text → intent and slots (as `planbridge parse --json`)",
             response_model=doc.ParseDocument)
def parse(body: ParseBody, services: Services) -> doc.ParseDocument:
    request = language.parse_text(language.ParseCommand(text=body.text, as_of=body.as_of, mode=body.mode), services)
    return doc.ParseDocument.model_validate(request.to_json())


@router.post("/ask", tags=["language"], summary="Free text → the reply the bot would post (as `planbridge ask --json`)",
             response_model=doc.AskDocument)
def ask(body: AskBody, services: Services) -> doc.AskDocument:
    command = conversation.AskCommand(text=body.text, user_id=body.user, thread_id=body.thread, as_of=body.as_of,
                                      mode=body.mode)
    return conversation.ask_document(conversation.ask(command, services))
