"""The Celery app: a broker (Redis) from PLANBRIDGE_BROKER_URL, one queue, and three tasks.

Tasks carry ids (a chat event carries the platform's event too); the job row, the digest claim or
the event's receipt in the database is the truth, so a task delivered twice (acks are late: a
worker killed mid-task has its task redelivered) does its work once. Results are kept in the
database, not in the broker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from celery import Celery

from planbridge.settings import Settings

if TYPE_CHECKING:
    from planbridge.jobs.work import JobWorker

VISIBILITY_SECONDS = 3600  # a task unacknowledged this long (its worker died) is delivered again


def make_celery(settings: Settings, *, worker: Callable[[], JobWorker] | None = None) -> Celery:
    """The Celery app on the settings' broker; `worker` gives the `JobWorker` that runs tasks
    (only the worker process needs it: the web processes only send)."""
    if not settings.broker_url:
        raise ValueError("PLANBRIDGE_BROKER_URL is not set")
    app = Celery("planbridge", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=settings.job_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_max_tasks_per_child=200,
        task_time_limit=settings.job_time_limit_seconds,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": max(VISIBILITY_SECONDS, settings.job_time_limit_seconds * 2)},
    )
    if worker is not None:
        _register_tasks(app, worker)
    return app


def _register_tasks(app: Celery, worker: Callable[[], JobWorker]) -> None:
    @app.task(name="planbridge.run_job")  # type: ignore[untyped-decorator]
    def run_job(job_id: str) -> None:
        worker().run(job_id)

    @app.task(name="planbridge.deliver_digest")  # type: ignore[untyped-decorator]
    def deliver_digest(subscription_id: int, period: str) -> None:
        worker().deliver(int(subscription_id), date.fromisoformat(period))

    @app.task(name="planbridge.answer_events")  # type: ignore[untyped-decorator]
    def answer_events(platform: str, events: list[list[Any]]) -> None:
        for key, payload in events:
            worker().answer_event(platform, key, payload)

    _: Any = (run_job, deliver_digest, answer_events)
