"""/feishu/events (message events) and /feishu/cards (card callbacks).

The Feishu adapter verifies each request (401 for a forged, stale or wrongly tokened one
before anything runs) and answers within Feishu's three seconds; the work runs after. Without
Feishu configured every request is refused: nothing under /feishu/ acts on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

# (body, headers) -> (status, JSON): the Feishu adapter's `FeishuApp.handle`.
FeishuHandler = Callable[[bytes, Mapping[str, str]], tuple[int, dict[str, Any]]]
FEISHU_PATHS = ("/feishu/events", "/feishu/cards", "/feishu/{rest:path}")
NOT_CONFIGURED = "Feishu is not configured on this server: set FEISHU_APP_ID, FEISHU_APP_SECRET, " \
                 "FEISHU_VERIFICATION_TOKEN and FEISHU_ENCRYPT_KEY"


def feishu_router(handle: FeishuHandler | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def events(request: Request) -> Response:
        if handle is None:
            return JSONResponse({"msg": NOT_CONFIGURED}, status_code=401)
        body = await request.body()
        status, document = await run_in_threadpool(handle, body, dict(request.headers))
        return JSONResponse(document, status_code=status)

    for path in FEISHU_PATHS:
        router.add_api_route(path, events, methods=["POST"])
    return router
