"""Who runs background work: a Celery worker when PLANBRIDGE_BROKER_URL is set, else this process.

Both take the same three kinds of work: a stored job (`run_job`), a due digest (`deliver_digest`) and
an accepted chat event to answer (`answer_event`: the web process only records and acknowledges it).
The in-process runner is a small thread pool with a bounded queue: past it, new work is refused
(jobs get a clear error; a refused digest is retried by the scheduler's next look at due claims; a
refused event is given back, so the platform's retry is answered). Chat events have a pool of their
own, so a long schedule never holds up an answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from planbridge.errors import PlanbridgeError

if TYPE_CHECKING:
    from celery import Celery

    from planbridge.jobs.work import JobWorker

log = logging.getLogger("planbridge.jobs")


class Busy(PlanbridgeError):
    """Too many jobs wait already: try again in a while."""


class JobRunner(Protocol):
    name: str

    def run_job(self, job_id: str) -> None: ...
    def deliver_digest(self, subscription_id: int, period: date) -> None: ...
    def answer_event(self, platform: str, key: str | None, payload: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


class InProcessRunner:
    """Runs work on a bounded pool of threads of this process (no broker configured)."""

    name = "in-process"

    def __init__(self, worker: Callable[[], JobWorker], *, threads: int, queue_size: int,
                 event_executor: Executor | None = None, event_queue_size: int = 1000) -> None:
        """`event_executor` answers chat events (default: a pool of `threads` threads of its own)."""
        self._worker = worker
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="planbridge-job")
        self._slots = threading.BoundedSemaphore(queue_size + threads)
        self._owns_event_pool = event_executor is None
        self._event_pool = event_executor or ThreadPoolExecutor(max_workers=threads, thread_name_prefix="planbridge-chat")
        self._event_slots = threading.BoundedSemaphore(event_queue_size + threads)

    def run_job(self, job_id: str) -> None:
        self._submit(lambda: self._worker().run(job_id), what=f"job {job_id}")

    def deliver_digest(self, subscription_id: int, period: date) -> None:
        self._submit(lambda: self._worker().deliver(subscription_id, period),
                     what=f"the digest of subscription {subscription_id}")

    def answer_event(self, platform: str, key: str | None, payload: dict[str, Any]) -> None:
        self._submit(lambda: self._worker().answer_event(platform, key, payload),
                     what=f"the {platform} event {key or ''}".rstrip(), pool=self._event_pool, slots=self._event_slots)

    def _submit(self, work: Callable[[], object], *, what: str, pool: Executor | None = None,
                slots: threading.BoundedSemaphore | None = None) -> None:
        pool, slots = pool or self._pool, slots or self._slots
        if not slots.acquire(blocking=False):
            raise Busy(f"too many background jobs are waiting: {what} was not started, try again later")

        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("background work failed: %s", what)
            finally:
                slots.release()

        pool.submit(run)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._owns_event_pool:
            self._event_pool.shutdown(wait=False, cancel_futures=True)


class CeleryRunner:
    """Sends work to the Celery workers (`planbridge worker`) through the broker."""

    name = "celery"

    def __init__(self, app: Celery, *, queue: str) -> None:
        self.app = app
        self.queue = queue

    def run_job(self, job_id: str) -> None:
        self.app.send_task("planbridge.run_job", args=[job_id], queue=self.queue)

    def deliver_digest(self, subscription_id: int, period: date) -> None:
        self.app.send_task("planbridge.deliver_digest", args=[subscription_id, period.isoformat()], queue=self.queue)

    def answer_event(self, platform: str, key: str | None, payload: dict[str, Any]) -> None:
        # The event travels in the task (a few kB): the receipt row, not the task, says whether it was answered.
        self.app.send_task("planbridge.answer_event", args=[platform, key, payload], queue=self.queue)

    def close(self) -> None:
        self.app.close()
