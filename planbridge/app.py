"""Composition of the HTTP service: settings → database → services → Slack app → REST API → digest scheduler.

`planbridge serve` runs `app_from_environment` under uvicorn (one process per worker).
Slack is wired only when SLACK_BOT_TOKEN is set (HTTP events need SLACK_SIGNING_SECRET;
SLACK_APP_TOKEN adds Socket Mode); the digest scheduler only when Slack and
PLANBRIDGE_DIGEST_CHANNEL are set and PLANBRIDGE_SCHEDULER is not 0. Several workers may all
run the scheduler: the post is deduplicated per day under the plant's write lock.
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

from planbridge.bootstrap import bootstrap, wire_slack
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler
    from slack_bolt import App
    from slack_sdk import WebClient

    from planbridge.chat.digests import DailyDigest

log = logging.getLogger("planbridge.serve")

TICK_SECONDS = 60


@dataclass
class Runtime:
    """What runs besides the routes: the Slack app, the daily digest, Socket Mode."""

    services: ServiceContext
    settings: Settings
    slack_app: App | None = None
    daily: DailyDigest | None = None
    scheduler: BackgroundScheduler | None = None
    stoppers: list[Callable[[], None]] = field(default_factory=list)

    def status(self) -> dict[str, Any]:
        return {"scheduler": self.scheduler is not None and self.scheduler.running}

    def start(self) -> None:
        self._keep_plant_current()
        if self.daily is not None:
            self.scheduler = start_scheduler(self.daily)
            self.stoppers.append(lambda: self.scheduler.shutdown(wait=False) if self.scheduler else None)
        if self.slack_app is not None and self.settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(self.slack_app, self.settings.slack_app_token)
            handler.connect()  # type: ignore[no-untyped-call]
            self.stoppers.append(handler.close)

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
) -> Runtime:
    services = services or bootstrap(settings, create_schema=True)
    runtime = Runtime(services, settings)
    if not settings.slack_enabled:
        return runtime
    from planbridge.chat.digests import DailyDigest, parse_time

    slack = wire_slack(services, settings, client=client, listener_executor=listener_executor)
    runtime.slack_app = slack.app
    if slack.digests is not None:
        runtime.daily = DailyDigest(services, slack.digests, parse_time(settings.digest_time), clock=services.clock)
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

    return create_app(runtime.services, settings, slack_app=runtime.slack_app, lifespan=lifespan,
                      status=runtime.status)


def app_from_environment() -> FastAPI:
    """uvicorn's factory (`planbridge.app:app_from_environment`): fresh settings in each worker."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return build_http_app(Settings())


def start_scheduler(daily: DailyDigest) -> BackgroundScheduler:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(daily.safe_tick, IntervalTrigger(seconds=TICK_SECONDS), id="daily_digest",
                      max_instances=1, coalesce=True, misfire_grace_time=TICK_SECONDS)
    scheduler.start()
    return scheduler


def prepare_database(url: str) -> None:
    """Run the migrations once, before the workers start."""
    from integrations.db import migrate
    from integrations.db.engine import make_engine

    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def describe(settings: Settings, *, host: str, port: int) -> list[str]:
    """What `planbridge serve` tells the operator at start."""
    lines = [f"planbridge on http://{host}:{port}: REST API under /api/ (OpenAPI at /docs), /healthz"]
    if settings.slack_enabled:
        modes = ["HTTP events at /slack/events"] if settings.slack_signing_secret else []
        if settings.slack_app_token:
            modes.append("Socket Mode")
        lines.append("Slack: " + " and ".join(modes))
        if settings.digest_channel and settings.scheduler_enabled:
            lines.append(f"Daily digest: {settings.digest_channel} at {settings.digest_time} plant time "
                         f"({settings.digest_language})")
        else:
            lines.append("Daily digest: not scheduled (set PLANBRIDGE_DIGEST_CHANNEL; PLANBRIDGE_SCHEDULER=0 turns it off)")
    else:
        lines.append("Slack: not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET); serving /api/ and /healthz only")
    lines.append("API token: " + ("required (PLANBRIDGE_API_TOKEN)" if settings.api_token
                                  else "not set: /api/ is open, so the service listens on loopback only"))
    return lines
