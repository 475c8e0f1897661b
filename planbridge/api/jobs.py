"""/api/jobs (long work in the background) and /api/digests (digest subscriptions)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from planbridge.api.deps import Services
from planbridge.chat.ports import JobQueue
from planbridge.presentation.jobs import JobDocument, SubscriptionDocument, job_document, subscription_document
from planbridge.services import jobs, subscriptions
from planbridge.services.context import ServiceContext

jobs_router = APIRouter(prefix="/api")
JobKind = Literal["schedule", "mrp", "forecast", "digest", "promise_state"]


class JobBody(BaseModel):
    kind: JobKind
    params: dict[str, Any] = Field(default_factory=dict, description="As the CLI's options: `time_limit`, `as_of`, ...")
    user: str | None = Field(None, max_length=100, description="Who asks (their language for the chat reply).")
    reply_channel: str | None = Field(None, max_length=100, description="Post the result to this chat channel.")
    reply_thread: str | None = Field(None, max_length=100, description="... in this thread.")


class SubscriptionBody(BaseModel):
    channel: str = Field(max_length=100)
    at: Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}$", description="HH:MM, local time in `timezone`")]
    timezone: str | None = Field(None, description="IANA zone (default: the plant's)")
    language: Literal["en", "zh", "zh-Hant"] | None = None
    weekly: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] | None = None
    sections: list[Literal["sales", "production", "management"]] = Field(default_factory=list)
    owner: str | None = Field(None, max_length=100, description="A sales rep: the sales section lists their orders only.")
    user: str | None = Field(None, max_length=100)


def job_queue(request: Request, services: ServiceContext) -> JobQueue:
    queue: JobQueue | None = request.app.state.jobs
    if queue is None:  # an app built without a runtime (tests, embedding): a small pool here
        from planbridge.bootstrap import job_runner, job_worker

        settings = services.settings
        queue = request.app.state.jobs = job_runner(settings, job_worker(services, settings, channel=None))
    return queue


@jobs_router.post("/jobs", tags=["jobs"], status_code=202, response_model=JobDocument,
                  summary="Start long work (schedule, MRP, forecast, digest, promise state) in the background")
def submit(body: JobBody, request: Request, services: Services) -> JobDocument:
    job = jobs.submit_job(jobs.SubmitJob(kind=body.kind, params=body.params, user_id=body.user,
                                         reply_channel=body.reply_channel, reply_thread=body.reply_thread), services)
    job_queue(request, services).run_job(job.job_id)
    return job_document(job)


@jobs_router.get("/jobs/{job_id}", tags=["jobs"], response_model=JobDocument,
                 summary="A job's status, and its result when it succeeded (404 for an unknown id)")
def status(job_id: str, services: Services) -> JobDocument:
    return job_document(jobs.get_job(services, job_id))


@jobs_router.get("/digests", tags=["digests"], response_model=list[SubscriptionDocument],
                 summary="Digest subscriptions")
def list_digests(services: Services, channel: str | None = None) -> list[SubscriptionDocument]:
    return [subscription_document(s) for s in subscriptions.list_subscriptions(services, channel=channel)]


@jobs_router.post("/digests", tags=["digests"], status_code=201, response_model=SubscriptionDocument,
                  summary="Subscribe a channel to the digest (daily, or weekly on one day) with its audience's sections")
def add_digest(body: SubscriptionBody, services: Services) -> SubscriptionDocument:
    command = subscriptions.Subscribe(channel=body.channel, at=body.at, timezone=body.timezone, language=body.language,
                                      weekly=body.weekly, sections=list(body.sections), owner=body.owner, source="api",
                                      user_id=body.user)
    return subscription_document(subscriptions.subscribe(command, services))


@jobs_router.delete("/digests/{subscription_id}", tags=["digests"], response_model=SubscriptionDocument,
                    summary="Remove a digest subscription")
def remove_digest(subscription_id: int, services: Services) -> SubscriptionDocument:
    return subscription_document(subscriptions.unsubscribe(services, subscription_id))
