"""What each kind of job does: call the services, keep the result document, and say it in chat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from planbridge.presentation import documents as doc
from planbridge.presentation.cards import Card, text_card
from planbridge.presentation.catalogue import t
from planbridge.presentation.digest import digest_card
from planbridge.records import JobRecord
from planbridge.services import material, quoting, scheduling
from planbridge.services.board import gantt_chart
from planbridge.services.context import ServiceContext
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.jobs import job_command


@dataclass(frozen=True)
class JobOutcome:
    result: dict[str, Any]  # the document `/api/jobs/{id}` returns
    card: Callable[[str], Card]  # what chat is told, in a reader's language
    chart: Callable[[str], Chart] | None = None  # a picture posted after the card, in a reader's language


@dataclass(frozen=True)
class Chart:
    png: bytes
    filename: str
    title: str


def run_kind(job: JobRecord, ctx: ServiceContext) -> JobOutcome:
    command = job_command(job.kind, job.params)
    return KINDS[job.kind](job, command, ctx)


def _schedule(job: JobRecord, command: Any, ctx: ServiceContext) -> JobOutcome:
    result = scheduling.make_schedule(command, ctx)
    document = doc.ScheduleDocument(**result.document).model_dump(mode="json")
    solver = document["solver"]
    orders = document["orders"]

    def card(lang: str) -> Card:
        return _text(t(lang, "job.schedule_done", job_id=job.job_id, orders=len(orders),
                       late=sum(1 for o in orders if o.get("late_days")), status=solver.get("status"),
                       seconds=f"{float(solver.get('seconds') or 0):.1f}"))

    def chart(lang: str) -> Chart:
        from planbridge.presentation.charts import gantt_png  # matplotlib only when a chart is posted

        gantt = gantt_chart(result.document, result.snapshot, at_risk=result.projected_late or ())
        title = t(lang, "board.gantt_title", day=result.as_of.isoformat(), days=gantt.days)
        return Chart(gantt_png(gantt), f"schedule-{result.as_of.isoformat()}.png", title)

    return JobOutcome(document, card, chart)


def _mrp(job: JobRecord, command: Any, ctx: ServiceContext) -> JobOutcome:
    document = doc.mrp_document(material.material_plan(command, ctx)).model_dump(mode="json")

    def card(lang: str) -> Card:
        return _text(t(lang, "job.mrp_done", job_id=job.job_id, planned=len(document["planned_orders"]),
                       shortages=len(document["shortages"])))

    return JobOutcome(document, card)


def _forecast(job: JobRecord, command: Any, ctx: ServiceContext) -> JobOutcome:
    document = doc.forecast_document(material.statistical_forecast(command, ctx)).model_dump(mode="json")
    return JobOutcome(document, lambda lang: _text(t(lang, "job.done", kind=t(lang, "job.kind_forecast"),
                                                     job_id=job.job_id)))


def _digest(job: JobRecord, command: Any, ctx: ServiceContext) -> JobOutcome:
    language = job.params.get("language")
    digest = build_digest(DigestCommand(as_of=command, language=language), ctx)
    figures = doc.digest_figures(digest).model_dump(mode="json")
    return JobOutcome({"figures": figures}, lambda lang: digest_card(build_digest(
        DigestCommand(as_of=command, language=language or lang), ctx)))


def _promise_state(job: JobRecord, command: Any, ctx: ServiceContext) -> JobOutcome:
    result = rebuild_promise_state(ctx, as_of=command)
    return JobOutcome(result, lambda lang: _text(t(lang, "job.done", kind=t(lang, "job.kind_promise_state"),
                                                   job_id=job.job_id)))


def rebuild_promise_state(ctx: ServiceContext, *, as_of: date | None = None) -> dict[str, Any]:
    """Build the promise state of the plant's new version after an import (the job `promise_state`):
    the committed-capacity ledger of every confirmed order, saved in the promise-state store, where
    the command line and the web processes sharing that store load it instead of building it again."""
    snapshot = ctx.snapshot()
    day = ctx.as_of(as_of, snapshot)
    with ctx.uow_factory() as uow:
        version = uow.plant.version()
    engine = quoting.promise_engine(ctx, snapshot, day)
    return {"plant_version": version, "as_of": day.isoformat(), "open_orders": len(snapshot.open_orders),
            "projected_orders": len(engine.projection.projected_day)}


def _text(text: str) -> Card:
    return Card(text, text_card(text).parts, text_only=True)


KINDS: dict[str, Callable[[JobRecord, Any, ServiceContext], JobOutcome]] = {
    "schedule": _schedule, "mrp": _mrp, "forecast": _forecast, "digest": _digest, "promise_state": _promise_state,
}
