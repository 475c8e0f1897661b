"""/slack/events (events, the slash command and interactivity all arrive here).

With the Slack app configured, Bolt verifies the signature (401 for a missing, stale or
wrong one) and dispatches; its sync dispatch runs in a worker thread so the event loop
stays free. Without it, requests are still verified when a signing secret is known and
otherwise refused: nothing under /slack/ ever acts on an unsigned request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from slack_bolt import App

# Slack is configured with /slack/events for events, commands and interactivity alike; any other
# path under /slack/ is answered the same way, so nothing there skips the signature check.
SLACK_PATHS = ("/slack/events", "/slack/{rest:path}")
NOT_CONFIGURED = "Slack is not configured on this server: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"


def slack_router(slack_app: App | None, *, signing_secret: str | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def events(request: Request) -> Response:
        if slack_app is None:
            return await _not_configured(request, signing_secret)
        from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

        body = await request.body()
        response = await run_in_threadpool(slack_app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    for path in SLACK_PATHS:
        router.add_api_route(path, events, methods=["POST", "GET"])
    return router


async def _not_configured(request: Request, signing_secret: str | None) -> Response:
    if signing_secret:
        from slack_sdk.signature import SignatureVerifier

        body = await request.body()
        verifier = SignatureVerifier(signing_secret)
        if verifier.is_valid_request(body, dict(request.headers)):
            return JSONResponse({"error": NOT_CONFIGURED}, status_code=503)
    return JSONResponse({"error": "invalid or missing Slack signature"}, status_code=401)
