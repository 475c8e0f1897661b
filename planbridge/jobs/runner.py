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
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Protocol

from planbridge.chat.ports import AcceptedEvent
from planbridge.errors import PlanbridgeError

if TYPE_CHECKING:
    from celery import Celery

    from planbridge.jobs.work import JobWorker

log = logging.getLogger("planbridge.jobs")

EVENTS_PER_TASK = 5  # a Celery task answers this many chat events of a burst, one after the other


class Busy(PlanbridgeError):
    """Too many jobs wait already: try again in a while."""


class JobRunner(Protocol):
    name: str

    def run_job(self, job_id: str) -> None: ...
    def deliver_digest(self, subscription_id: int, period: date) -> None: ...
    def answer_events(self, platform: str, events: Sequence[AcceptedEvent]) -> None: ...
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

    def answer_events(self, platform: str, events: Sequence[AcceptedEvent]) -> None:
        held = 0
        while held < len(events) and self._event_slots.acquire(blocking=False):
            held += 1
        if held < len(events):  # all or none: the caller gives every receipt back
            for _ in range(held):
                self._event_slots.release()
            raise Busy(f"too many chat events are waiting: {len(events)} {platform} events were not taken")
        for key, payload in events:
            self._start(lambda key=key, payload=payload: self._worker().answer_event(platform, key, payload),  # type: ignore[misc]
                        what=f"the {platform} event {key or ''}".rstrip(), pool=self._event_pool,
                        slots=self._event_slots)

    def _submit(self, work: Callable[[], object], *, what: str) -> None:
        if not self._slots.acquire(blocking=False):
            raise Busy(f"too many background jobs are waiting: {what} was not started, try again later")
        self._start(work, what=what, pool=self._pool, slots=self._slots)

    @staticmethod
    def _start(work: Callable[[], object], *, what: str, pool: Executor, slots: threading.BoundedSemaphore) -> None:
        """Run `work` on `pool`; its slot (already held) is released when it ends."""
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

    def answer_events(self, platform: str, events: Sequence[AcceptedEvent]) -> None:
        # The events travel in the tasks (a few kB each): the receipt rows, not the tasks, say whether each was
        # answered. A burst goes in a few tasks of a few events (one Redis round trip each, not one per event)
        # that the worker pool shares out; the log shows the count, not the events.
        for start in range(0, len(events), EVENTS_PER_TASK):
            chunk = [[key, payload] for key, payload in events[start:start + EVENTS_PER_TASK]]
            self.app.send_task("planbridge.answer_events", args=[platform, chunk], queue=self.queue,
                               argsrepr=f"({platform!r}, {len(chunk)} events)")

    def close(self) -> None:
        self.app.close()
