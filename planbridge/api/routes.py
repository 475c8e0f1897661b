"""The /api/ routes: each turns its input into a service command and returns the service's JSON.

No planning and no queries here: the same services answer the CLI and the bot.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from planbridge.api.deps import Services
from planbridge.api.schemas import (
    AskBody,
    BookBody,
    DecisionBody,
    ParseBody,
    QuoteBody,
    RequestBody,
    RushBody,
    ScheduleBody,
)
from planbridge.errors import BadRequest, NotFound
from planbridge.services import digest as digests
from planbridge.services import language, material, orders, quoting, requests, scheduling
from planbridge.services.records import RequestKind

router = APIRouter(prefix="/api")
MAX_API_TIME_LIMIT = 120.0

Json = dict[str, Any]


# -- quotes, rushes, bookings ----------------------------------------------------------------


@router.post("/quote", tags=["quoting"], summary="Capable-to-promise quote (as `planbridge quote --json`)")
def quote_post(body: QuoteBody, services: Services) -> Json:
    return _quote(body, services)


@router.get("/quote", tags=["quoting"], summary="Capable-to-promise quote from query parameters")
def quote_get(body: Annotated[QuoteBody, Query()], services: Services) -> Json:
    return _quote(body, services)


def _quote(body: QuoteBody, services: Services) -> Json:
    command = quoting.QuoteCommand(item=body.item, qty=body.qty, due=body.due, customer=body.customer,
                                   as_of=body.as_of, user_id=body.user, language=body.lang)
    return quoting.quote(command, services).to_json()


@router.post("/rush", tags=["quoting"], summary="Rush impact analysis (as `planbridge rush --json`); changes nothing")
def rush(body: RushBody, services: Services) -> Json:
    command = quoting.RushCommand(due=body.due, order_id=body.order_id, item=body.item, qty=body.qty,
                                  customer=body.customer, as_of=body.as_of, user_id=body.user, language=body.lang)
    return quoting.rush_impact(command, services).to_json()


@router.post("/book", tags=["quoting"], status_code=201,
             summary="Book an order at its promise date (re-quoted inside the booking transaction)")
def book(body: BookBody, services: Services) -> Json:
    command = orders.BookOrder(item=body.item, qty=body.qty, customer=body.customer, due=body.due,
                               as_of=body.as_of, user_id=body.user, language=body.lang)
    return orders.book_order(command, services).to_json()


# -- change requests -------------------------------------------------------------------------


@router.get("/requests", tags=["requests"], summary="Change requests, newest first")
def list_requests(
    services: Services,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[Json]:
    return [requests.RequestAnswer(r, "").to_json() for r in requests.list_requests(services, status=status, limit=limit)]


@router.post("/requests", tags=["requests"], status_code=201,
             summary="Create a rush, change or cancellation request with its impact analysis")
def create_request(body: RequestBody, services: Services) -> Json:
    command = requests.CreateRequest(kind=RequestKind(body.kind), user_id=body.user, order_id=body.order_id,
                                     due=body.due, qty=body.qty, item=body.item, customer=body.customer,
                                     note=body.note, as_of=body.as_of)
    return requests.create_request(command, services).to_json()


@router.post("/requests/{request_id}/approve", tags=["requests"],
             summary="Approve (production or admin users only; others get 403 and nothing changes)")
def approve(request_id: str, body: DecisionBody, services: Services) -> Json:
    return _decide(request_id, body, services, approve=True)


@router.post("/requests/{request_id}/reject", tags=["requests"], summary="Reject (production or admin users only)")
def reject(request_id: str, body: DecisionBody, services: Services) -> Json:
    return _decide(request_id, body, services, approve=False)


def _decide(request_id: str, body: DecisionBody, services: Services, *, approve: bool) -> Json:
    command = requests.Decide(request_id=request_id, user_id=body.user, approve=approve, reason=body.reason,
                              as_of=body.as_of)
    return requests.decide_request(command, services).to_json()


@router.get("/audit", tags=["requests"], summary="The audit log: bookings, requests, decisions, digests")
def audit(
    services: Services,
    subject: Annotated[str | None, Query(description="An order or request id.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Json]:
    return [{"at": e.at.isoformat(), "user_id": e.user_id, "action": e.action, "subject": e.subject, "detail": e.detail}
            for e in requests.audit_log(services, subject=subject, limit=limit)]


# -- material, KPIs, schedule, digest --------------------------------------------------------


@router.get("/mrp", tags=["planning"], summary="Time-phased MRP (as `planbridge mrp --json`)")
def mrp(
    services: Services,
    horizon_days: int = 90,
    bucket: Literal["day", "week"] = "day",
    as_of: date | None = None,
    forecast: bool = True,
) -> Json:
    command = material.MrpCommand(horizon_days=horizon_days, bucket=bucket, as_of=as_of, use_forecast=forecast)
    return material.material_plan(command, services).to_json()


@router.get("/kpi", tags=["planning"], summary="KPI figures (as `planbridge kpi --json`)")
def kpi(services: Services, period_days: int = 30, as_of: date | None = None) -> Json:
    return material.kpis(material.KpiCommand(period_days=period_days, as_of=as_of), services).to_json()


@router.get("/schedule", tags=["planning"], summary="The newest saved schedule (404 when none was saved)")
def latest_schedule(services: Services) -> Json:
    saved = scheduling.latest_saved_schedule(services)
    if saved is None:
        raise NotFound("no schedule has been saved yet: POST /api/schedule with save=true, or `planbridge schedule --save`")
    return {**saved.document, "saved_id": saved.schedule_id, "saved_at": saved.created_at.isoformat(),
            "plant_version": saved.plant_version}


@router.post("/schedule", tags=["planning"],
             summary="Schedule all open orders now (as `planbridge schedule --json`), within a time limit")
def make_schedule(body: ScheduleBody, services: Services) -> Json:
    if body.time_limit > MAX_API_TIME_LIMIT:
        raise BadRequest(f"time_limit {body.time_limit:g} s is too long for an HTTP request: at most {MAX_API_TIME_LIMIT:g} s")
    command = scheduling.MakeSchedule(as_of=body.as_of, time_limit=body.time_limit, save=body.save,
                                      campaign_window_days=body.campaign_window_days)
    return scheduling.make_schedule(command, services).document


@router.get("/digest", tags=["planning"], summary="The daily digest: text, Block Kit blocks and figures")
def digest(services: Services, lang: Literal["en", "zh"] | None = None, as_of: date | None = None) -> Json:
    from bot.views.digest import digest_document

    return digest_document(digests.build_digest(digests.DigestCommand(as_of=as_of, language=lang), services))


@router.get("/digest/chart.png", tags=["planning"], summary="The digest chart (PNG)",
            response_class=Response, responses={200: {"content": {"image/png": {}}}})
def digest_chart(services: Services, lang: Literal["en", "zh"] | None = None, as_of: date | None = None) -> Response:
    from bot.views.chart import digest_chart as draw

    built = digests.build_digest(digests.DigestCommand(as_of=as_of, language=lang), services)
    return Response(draw(built), media_type="image/png")


# -- language --------------------------------------------------------------------------------


@router.post("/parse", tags=["language"], summary="Free text → intent and slots (as `planbridge parse --json`)")
def parse(body: ParseBody, services: Services) -> Json:
    return language.parse_text(language.ParseCommand(text=body.text, as_of=body.as_of, mode=body.mode), services).to_json()


@router.post("/ask", tags=["language"], summary="Free text → the reply the bot would post (as `planbridge ask --json`)")
def ask(body: AskBody, services: Services) -> Json:
    command = language.AskCommand(text=body.text, user_id=body.user, thread_id=body.thread, as_of=body.as_of,
                                  mode=body.mode)
    return language.ask(command, services).to_json()
