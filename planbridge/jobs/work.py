"""What a worker does with a job, a due digest or a chat event, wherever it runs (this process or a Celery worker)."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from planbridge import logs
from planbridge.chat.digests import DigestDelivery
from planbridge.chat.handlers import text_message
from planbridge.chat.ports import ChatChannel, Place
from planbridge.errors import PlanbridgeError
from planbridge.jobs.kinds import Chart, run_kind
from planbridge.metrics import JOBS_FINISHED, timed_job
from planbridge.presentation.cards import Card
from planbridge.presentation.catalogue import t
from planbridge.records import JobRecord
from planbridge.services.context import ServiceContext
from planbridge.services.jobs import claim_result_post, finish_job, start_job
from planbridge.services.quoting import language_for

log = logging.getLogger("planbridge.jobs")

WORKER = f"{socket.gethostname()[:60]}:{os.getpid()}"
MAX_ERROR = 500

# A platform's answerer of an accepted chat event (`EventQueue.answer_event`): it completes the event's
# receipt (`chat.once.complete`) and tells the person when answering fails. Wired by `bootstrap`.
EventAnswerer = Callable[[str | None, dict[str, Any]], None]


@dataclass
class JobWorker:
    services: ServiceContext
    channel: ChatChannel | None = None  # where results and digests are posted (None: nowhere)
    digests: DigestDelivery | None = None
    max_attempts: int = 3
    answerers: dict[str, EventAnswerer] = field(default_factory=dict)  # chat events, by platform

    def run(self, job_id: str) -> JobRecord | None:
        """Run a job once it is ours; its result goes to its row, and to chat once."""
        with logs.bound(job_id):
            job = start_job(self.services, job_id, worker=WORKER, max_attempts=self.max_attempts)
            if job is None:
                log.info("job %s is done, running elsewhere or tried too often: skipped", job_id)
                return None
            log.info("running %s job %s (attempt %s)", job.kind, job_id, job.attempts)
            with timed_job(job.kind) as outcome:
                try:
                    done = run_kind(job, self.services)
                except PlanbridgeError as exc:
                    self._fail(job, exc.message)
                    return job
                except Exception as exc:
                    log.exception("job %s failed", job_id)
                    self._fail(job, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip(": "))
                    return job
                finish_job(self.services, job_id, worker=WORKER, result=done.result, error=None)
                outcome["status"] = "succeeded"
            JOBS_FINISHED.labels(job.kind, "succeeded").inc()
            log.info("job %s succeeded", job_id)
            self._tell(job, done.card, done.chart)
            return job

    def deliver(self, subscription_id: int, period: date) -> bool:
        if self.digests is None:
            log.warning("no chat channel is configured: the digest of subscription %s is not posted", subscription_id)
            return False
        with logs.bound(f"digest-{subscription_id}-{period.isoformat()}"):
            return self.digests.deliver(subscription_id, period)

    def answer_event(self, platform: str, key: str | None, payload: dict[str, Any]) -> None:
        answerer = self.answerers.get(platform)
        if answerer is None:
            # Its receipt stays taken until the lease ends: then the platform's retry reaches a configured worker.
            log.error("no %s chat is configured in this worker: event %s is not answered", platform, key)
            return
        with logs.bound(key or f"{platform}-event"):
            answerer(key, payload)

    def _fail(self, job: JobRecord, error: str) -> None:
        finish_job(self.services, job.job_id, worker=WORKER, result=None, error=error[:MAX_ERROR])
        JOBS_FINISHED.labels(job.kind, "failed").inc()
        log.warning("job %s failed: %s", job.job_id, error)
        self._tell(job, lambda lang: text_message(t(lang, "job.failed", kind=t(lang, f"job.kind_{job.kind}"),
                                                    job_id=job.job_id, error=error[:MAX_ERROR])))

    def _tell(self, job: JobRecord, card: Callable[[str], Card], chart: Callable[[str], Chart] | None = None) -> None:
        if self.channel is None or not job.reply_channel:
            return
        if not claim_result_post(self.services, job.job_id):
            return  # a redelivered task: the first run told chat already
        language = self._language(job)
        self.channel.post(Place(job.reply_channel, job.reply_thread), card(language))
        if chart is not None:
            _post_chart(self.channel, job.reply_channel, chart, language)

    def _language(self, job: JobRecord) -> str:
        try:
            return language_for(self.services.snapshot(), job.submitted_by, None)
        except PlanbridgeError:
            return "en"


def _post_chart(channel: ChatChannel, place: str, chart: Callable[[str], Chart], language: str) -> None:
    # The result is told already: a chart that cannot be drawn or uploaded must not fail the job.
    try:
        drawn = chart(language)
        channel.post_image(place, drawn.png, filename=drawn.filename, title=drawn.title)
    except Exception:
        log.exception("the chart of a job could not be posted")
