"""/slack/events (events, the slash command and interactivity all arrive here).

The signature is checked on the raw bytes before anything parses them: a missing, stale or
wrong one gets 401, whatever the body holds (a malformed body cannot reach a parser unsigned).
Signed mentions and messages are offered to `offer_event` (recorded and handed over in batches, so
a burst's acks stay within Slack's 3 s: see `planbridge.chat.intake`); other signed requests go to
Bolt, whose sync dispatch runs in a worker thread so the event loop stays free. Without the Slack app, signed requests get 503 and all others 401: nothing under /slack/
ever acts on an unsigned request. Bodies over the size limit were refused before this (`limits`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from slack_bolt import App

# Slack is configured with /slack/events for events, commands and interactivity alike; any other
# path under /slack/ is answered the same way, so nothing there skips the signature check.
SLACK_PATHS = ("/slack/events", "/slack/{rest:path}")
# A signed body, if it is an event the app answers: its hand-over (True: handed over; False: an earlier
# delivery has it). None: not such an event, for Bolt.
SlackEventOffer = Callable[[bytes], "Future[bool] | None"]
log = logging.getLogger("planbridge.slack")
NOT_CONFIGURED = "Slack is not configured on this server: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"


def slack_router(slack_app: App | None, *, signing_secret: str | None,
                 offer_event: SlackEventOffer | None = None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    async def events(request: Request) -> Response:
        body = await request.body()
        if verifier is None or not verifier.is_valid_request(body, dict(request.headers)):
            return JSONResponse({"error": "invalid or missing Slack signature"}, status_code=401)
        if slack_app is None:
            return JSONResponse({"error": NOT_CONFIGURED}, status_code=503)
        offered = offer_event(body) if offer_event is not None else None
        if offered is not None:
            try:
                await asyncio.wrap_future(offered)
            except Exception:  # not recorded or not handed over: the receipt was given back, Slack's retry is taken
                log.exception("a Slack event could not be handed over")
                return JSONResponse({"error": "the event could not be taken in: Slack will retry"}, status_code=503)
            return Response(status_code=200)
        from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

        try:
            bolt_request = to_bolt_request(request, body)
        except ValueError:  # signed by Slack yet unreadable (e.g. a truncated JSON body)
            return JSONResponse({"error": "unreadable Slack request body"}, status_code=400)
        response = await run_in_threadpool(slack_app.dispatch, bolt_request)
        return to_starlette_response(response)

    for path in SLACK_PATHS:
        router.add_api_route(path, events, methods=["POST", "GET"])
    return router
