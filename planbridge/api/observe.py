"""Every HTTP request gets an id (logged with each line, returned as X-Request-ID) and is counted
by route template and status, and timed, for `/metrics`."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planbridge import logs
from planbridge.metrics import HTTP_REQUESTS, HTTP_SECONDS, SLACK_EVENTS

log = logging.getLogger("planbridge.http")
HEADER = "X-Request-ID"


def observe(app: FastAPI) -> None:
    app.add_middleware(Observe)


class Observe:
    """ASGI middleware (a plain one: `@app.middleware("http")` costs a task group and streams per request,
    which a burst of Slack events pays for in its acks)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        with logs.bound(logs.accepted_id(headers.get(HEADER))) as request_id:
            started = time.perf_counter()
            status = 500

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    MutableHeaders(scope=message).append(HEADER, request_id)
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = _route(scope)
                method = scope["method"]
                seconds = time.perf_counter() - started
                HTTP_REQUESTS.labels(route, method, str(status)).inc()
                HTTP_SECONDS.labels(route, method).observe(seconds)
                if route.startswith("/slack/"):
                    SLACK_EVENTS.labels(_slack_kind(headers), _outcome(headers, status)).inc()
                log.info("%s %s %s %.0f ms", method, route, status, seconds * 1000,
                         extra={"route": route, "status": status, "ms": round(seconds * 1000, 1)})


def _route(scope: Scope) -> str:
    """The route's template (`/api/jobs/{job_id}`), so that labels stay few; unmatched paths are one label."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


def _slack_kind(headers: Headers) -> str:
    content_type = headers.get("content-type", "")
    return "event" if content_type.startswith("application/json") else "command_or_action"


def _outcome(headers: Headers, status: int) -> str:
    if status == 401:
        return "rejected_signature"
    if status >= 400:
        return "error"
    return "retry" if headers.get("x-slack-retry-num") else "ok"
