"""Wakes a process when another one writes to the order journal (PostgreSQL LISTEN/NOTIFY).

Bookings and approved changes send a notification on commit (`SqlOrderBook.record`); the
listener calls back so the process catches its resident promise states up before the next
question arrives. It is only a head start: every service call checks the journal head too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import make_url

from integrations.db.order_repository import NOTIFY_CHANNEL

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 5.0


class JournalListener:
    def __init__(self, database_url: str, on_change: Callable[[], None]) -> None:
        self._dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as connection:
                    connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        if any(True for _ in connection.notifies(timeout=1.0)):
                            self._changed()
            except Exception as exc:  # the database restarted, the network dropped: try again
                log.warning("order journal listener: %s; reconnecting in %.0f s", exc, RECONNECT_SECONDS)
                self._stop.wait(RECONNECT_SECONDS)

    def _changed(self) -> None:
        try:
            self._on_change()
        except Exception:
            log.exception("catching up with the order journal failed")
