"""Who runs background work: a Celery worker when PLANBRIDGE_BROKER_URL is set, else this process.

Both take the same two kinds of work: a stored job (`run_job`) and a due digest (`deliver_digest`).
The in-process runner is a small thread pool with a bounded queue: past it, new work is refused
(jobs get a clear error; a refused digest is retried by the scheduler's next look at due claims).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Protocol

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
    def close(self) -> None: ...


class InProcessRunner:
    """Runs work on a bounded pool of threads of this process (no broker configured)."""

    name = "in-process"

    def __init__(self, worker: Callable[[], JobWorker], *, threads: int, queue_size: int) -> None:
        self._worker = worker
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="planbridge-job")
        self._slots = threading.BoundedSemaphore(queue_size + threads)

    def run_job(self, job_id: str) -> None:
        self._submit(lambda: self._worker().run(job_id), what=f"job {job_id}")

    def deliver_digest(self, subscription_id: int, period: date) -> None:
        self._submit(lambda: self._worker().deliver(subscription_id, period),
                     what=f"the digest of subscription {subscription_id}")

    def _submit(self, work: Callable[[], object], *, what: str) -> None:
        if not self._slots.acquire(blocking=False):
            raise Busy(f"too many background jobs are waiting: {what} was not started, try again later")

        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("background work failed: %s", what)
            finally:
                self._slots.release()

        self._pool.submit(run)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


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

    def close(self) -> None:
        self.app.close()
