"""Documents of background jobs and digest subscriptions (the REST API's and the CLI's `--json`),
and the sentences chat says about subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from planbridge.presentation.catalogue import t
from planbridge.records import DigestSubscription, JobRecord


class JobDocument(BaseModel):
    """A background job: `queued`, `running`, then `succeeded` (with `result`) or `failed` (with `error`)."""

    job_id: str
    kind: str
    status: str
    params: dict[str, Any]
    submitted_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    url: str


def job_document(job: JobRecord) -> JobDocument:
    return JobDocument(job_id=job.job_id, kind=job.kind, status=job.status, params=job.params,
                       submitted_at=job.submitted_at, started_at=job.started_at, finished_at=job.finished_at,
                       attempts=job.attempts, result=job.result, error=job.error, url=f"/api/jobs/{job.job_id}")


class SubscriptionDocument(BaseModel):
    """A digest subscription: posted to `channel` at `at` in `timezone`, daily or on `weekday`."""

    id: int
    channel: str
    at: str
    timezone: str
    language: str
    weekday: str | None
    sections: list[str]
    owner: str | None
    source: str
    created_by: str | None
    created_at: datetime


def subscription_document(s: DigestSubscription) -> SubscriptionDocument:
    return SubscriptionDocument(id=s.subscription_id, channel=s.channel, at=s.at, timezone=s.timezone,
                                language=s.language, weekday=s.weekday, sections=list(s.sections), owner=s.owner,
                                source=s.source, created_by=s.created_by, created_at=s.created_at)


def subscription_line(s: DigestSubscription, language: str) -> str:
    when = t(language, "digest.weekly", weekday=s.weekday) if s.weekday else t(language, "digest.daily")
    return t(language, "digest.subscribed", id=s.subscription_id, channel=s.channel, at=s.at, timezone=s.timezone,
             when=when, language=s.language, sections=", ".join(s.sections))
