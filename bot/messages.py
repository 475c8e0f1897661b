"""Messages: a mention, a direct message, or a follow-up in a thread the bot answers in.

The listener acks at once; the lazy part hands the text to the chat layer (which only reads
and never approves anything, whatever the text says), and the reply comes in the thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.context import plain_text, thread_key
from bot.failures import guarded
from bot.listeners import listening
from planbridge.chat.conversation import thread_is_known
from planbridge.chat.handlers import Chat, answer_message
from planbridge.chat.once import handle_once
from planbridge.chat.ports import Place

_IGNORED_SUBTYPES = {"bot_message", "message_changed", "message_deleted", "channel_join", "channel_leave",
                     "thread_broadcast"}
log = logging.getLogger("planbridge.bot")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")


def register(app: App, chat: Chat) -> None:
    def answer_mention(body: dict[str, Any], client: WebClient) -> None:
        once_per_event(chat, body, lambda: answer(chat, body))

    def answer_dm_or_follow_up(body: dict[str, Any], client: WebClient) -> None:
        once_per_event(chat, body, lambda: on_message(chat, body))

    listen = listening(app)
    listen.event("app_mention", ack=_ack, lazy=[guarded(chat, answer_mention)])
    listen.event("message", ack=_ack, lazy=[guarded(chat, answer_dm_or_follow_up)])


def _ack(ack: Ack) -> None:
    ack()


def once_per_event(chat: Chat, body: dict[str, Any], handle: Callable[[], None]) -> None:
    """Handle an event once by its `event_id`: Slack re-sends one it thinks we missed, and only a
    delivery whose first attempt failed (or died) is answered again."""
    event_id = body.get("event_id")
    if not event_id:
        handle()
        return

    def work() -> None:
        handle()

    earlier = handle_once(chat.services, f"slack:event:{event_id}", work)
    if earlier is not None:
        log.info("event %s delivered again (retry %s); already %s", event_id, body.get("retry_attempt"),
                 "answered" if earlier.finished else "being answered")


def on_message(chat: Chat, body: dict[str, Any]) -> None:
    """Direct messages, and un-mentioned follow-ups in threads the bot is already talking in."""
    event = body["event"]
    if event.get("subtype") in _IGNORED_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return
    if event.get("channel_type") == "im":
        answer(chat, body)
        return
    mentioned = set(_MENTION.findall(event.get("text") or ""))
    if mentioned & set(_bot_user_ids(body)):
        return  # the app_mention event answers this one
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
