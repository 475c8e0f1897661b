"""Structured logs: one JSON object per line, with the request id (or job id) of the work it belongs to.

`planbridge serve` and `planbridge worker` log this way (PLANBRIDGE_LOG_FORMAT=text for people);
each HTTP request gets an id (the caller's X-Request-ID, else a new one) that every line logged
while answering it carries, and that the response returns.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("planbridge_request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
MAX_ID = 64


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure(*, json: bool = True, level: str = "INFO") -> None:
    """Root logging for a long-running process (idempotent: replaces planbridge's own handler)."""
    handler = logging.StreamHandler()
    if json:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                                       "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.set_name("planbridge")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "planbridge"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def accepted_id(given: str | None) -> str:
    """The caller's id when it is a short printable token, else a new one (ids end up in logs)."""
    if given and len(given) <= MAX_ID and given.isascii() and given.isprintable() and " " not in given:
        return given
    return new_id()


@contextmanager
def bound(value: str) -> Iterator[str]:
    """Log lines inside carry `value` as their request id."""
    token = request_id.set(value)
    try:
        yield value
    finally:
        request_id.reset(token)
