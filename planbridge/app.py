"""Composition of the HTTP service: settings → database → services → jobs → Slack app → REST API → scheduler.

`planbridge serve` runs `app_from_environment` under uvicorn (one process per worker).
Slack is wired only when SLACK_BOT_TOKEN is set (HTTP events need SLACK_SIGNING_SECRET;
SLACK_APP_TOKEN adds Socket Mode). Long work goes to Celery workers when PLANBRIDGE_BROKER_URL
is set, else to a bounded pool in this process. Every process runs the digest scheduler unless
PLANBRIDGE_SCHEDULER is 0: the claim rows let one of them post each subscription's digest of a period.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from planbridge import logs
from planbridge.bootstrap import (
    FeishuWiring,
    bootstrap,
    chat_channel,
    claim_policy,
    database_engine,
    job_runner,
    job_worker,
    wire_feishu,
    wire_slack,
)
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings

if TYPE_CHECKING:
    import lark_oapi
    from slack_bolt import App
    from slack_sdk import WebClient

    from planbridge.api.slack import SlackEventOffer
    from planbridge.jobs.runner import JobRunner
    from planbridge.jobs.scheduler import DigestScheduler

log = logging.getLogger("planbridge.serve")


@dataclass
class Runtime:
    """What runs besides the routes: the job runner, the Slack app, the digest scheduler, Socket Mode."""

    services: ServiceContext
    settings: Settings
    jobs: JobRunner
    slack_app: App | None = None
    slack_events: SlackEventOffer | None = None
    feishu: FeishuWiring | None = None
    scheduler: DigestScheduler | None = None
    stoppers: list[Callable[[], None]] = field(default_factory=list)

    def status(self) -> dict[str, Any]:
        return {"scheduler": self.scheduler is not None and self.scheduler.running, "jobs": self.jobs.name}

    def start(self) -> None:
        self._keep_plant_current()
        self.stoppers.append(self.jobs.close)
        if self.scheduler is not None:
            self.configured_digest()
            self.scheduler.start()
            self.stoppers.append(self.scheduler.stop)
        if self.slack_app is not None and self.settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(self.slack_app, self.settings.slack_app_token)
            handler.connect()  # type: ignore[no-untyped-call]
            self.stoppers.append(handler.close)
        if self.feishu is not None and self.feishu.start is not None:
            self.stoppers.append(self.feishu.start())

    def _keep_plant_current(self) -> None:
        """Build today's promise state before anyone asks, and on PostgreSQL follow the order journal
        other processes write (every call checks it anyway: this only saves the first one the work)."""
        threading.Thread(target=self._warm, name="promise-state", daemon=True).start()
        url = self.settings.database_url
        if url.startswith("postgresql"):
            from integrations.db.journal_listener import JournalListener

            listener = JournalListener(url, self._warm)
            listener.start()
            self.stoppers.append(listener.stop)

    def _warm(self) -> None:
        try:
            with self.services.uow_factory() as uow:
                snapshot = self.services.plants.snapshot(uow)
                self.services.plants.engine(uow, self.services.as_of(None, snapshot))
        except Exception as exc:  # no plant loaded yet, say: the first question will say so
            log.info("promise state not built: %s", exc)

    def configured_digest(self) -> None:
        """PLANBRIDGE_DIGEST_CHANNEL, if set, is a subscription like the others."""
        if not (self.settings.digest_channel and self.settings.chat_enabled):
            return
        from planbridge.services.subscriptions import ensure_configured

        try:
            ensure_configured(self.services, channel=self.settings.digest_channel, at=self.settings.digest_time,
                              language=self.settings.digest_language)
        except Exception:
            log.exception("the configured digest channel could not be subscribed")

    def stop(self) -> None:
        while self.stoppers:
            try:
                self.stoppers.pop()()
            except Exception:
                log.exception("stopping a background service failed")


def build_runtime(
    settings: Settings,
    *,
    services: ServiceContext | None = None,
    client: WebClient | None = None,
    listener_executor: Executor | None = None,
    jobs: JobRunner | None = None,
    feishu_client: lark_oapi.Client | None = None,
) -> Runtime:
    services = services or bootstrap(settings, create_schema=True)
    worker = job_worker(services, settings, channel=chat_channel(services, settings, slack_client=client,
                                                                 feishu_client=feishu_client), slack_client=client)
    # Chat events are answered on the listener executor when one is given (tests pass an inline one).
    runner = jobs or job_runner(settings, worker, event_executor=listener_executor)
    runtime = Runtime(services, settings, runner)
    if settings.slack_enabled:
        slack = wire_slack(services, settings, client=client, listener_executor=listener_executor, jobs=runner)
        runtime.slack_app, runtime.slack_events = slack.app, slack.offer_event
    if settings.feishu_enabled:
        runtime.feishu = wire_feishu(services, settings, client=feishu_client, executor=listener_executor, jobs=runner)
    if scheduling(settings):
        from planbridge.jobs.scheduler import DigestScheduler

        runtime.scheduler = DigestScheduler(services, database_engine(settings), runner, claim_policy(settings),
                                            tick_seconds=settings.scheduler_tick_seconds)
    return runtime


def build_http_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """The whole service as one ASGI app; the scheduler and Socket Mode run while it is up."""
    from planbridge.api import create_app

    runtime = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        try:
            yield
        finally:
            runtime.stop()

    return create_app(runtime.services, settings, slack_app=runtime.slack_app, slack_events=runtime.slack_events, lifespan=lifespan,
                      status=runtime.status, jobs=runtime.jobs,
                      feishu=runtime.feishu.handle if runtime.feishu else None)


def app_from_environment() -> FastAPI:
    """uvicorn's factory (`planbridge.app:app_from_environment`): fresh settings in each worker."""
    settings = Settings()
    logs.configure(json=settings.log_format == "json", level=settings.log_level)
    return build_http_app(settings)


