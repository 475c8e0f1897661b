"""The Bolt app: signature checks, listeners on the chat layer, and one global error handler.

Slack's retries reach the listeners: each event is handled once by its `event_id` (`chat.once`).
Messages are acknowledged once recorded and handed over (`EventQueue`); `slack_event_answerer`
answers them wherever the hand-over lands (a Celery worker, or this process's runner)."""

from __future__ import annotations

import secrets
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient

from bot import actions, commands, home, messages
from bot.channel import SlackChannel
from bot.failures import on_error
from bot.messages import AnswerAtOnce, SlackEventAnswerer
from planbridge.chat.handlers import Chat
from planbridge.chat.intake import EventIntake
from planbridge.chat.ports import JobQueue
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings


def web_client(settings: Settings) -> WebClient:
    """The Slack Web API client; `PLANBRIDGE_SLACK_API_URL` points it elsewhere (a local mock)."""
    if settings.slack_api_url:
        base_url = settings.slack_api_url.rstrip("/") + "/"
        return WebClient(token=settings.slack_bot_token, base_url=base_url)
    return WebClient(token=settings.slack_bot_token)


def build_slack_app(
    services: ServiceContext,
    settings: Settings,
    *,
    client: WebClient | None = None,
    channel: SlackChannel | None = None,
    listener_executor: Executor | None = None,
    jobs: JobQueue | None = None,
    intake: EventIntake | None = None,
) -> App:
    """The planbridge Slack app. Needs `SLACK_BOT_TOKEN`; HTTP requests are verified with
    `SLACK_SIGNING_SECRET` (a missing, stale or wrong signature gets 401 before any listener runs).
    Mentions and messages are recorded and handed over by `intake` (without one, they are answered in
    the request, before the ack)."""
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    client = client or web_client(settings)
    app = App(
        client=client,
        # Socket Mode only (no signing secret): a random secret nobody knows, so every HTTP request fails
        # verification (an empty secret would let anyone sign with an empty key).
        signing_secret=settings.slack_signing_secret or secrets.token_hex(32),
        token_verification_enabled=False,  # auth.test on the first request, so start-up needs no network
        ssl_check_enabled=False,  # Bolt answers ssl_check before verifying: every request must be signed
        listener_executor=listener_executor,
        # Acks run in the request's own thread and the answer (lazy listeners) in the executor: otherwise Bolt
        # queues each ack behind the executor's busy answers, and under a burst Slack's 3 s ack window passes.
        process_before_response=True,
        name="planbridge",
    )
    chat = slack_chat(services, settings, channel or SlackChannel(client), jobs=jobs)
    messages.register(app, chat, intake or EventIntake(services, AnswerAtOnce(SlackEventAnswerer(chat, client)),
                                                       messages.PLATFORM))
    commands.register(app, chat)
    actions.register(app, chat)
    home.register(app, chat)
    app.error(on_error(chat))
    return app



def slack_chat(services: ServiceContext, settings: Settings, channel: SlackChannel, *,
               jobs: JobQueue | None = None) -> Chat:
    return Chat(services, channel, settings.production_channel, settings.digest_language, jobs=jobs)


def slack_event_answerer(services: ServiceContext, settings: Settings, *, client: WebClient | None = None,
                         jobs: JobQueue | None = None) -> SlackEventAnswerer:
    """What answers a handed-over Slack event (in a worker, or in the web process without a broker)."""
    client = client or web_client(settings)
    return SlackEventAnswerer(slack_chat(services, settings, SlackChannel(client), jobs=jobs), client)
