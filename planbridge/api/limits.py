"""Request bodies over a size limit get 413 before they are read into memory.

A declared `Content-Length` over the limit is refused at once; a body sent without one (chunked)
is counted as it streams in and refused as soon as it passes the limit, so no more than the limit
(plus one network chunk) is ever held.
"""

from __future__ import annotations

import json

from fastapi import HTTPException  # FastAPI passes its own through body parsing (others become 400)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LIMITED_PREFIXES = ("/slack/", "/api/")


def too_large_message(limit: int) -> str:
    return f"request body larger than {limit} bytes"


class BodyLimit:
    """ASGI middleware: at most `limit` bytes of body on the paths under `prefixes`."""

    def __init__(self, app: ASGIApp, *, limit: int, prefixes: tuple[str, ...] = LIMITED_PREFIXES) -> None:
        self.app = app
        self.limit = limit
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _refuse(send, self.limit)
            return
        await self.app(scope, self._capped(receive), send)

    def _capped(self, receive: Receive) -> Receive:
        seen = 0

        async def capped_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:  # a chunked body, or one longer than it said: stop reading
                    raise HTTPException(413, too_large_message(self.limit))
            return message

        return capped_receive


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": too_large_message(limit)}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