def scheduling(settings: Settings) -> bool:
    """The scheduler runs unless turned off, when digests can be posted: by this process (a chat platform) or by workers."""
    return settings.scheduler_enabled and (settings.chat_enabled or bool(settings.broker_url))


def prepare_database(url: str) -> None:
    """Run the migrations once, before the workers start."""
    from integrations.db import migrate
    from integrations.db.engine import make_engine

    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def describe(settings: Settings, *, host: str, port: int, workers: int = 1) -> list[str]:
    """What `planbridge serve` tells the operator at start."""
    lines = [f"planbridge on http://{host}:{port} ({workers} process{'es' if workers > 1 else ''}): REST API under "
             "/api/ (OpenAPI at /docs), the planner's board at /board, /healthz, /metrics"]
    if settings.slack_enabled:
        modes = ["HTTP events at /slack/events"] if settings.slack_signing_secret else []
        if settings.slack_app_token:
            modes.append("Socket Mode")
        lines.append("Slack: " + " and ".join(modes))
    else:
        lines.append("Slack: not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET); serving /api/ and /healthz only")
    if settings.feishu_enabled:
        lines.append("Feishu: " + ("long connection (WebSocket)" if settings.feishu_long_connection
                                   else "HTTP events at /feishu/events, card callbacks at /feishu/cards"))
    if scheduling(settings):
        configured = (f"; PLANBRIDGE_DIGEST_CHANNEL {settings.digest_channel} at {settings.digest_time} plant time "
                      f"({settings.digest_language})" if settings.digest_channel else "")
        lines.append(f"Digest scheduler: on (subscriptions: `planbridge digests list`{configured})")
    elif settings.scheduler_enabled:
        lines.append("Digest scheduler: off (no Slack or Feishu settings and no broker: nowhere to post)")
    else:
        lines.append("Digest scheduler: off (PLANBRIDGE_SCHEDULER=0)")
    lines.append("Background jobs: " + (f"Celery on PLANBRIDGE_BROKER_URL, queue {settings.job_queue} "
                                        "(start workers with `planbridge worker`)" if settings.broker_url
                                        else f"in this process ({settings.job_threads} threads)"))
    lines.append("API token: " + ("required (PLANBRIDGE_API_TOKEN)" if settings.api_token
                                  else "not set: /api/ is open, so the service listens on loopback only"))
    return lines
