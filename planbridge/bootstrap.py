"""The composition root: the one module that wires adapters to ports.

It builds the `ServiceContext` (database, clock, language model, plant source) from the
settings, and connects chat platforms (Slack, in `bot/`; Feishu, in `feishu/`) to the chat
layer. Nothing else imports `bot/` or `feishu/`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from planbridge.errors import NotFound
from planbridge.services.context import ServiceContext, SystemClock
from planbridge.services.plants import PlantCache
from planbridge.services.ports import (
    LanguageModel,
    LanguageModels,
    LanguageModelUnavailable,
    PlantSource,
    PromiseStateStore,
)
from planbridge.settings import Settings, get_settings

if TYPE_CHECKING:
    import lark_oapi
    from celery import Celery
    from slack_bolt import App
    from slack_sdk import WebClient
    from sqlalchemy import Engine

    from planbridge.api.feishu import FeishuHandler
    from planbridge.chat.ports import ChatChannel
    from planbridge.jobs.runner import JobRunner
    from planbridge.jobs.work import EventAnswerer, JobWorker
    from planbridge.presentation.cards import Card
    from planbridge.services.subscriptions import ClaimPolicy


def bootstrap(
    settings: Settings | None = None, *, database_url: str | None = None, create_schema: bool = False
) -> ServiceContext:
    """Build the services on a real database.

    `create_schema` runs the migrations (import, demo, serve do); read-only commands
    only upgrade an existing schema and otherwise report that no plant is loaded.
    """
    from sqlalchemy import inspect

    from integrations.db import migrate
    from integrations.db.engine import make_engine, make_session_factory
    from integrations.db.unit_of_work import SqlUnitOfWork

    settings = settings or get_settings()
    engine = make_engine(database_url or settings.database_url, pool_size=settings.db_pool_size,
                         max_overflow=settings.db_max_overflow)
    if create_schema or inspect(engine).has_table("alembic_version"):
        migrate.upgrade(engine)
    elif not create_schema:
        raise NotFound("no plant is loaded: run `planbridge import DIR` or `planbridge demo` first")
    session_factory = make_session_factory(engine)
    url = database_url or settings.database_url
    return ServiceContext(
        uow_factory=partial(SqlUnitOfWork, session_factory),
        clock=SystemClock(fixed_today=settings.as_of),
        plants=PlantCache(promise_state_store(settings, database_url=url)),
        settings=settings,
        language_model=language_models(settings),
        plant_source=plant_source(),
    )


def promise_state_store(settings: Settings, *, database_url: str) -> PromiseStateStore:
    """Compiled promise states saved in the user's cache (or PLANBRIDGE_CACHE_DIR)."""
    from integrations.state_store import FilePromiseStateStore, default_cache_dir

    return FilePromiseStateStore(settings.cache_dir or default_cache_dir(), database_url=database_url)


def plant_source() -> PlantSource:
    """Plant folders of CSV files (CONTRACT section 1)."""
    from integrations.csv_import.source import CsvPlantFolders

    return CsvPlantFolders()


def language_models(settings: Settings) -> LanguageModels:
    """The language model the settings name, built on first use (LangChain loads only then)."""
    key = (settings.llm_provider, settings.llm_model, settings.llm_base_url, settings.llm_api_key,
           settings.llm_timeout_seconds)
    return partial(_language_model, key)


@lru_cache(maxsize=4)
def _language_model(key: tuple[Any, ...]) -> LanguageModel | None:
    provider = key[0]
    if provider == "none":
        return None
    from integrations.llm.providers import ModelSettings, ModelUnavailable, build_chat_model

    try:
        chat: LanguageModel | None = build_chat_model(ModelSettings(*key))
    except ModelUnavailable as exc:
        raise LanguageModelUnavailable(str(exc)) from None
    return chat


# -- chat platforms -----------------------------------------------------------------------------


def block_kit(card: Card) -> list[dict[str, Any]]:
    """A card as Slack Block Kit: the format `planbridge digest --json` and `/api/digest` print (CONTRACT §2)."""
    from bot.blockkit import render_card

    return render_card(card)


@dataclass
class SlackWiring:
    app: App
    channel: ChatChannel
    # A signed HTTP request's body, if it is a mention or message: its hand-over (None: for `app`).
    offer_event: Callable[[bytes], Future[bool] | None]


def wire_slack(
    services: ServiceContext, settings: Settings, *, client: WebClient | None = None,
    listener_executor: Executor | None = None, jobs: JobRunner | None = None,
) -> SlackWiring:
    """The Slack app on the chat layer: listeners and the Slack channel; long work and the answering of
    messages go to `jobs` (its worker's `answerers` answer them: see `job_worker`)."""
    from bot.app import build_slack_app, slack_event_answerer, web_client
    from bot.channel import SlackChannel
    from bot.messages import PLATFORM, AnswerAtOnce, offer_raw_event
    from planbridge.chat.intake import EventIntake

    client = client or web_client(settings)
    channel = SlackChannel(client)
    events = jobs or AnswerAtOnce(slack_event_answerer(services, settings, client=client))
    intake = EventIntake(services, events, PLATFORM)
    app = build_slack_app(services, settings, client=client, channel=channel, listener_executor=listener_executor,
                          jobs=jobs, intake=intake)
    return SlackWiring(app, channel, partial(offer_raw_event, intake))


