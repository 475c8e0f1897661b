"""Every HTTP request gets an id (logged with each line, returned as X-Request-ID) and is counted
by route template and status, and timed, for `/metrics`."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from planbridge import logs
from planbridge.metrics import HTTP_REQUESTS, HTTP_SECONDS, SLACK_EVENTS

log = logging.getLogger("planbridge.http")
HEADER = "X-Request-ID"


def observe(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        with logs.bound(logs.accepted_id(request.headers.get(HEADER))) as request_id:
            started = time.perf_counter()
            status = 500
            try:
                response = await call_next(request)
                status = response.status_code
            finally:
                route = _route(request)
                seconds = time.perf_counter() - started
                HTTP_REQUESTS.labels(route, request.method, str(status)).inc()
                HTTP_SECONDS.labels(route, request.method).observe(seconds)
                if route.startswith("/slack/"):
                    SLACK_EVENTS.labels(_slack_kind(request), _outcome(request, status)).inc()
                log.info("%s %s %s %.0f ms", request.method, route, status, seconds * 1000,
                         extra={"route": route, "status": status, "ms": round(seconds * 1000, 1)})
            response.headers[HEADER] = request_id
            return response


def _route(request: Request) -> str:
    """The route's template (`/api/jobs/{job_id}`), so that labels stay few; unmatched paths are one label."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


def _slack_kind(request: Request) -> str:
    content_type = request.headers.get("content-type", "")
    return "event" if content_type.startswith("application/json") else "command_or_action"


def _outcome(request: Request, status: int) -> str:
    if status == 401:
        return "rejected_signature"
    if status >= 400:
        return "error"
    return "retry" if request.headers.get("x-slack-retry-num") else "ok"
