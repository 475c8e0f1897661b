"""The FastAPI app factory: /healthz, the REST API under /api/, the Slack endpoints and the planner's board (/board)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline

from planbridge import __version__
from planbridge.api import errors
from planbridge.api.board import install_board
from planbridge.api.feishu import FeishuHandler, feishu_router
from planbridge.api.jobs import jobs_router
from planbridge.api.limits import BodyLimit
from planbridge.api.observe import observe
from planbridge.api.routes import router
from planbridge.api.schemas import ERROR_RESPONSES
from planbridge.api.security import require_token
from planbridge.api.slack import SlackEventOffer, slack_router
from planbridge.bootstrap import block_kit
from planbridge.chat.ports import JobQueue
from planbridge.metrics import exposition
from planbridge.presentation.digest import CardRenderer
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings

if TYPE_CHECKING:
    from slack_bolt import App

DESCRIPTION = """Capable-to-promise quotes, rush impact, bookings, change requests with approval,
MRP, KPIs, schedules, the daily digest and free-text questions: the same operations and JSON
shapes as the `planbridge` command line. When `PLANBRIDGE_API_TOKEN` is set every /api/ call
needs `Authorization: Bearer <token>`."""

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(
    ctx: ServiceContext,
    settings: Settings,
    *,
    slack_app: App | None = None,
    slack_events: SlackEventOffer | None = None,
    lifespan: Lifespan | None = None,
    status: Callable[[], dict[str, Any]] | None = None,
    render_card: CardRenderer | None = None,
    jobs: JobQueue | None = None,
    feishu: FeishuHandler | None = None,
) -> FastAPI:
    """The HTTP app over the given services. `slack_app` (Bolt) answers /slack/events when given
    (`slack_events` takes mentions and messages first, so that their acks stay quick);
    `status` adds facts to /healthz (e.g. whether the scheduler runs); `render_card` draws the digest
    card in `/api/digest` (default: Block Kit, as the contract says); `jobs` runs background jobs
    (`/api/jobs`; default: a small pool in this process); `feishu` (the Feishu adapter's request handler)
    answers /feishu/events and /feishu/cards when given."""
    # Swagger UI and ReDoc from the assets packaged with fastapi-offline: /docs works without internet.
    app = FastAPIOffline(title="planbridge", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.services = ctx
    app.state.api_token = settings.api_token
    app.state.render_card = render_card or block_kit
    app.state.jobs = jobs
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)  # inside `observe`: a 413 is logged and counted
    observe(app)

    @app.get("/healthz", tags=["service"], summary="Liveness and database check (no token needed)")
    def healthz() -> JSONResponse:
        document: dict[str, Any] = {"status": "ok", "slack": slack_app is not None, "feishu": feishu is not None, **(status() if status else {})}
        try:
            with ctx.uow_factory() as uow:
                document["plant_loaded"] = uow.plant.exists()
        except Exception as exc:  # the database is down: the orchestrator should know
            return JSONResponse({**document, "status": "error", "database": type(exc).__name__}, status_code=503)
        return JSONResponse(document)

    @app.get("/metrics", tags=["service"], summary="Prometheus metrics (text format; no token needed)",
             response_class=Response)
    def metrics() -> Response:
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    app.include_router(router, dependencies=[Depends(require_token)], responses=ERROR_RESPONSES)
    app.include_router(jobs_router, dependencies=[Depends(require_token)], responses=ERROR_RESPONSES)
    app.include_router(slack_router(slack_app, signing_secret=settings.slack_signing_secret, offer_event=slack_events))
    install_board(app, settings.api_token)
    app.include_router(feishu_router(feishu))
    return app