def slack_channel(settings: Settings, *, client: WebClient | None = None) -> ChatChannel | None:
    """Slack when SLACK_BOT_TOKEN is set."""
    if not settings.slack_enabled:
        return None
    from bot.app import web_client
    from bot.channel import SlackChannel

    return SlackChannel(client or web_client(settings))


@dataclass
class FeishuWiring:
    handle: FeishuHandler  # /feishu/events and /feishu/cards
    channel: ChatChannel
    start: Callable[[], Callable[[], None]] | None = None  # the long connection: start it, get its stopper


def wire_feishu(
    services: ServiceContext, settings: Settings, *, client: lark_oapi.Client | None = None,
    executor: Executor | None = None, jobs: JobRunner | None = None,
) -> FeishuWiring:
    """The Feishu app on the chat layer: verified HTTP requests (and the long connection when
    FEISHU_LONG_CONNECTION is set) to the listeners, and the Feishu channel."""
    from feishu.app import build_feishu_app, feishu_channel

    app = build_feishu_app(services, settings, channel=feishu_channel(services, settings, client=client),
                           executor=executor, jobs=jobs)

    def start_long_connection() -> Callable[[], None]:
        connection = app.long_connection()
        connection.start()
        return connection.stop

    return FeishuWiring(app.handle, app.channel, start_long_connection if settings.feishu_long_connection else None)


def chat_channel(
    services: ServiceContext, settings: Settings, *, slack_client: WebClient | None = None,
    feishu_client: lark_oapi.Client | None = None,
) -> ChatChannel | None:
    """Where workers post digests and job results: Slack for plain channel ids, Feishu for `feishu:oc_…`
    (see `chat.routing`); None when no platform is configured."""
    from planbridge.chat.routing import ChannelsByPlatform

    platforms: dict[str, ChatChannel] = {}
    if settings.feishu_enabled:
        from feishu.app import feishu_channel

        platforms["feishu"] = feishu_channel(services, settings, client=feishu_client)
    default = slack_channel(settings, client=slack_client)
    if default is not None and not platforms:
        return default
    return ChannelsByPlatform(platforms, default) if platforms else None


# -- background work ----------------------------------------------------------------------------


def claim_policy(settings: Settings) -> ClaimPolicy:
    from datetime import timedelta

    from planbridge.services.subscriptions import ClaimPolicy

    return ClaimPolicy(lease=timedelta(seconds=settings.digest_lease_seconds), max_attempts=settings.digest_max_attempts)


def job_worker(services: ServiceContext, settings: Settings, *, channel: ChatChannel | None,
               slack_client: WebClient | None = None) -> JobWorker:
    """What runs jobs, posts due digests and answers handed-over chat events (in this process, or in a
    Celery worker); events only where a chat `channel` is given."""
    from planbridge.chat.digests import DigestDelivery
    from planbridge.jobs.work import JobWorker

    digests = DigestDelivery(services, channel, claim_policy(settings)) if channel is not None else None
    answerers = chat_event_answerers(services, settings, slack_client=slack_client) if channel is not None else {}
    return JobWorker(services, channel, digests, max_attempts=settings.job_max_attempts, answerers=answerers)


def chat_event_answerers(services: ServiceContext, settings: Settings, *,
                         slack_client: WebClient | None = None) -> dict[str, EventAnswerer]:
    """Who answers a handed-over chat event, by platform (Slack's messages go through the job runner)."""
    answerers: dict[str, EventAnswerer] = {}
    if settings.slack_enabled:
        from bot.app import slack_event_answerer

        answerers["slack"] = slack_event_answerer(services, settings, client=slack_client)
    return answerers


def job_runner(settings: Settings, worker: JobWorker, *, event_executor: Executor | None = None) -> JobRunner:
    """Celery on PLANBRIDGE_BROKER_URL when set; else a bounded pool in this process (chat events on
    `event_executor` when given, else on a pool of their own)."""
    from planbridge.jobs.runner import CeleryRunner, InProcessRunner

    if settings.broker_url:
        from planbridge.jobs.celery_app import make_celery

        return CeleryRunner(make_celery(settings), queue=settings.job_queue)
    return InProcessRunner(lambda: worker, threads=settings.job_threads, queue_size=settings.job_queue_size,
                           event_executor=event_executor, event_queue_size=settings.chat_queue_size)


def celery_worker_app(settings: Settings) -> Celery:
    """The Celery app of `planbridge worker`: services, Slack and the job worker are built once per
    worker process, on its first task (after the fork)."""
    from planbridge.jobs.celery_app import make_celery

    @lru_cache(maxsize=1)
    def worker() -> JobWorker:
        services = bootstrap(settings, create_schema=True)
        return job_worker(services, settings, channel=chat_channel(services, settings))

    return make_celery(settings, worker=worker)


def database_engine(settings: Settings) -> Engine:
    """A second engine on the application database (APScheduler's job store uses it)."""
    from integrations.db.engine import make_engine

    return make_engine(settings.database_url)
