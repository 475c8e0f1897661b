"""Taking in a burst of chat events: each is recorded once and handed over, many to a statement.

Acknowledging an event must stay quick however many arrive at once (Slack re-sends what is not
acknowledged within 3 s), so the request only offers the event here and waits for its hand-over.
One thread takes whatever has gathered meanwhile: one INSERT records the receipts of them all
(`chat.once.accept_many`: a delivery already answered, queued or being answered is not taken), and
each one taken is handed to the `EventQueue` (a Celery worker, or the in-process runner). A hand-over
that fails gives its receipt back, so the platform's retry is taken.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from planbridge.chat.once import accept_many, release
from planbridge.chat.ports import EventQueue
from planbridge.services.context import ServiceContext

log = logging.getLogger("planbridge.chat")

MAX_BATCH = 500  # receipts in one INSERT


@dataclass(frozen=True)
class Offered:
    key: str | None  # None: an event without an id, handed over every time
    payload: dict[str, Any]
    handed_over: Future[bool] = field(default_factory=Future)


class EventIntake:
    """Records offered events in batches and hands the new ones over (see the module)."""

    def __init__(self, services: ServiceContext, events: EventQueue, platform: str) -> None:
        self.services = services
        self.events = events
        self.platform = platform
        self._offered: queue.SimpleQueue[Offered] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def offer(self, key: str | None, payload: dict[str, Any]) -> Future[bool]:
        """The event's hand-over: True once handed over, False when an earlier delivery has it; it raises
        what recording or handing over raised."""
        offered = Offered(key, payload)
        self._ensure_running()
        self._offered.put(offered)
        return offered.handed_over

    def _ensure_running(self) -> None:
        if self._thread is not None:
            return
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"{self.platform}-intake", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._offered.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._offered.get_nowait())
                except queue.Empty:
                    break
            try:
                self.take(batch)
            except BaseException as exc:  # a database failure: every offer of the batch hears of it
                log.exception("%s events could not be recorded", self.platform)
                for offered in batch:
                    if not offered.handed_over.done():
                        offered.handed_over.set_exception(exc)

    def take(self, batch: list[Offered]) -> None:
        """Record a batch and hand over what this delivery took (in the calling thread)."""
        keys = [o.key for o in batch if o.key is not None]
        taken = accept_many(self.services, keys) if keys else set()
        handing: list[Offered] = []
        for offered in batch:
            if offered.key is not None and offered.key not in taken:
                offered.handed_over.set_result(False)
                continue
            taken.discard(offered.key or "")  # the same event twice in one batch: only the first is handed over
            handing.append(offered)
        if handing:
            self._hand_over(handing)

    def _hand_over(self, handing: list[Offered]) -> None:
        try:
            self.events.answer_events(self.platform, [(o.key, o.payload) for o in handing])
        except BaseException as exc:
            for offered in handing:
                if offered.key is not None:
                    release(self.services, offered.key)
                offered.handed_over.set_exception(exc)
            return
        for offered in handing:
            offered.handed_over.set_result(True)
