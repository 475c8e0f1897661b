"""Messages: a mention, a direct message, or a follow-up in a thread the bot answers in.

The listener acks at once; the lazy part asks the language service (which only reads
and never approves anything, whatever the text says) and replies in the thread.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.context import Bot, plain_text, thread_key
from bot.failures import guarded
from bot.views.answers import reply_blocks
from bot.views.digest import digest_blocks, digest_text
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.language import AskCommand, ask

_IGNORED_SUBTYPES = {"bot_message", "message_changed", "message_deleted", "channel_join", "channel_leave",
                     "thread_broadcast"}
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")


def register(app: App, bot: Bot) -> None:
    def answer_mention(body: dict[str, Any], client: WebClient) -> None:
        answer(bot, body, client)

    def answer_message(body: dict[str, Any], client: WebClient) -> None:
        on_message(bot, body, client)

    app.event("app_mention")(ack=_ack, lazy=[guarded(bot, answer_mention)])
    app.event("message")(ack=_ack, lazy=[guarded(bot, answer_message)])


def _ack(ack: Ack) -> None:
    ack()


def on_message(bot: Bot, body: dict[str, Any], client: WebClient) -> None:
    """Direct messages, and un-mentioned follow-ups in threads the bot is already talking in."""
    event = body["event"]
    if event.get("subtype") in _IGNORED_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return
    if event.get("channel_type") == "im":
        answer(bot, body, client)
        return
    mentioned = set(_MENTION.findall(event.get("text") or ""))
    if mentioned & set(_bot_user_ids(body)):
        return  # the app_mention event answers this one
    if event.get("thread_ts") and _bot_is_in_thread(bot, event["channel"], event["thread_ts"]):
        answer(bot, body, client)


def answer(bot: Bot, body: dict[str, Any], client: WebClient) -> None:
    """Ask the language service and post its reply (Block Kit) in the message's thread.

    In a direct message that is not in a thread the reply comes inline, and the whole DM is
    one conversation, so "and 300?" works there too.
    """
    event = body["event"]
    channel = event["channel"]
    inline = event.get("channel_type") == "im" and not event.get("thread_ts")
    thread_ts = None if inline else event.get("thread_ts") or event["ts"]
    user_id = event.get("user")
    text = plain_text(event.get("text") or "") or "help"
    known = bot.user(user_id)
    result = ask(AskCommand(text=text, user_id=known.user_id if known else None,
                            thread_id=thread_key(channel, thread_ts or "im")), bot.services).to_json()
    if result["intent"] == "digest" and not result.get("needs"):
        digest = build_digest(DigestCommand(language=result["language"]), bot.services)
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=digest_text(digest),
                                blocks=digest_blocks(digest))
        return
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=result["reply"], blocks=reply_blocks(result),
                            unfurl_links=False)


def _bot_user_ids(body: dict[str, Any]) -> list[str]:
    return [a["user_id"] for a in body.get("authorizations") or [] if a.get("is_bot") and a.get("user_id")]


def _bot_is_in_thread(bot: Bot, channel: str, thread_ts: str) -> bool:
    """The bot has answered in this thread before (it keeps a conversation state there)."""
    with bot.services.uow_factory() as uow:
        return uow.conversations.get(thread_key(channel, thread_ts)) is not None
