"""Background jobs: long work (a full schedule, MRP, a forecast, a digest, rebuilding the promise
state after an import) asked for now and run by a worker, in this process or a Celery worker.

A job is a row: submitted as `queued`, taken by one worker (`running`), then `succeeded` with its
result document or `failed` with a one-line error. `/api/jobs/{id}` reads it. A redelivered task
(its worker died) runs the job again, at most `max_attempts` times; its chat result is posted once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from planbridge.errors import BadRequest, NotFound
from planbridge.records import JobRecord, JobStatus
from planbridge.services.context import ServiceContext
from planbridge.services.material import ForecastCommand, MrpCommand
from planbridge.services.scheduling import MakeSchedule

MAX_SCHEDULE_SECONDS = 3600.0
PARAMETERS: dict[str, frozenset[str]] = {
    "schedule": frozenset({"as_of", "time_limit", "save"}),
    "mrp": frozenset({"as_of", "horizon_days", "bucket", "forecast"}),
    "forecast": frozenset({"as_of", "horizon_weeks", "holdout_weeks", "save"}),
    "digest": frozenset({"as_of", "language"}),
    "promise_state": frozenset({"as_of"}),
}
JOB_KINDS = tuple(PARAMETERS)


@dataclass(frozen=True)
class SubmitJob:
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    reply_channel: str | None = None  # post the result there (in `reply_thread` when set)
    reply_thread: str | None = None


def submit_job(cmd: SubmitJob, ctx: ServiceContext) -> JobRecord:
    """Store a queued job after checking its parameters (a bad one is refused and nothing is stored)."""
    params = dict(cmd.params)
    job_command(cmd.kind, params)
    job = JobRecord(job_id=f"J-{uuid.uuid4().hex[:12]}", kind=cmd.kind, params=params,
                    status=JobStatus.QUEUED.value, submitted_at=ctx.clock.now(), submitted_by=cmd.user_id,
                    reply_channel=cmd.reply_channel, reply_thread=cmd.reply_thread)
    with ctx.uow_factory() as uow:
        uow.jobs.add(job)
        uow.commit()
    return job


def get_job(ctx: ServiceContext, job_id: str) -> JobRecord:
    with ctx.uow_factory() as uow:
        job = uow.jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    return job


def start_job(ctx: ServiceContext, job_id: str, *, worker: str, max_attempts: int) -> JobRecord | None:
    """The job for `worker` to run now; None when it is done, running elsewhere or tried too often."""
    with ctx.uow_factory() as uow:
        started = uow.jobs.start(job_id, worker=worker, at=ctx.clock.now(), max_attempts=max_attempts)
        uow.commit()
        return uow.jobs.get(job_id) if started else None


def finish_job(ctx: ServiceContext, job_id: str, *, worker: str, result: dict[str, Any] | None,
               error: str | None) -> bool:
    with ctx.uow_factory() as uow:
        done = uow.jobs.finish(job_id, worker=worker, at=ctx.clock.now(), result=result, error=error)
        uow.commit()
    return done


def claim_result_post(ctx: ServiceContext, job_id: str) -> bool:
    """True for the one caller that may post the job's result to chat."""
    with ctx.uow_factory() as uow:
        mine = uow.jobs.mark_result_posted(job_id, at=ctx.clock.now())
        uow.commit()
    return mine


def job_command(kind: str, params: Mapping[str, Any]) -> Any:
    """The service command a job runs, checked now (bad kinds and values are refused at submission)."""
    if kind not in PARAMETERS:
        raise BadRequest(f"job kind must be one of {', '.join(JOB_KINDS)}, not {kind!r}")
    unknown = sorted(set(params) - PARAMETERS[kind])
    if unknown:
        raise BadRequest(f"unknown parameter(s) for a {kind} job: {', '.join(unknown)}")
    as_of = _date(params.get("as_of"))
    try:
        if kind == "schedule":
            limit = float(params.get("time_limit", 30.0))
            if not 0 < limit <= MAX_SCHEDULE_SECONDS:
                raise BadRequest(f"time_limit must be between 0 and {MAX_SCHEDULE_SECONDS:g} s, not {limit:g}")
            return MakeSchedule(as_of=as_of, time_limit=limit, save=bool(params.get("save", True)))
        if kind == "mrp":
            return MrpCommand(horizon_days=int(params.get("horizon_days", 90)), bucket=str(params.get("bucket", "day")),
                              as_of=as_of, use_forecast=bool(params.get("forecast", True)))
        if kind == "forecast":
            return ForecastCommand(horizon_weeks=int(params.get("horizon_weeks", 12)),
                                   holdout_weeks=int(params.get("holdout_weeks", 8)), save=bool(params.get("save", False)),
                                   as_of=as_of)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"bad parameter for a {kind} job: {exc}") from None
    if kind == "digest" and params.get("language") not in (None, "en", "zh", "zh-Hant"):
        raise BadRequest(f"language must be en, zh or zh-Hant, not {params.get('language')!r}")
    return as_of


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadRequest(f"as_of must be a date (YYYY-MM-DD), not {value!r}") from None
