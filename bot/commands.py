"""The slash command (`/planbridge`, or whatever name the workspace gave it: every command the app
receives is this one, since the app has no other).

The ack answers `help` at once; everything else is answered by the chat layer in a lazy
listener and sent to the channel through the command's response_url.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.blockkit import render_card
from bot.context import plain_text, thread_key
from bot.failures import guarded
from bot.listeners import ANY_COMMAND, listening
from planbridge.chat import commands
from planbridge.chat.commands import SlashRequest
from planbridge.chat.handlers import Chat


def parse(text: str) -> SlashRequest:
    """Split `/planbridge` text (Slack markup removed) into a subcommand, arguments and `--options`."""
    return commands.parse(plain_text(text))


def register(app: App, chat: Chat) -> None:
    def run_command(body: dict[str, Any], client: WebClient) -> None:
        answer_command(chat, body)

    listening(app).command(ANY_COMMAND, ack=_ack_command(chat), lazy=[guarded(chat, run_command)])


def _ack_command(chat: Chat) -> Callable[[Ack, dict[str, Any]], None]:
    def ack_command(ack: Ack, body: dict[str, Any]) -> None:
        request = parse(body.get("text") or "")
        if request.subcommand == "help":  # nothing slow: answer within the ack
            ack(text=commands.help_text(chat.language_of(body.get("user_id")), command=body.get("command")),
                response_type="ephemeral")
        else:
            ack()

    return ack_command


def answer_command(chat: Chat, body: dict[str, Any]) -> None:
    request = parse(body.get("text") or "")
    if request.subcommand == "help":
        return
    user = chat.user(body.get("user_id"))
    language = user.language.value if user else "en"
    thread = thread_key(body.get("channel_id") or "dm", f"slash-{body.get('user_id')}")
    card = commands.command_card(chat, request, user_id=user.user_id if user else None, language=language,
                                 thread_id=thread, channel=body.get("channel_id"))
    if card is None:  # posted in the channel already ("working on it"; the result follows in its thread)
        return
    WebhookClient(body["response_url"]).send(text=card.fallback, blocks=render_card(card), response_type="in_channel")
