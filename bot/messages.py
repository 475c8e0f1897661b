"""Messages: a mention, a direct message, or a follow-up in a thread the bot answers in.

The listener only records the event (its receipt, by `event_id`: Slack re-sends one it thinks
we missed), hands it over to be answered (`chat.intake`, then the `EventQueue`: a Celery worker,
or the in-process runner's pool) and acks; Slack wants the ack within 3 s, whatever the answering costs. The
answerer hands the text to the chat layer (which only reads and never approves anything,
whatever the text says), and the reply comes in the thread. A retry of an event whose answer
failed (or whose worker died) is answered; one answered, queued or being answered is not.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.context import plain_text, thread_key
from bot.failures import guarded
from bot.listeners import listening
from planbridge.chat.conversation import thread_is_known
from planbridge.chat.handlers import Chat, answer_message
from planbridge.chat.intake import EventIntake
from planbridge.chat.once import complete
from planbridge.chat.ports import AcceptedEvent, Place

PLATFORM = "slack"
ANSWERED_EVENTS = ("app_mention", "message")
_IGNORED_SUBTYPES = {"bot_message", "message_changed", "message_deleted", "channel_join", "channel_leave",
                     "thread_broadcast"}
log = logging.getLogger("planbridge.bot")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")


def register(app: App, chat: Chat, intake: EventIntake) -> None:
    """Mentions and messages that reach Bolt (Socket Mode; over HTTP `offer_raw_event` takes them first)."""
    def hand_over(ack: Ack, body: dict[str, Any]) -> None:
        if worth_answering(body) and not intake.offer(event_key(body), body).result():
            log.info("event %s delivered again; already answered, queued or being answered", body.get("event_id"))
        ack()

    listen = listening(app)
    listen.event("app_mention", ack=hand_over, lazy=[])
    listen.event("message", ack=hand_over, lazy=[])


def event_key(body: dict[str, Any]) -> str | None:
    """The event's receipt key (None for an event without an id: it is answered, not deduplicated)."""
    event_id = body.get("event_id")
    return f"slack:event:{event_id}" if event_id else None


def offer_raw_event(intake: EventIntake, raw: bytes) -> Future[bool] | None:
    """A signed Events API request, if it is a mention or a message: offered to the intake without Bolt
    (the ack needs nothing else: parsing, routing and middleware per event would cost a burst its 3 s).
    None: anything else, for Bolt."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not (isinstance(body, dict) and body.get("type") == "event_callback" and isinstance(body.get("event"), dict)
            and body["event"].get("type") in ANSWERED_EVENTS):
        return None
    if not worth_answering(body):
        ignored: Future[bool] = Future()
        ignored.set_result(False)
        return ignored
    return intake.offer(event_key(body), body)


def worth_answering(body: dict[str, Any]) -> bool:
    """What the ack can tell without the database: a mention, or a person's message that does not mention
    the bot (the app_mention event answers that one)."""
    event = body.get("event") or {}
    if event.get("type") == "app_mention":
        return True
    if event.get("subtype") in _IGNORED_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return False
    mentioned = set(_MENTION.findall(event.get("text") or ""))
    return not mentioned & set(_bot_user_ids(body))


@dataclass(frozen=True)
class SlackEventAnswerer:
    """Answers a handed-over event (`JobWorker.answerers["slack"]`) and completes its receipt; a failure
    becomes a short apology in the thread, and the receipt says failed, so Slack's retry is answered."""

    chat: Chat
    client: WebClient

    def __call__(self, key: str | None, body: dict[str, Any]) -> None:
        def answer_once(body: dict[str, Any], client: WebClient) -> None:
            if key is None:
                answer_event(self.chat, body)
            elif not complete(self.chat.services, key, lambda: answer_event(self.chat, body)):
                log.info("event %s was answered already: not answered again", body.get("event_id"))

        guarded(self.chat, answer_once)(body, self.client)


class AnswerAtOnce:
    """An `EventQueue` that answers in the caller's thread (where no runner is wired: the ack waits)."""

    def __init__(self, answerer: SlackEventAnswerer) -> None:
        self.answerer = answerer

    def answer_events(self, platform: str, events: Sequence[AcceptedEvent]) -> None:
        for key, payload in events:
            self.answerer(key, payload)


def answer_event(chat: Chat, body: dict[str, Any]) -> None:
    if (body.get("event") or {}).get("type") == "app_mention":
        answer(chat, body)
    else:
        on_message(chat, body)


def on_message(chat: Chat, body: dict[str, Any]) -> None:
    """Direct messages, and un-mentioned follow-ups in threads the bot is already talking in."""
    event = body["event"]
    if not worth_answering(body):
        return
    if event.get("channel_type") == "im":
        answer(chat, body)
        return
    if event.get("thread_ts") and thread_is_known(chat.services, thread_key(event["channel"], event["thread_ts"])):
        answer(chat, body)


def answer(chat: Chat, body: dict[str, Any]) -> None:
    """Answer in the message's thread.

    In a direct message that is not in a thread the reply comes inline, and the whole DM is
    one conversation, so "and 300?" works there too.
    """
    event = body["event"]
    channel = event["channel"]
    inline = event.get("channel_type") == "im" and not event.get("thread_ts")
    thread_ts = None if inline else event.get("thread_ts") or event["ts"]
    answer_message(chat, text=plain_text(event.get("text") or "") or "help", user_id=event.get("user"),
                   place=Place(channel, thread_ts), thread_id=thread_key(channel, thread_ts or "im"))


def _bot_user_ids(body: dict[str, Any]) -> list[str]:
    return [a["user_id"] for a in body.get("authorizations") or [] if a.get("is_bot") and a.get("user_id")]
