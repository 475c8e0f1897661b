"""One friendly line instead of a traceback, wherever a listener fails.

Planning errors (`PlanbridgeError`) are the user's to act on: their one-line message is
shown. Anything else is logged with its traceback and the user gets an apology.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.channel import respond_privately
from planbridge.chat.handlers import Chat, friendly_line, reference_id
from planbridge.errors import PlanbridgeError

log = logging.getLogger("planbridge.bot")

LazyListener = Callable[..., None]


def tell_user(body: dict[str, Any], client: WebClient, text: str) -> None:
    """Say `text` to whoever sent this request, as privately as the request allows."""
    user_id = _user_id(body)
    event = body.get("event") or {}
    channel = event.get("channel") or (body.get("channel") or {}).get("id") or body.get("channel_id") \
        or (body.get("container") or {}).get("channel_id")
    try:
        if event and channel:
            client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"), text=text)
        elif body.get("response_url"):
            respond_privately(body["response_url"], text)
        elif channel and user_id:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
    except SlackApiError as exc:  # e.g. the bot is not in that channel: nothing more we can do than log
        log.warning("could not tell %s: %s", user_id, exc.response.get("error"))
    except Exception:  # a failure while reporting a failure must not raise again
        log.exception("could not tell %s", user_id)


def guarded(chat: Chat, func: LazyListener) -> LazyListener:
    """Wrap a lazy listener `func(body, client)` so any failure becomes one friendly line."""

    def run(body: dict[str, Any], client: WebClient) -> None:
        try:
            func(body, client)
        except Exception as error:
            reference = reference_id()
            if not isinstance(error, PlanbridgeError):
                log.exception("listener %s failed (reference %s)", func.__name__, reference,
                              extra={"reference": reference})
            tell_user(body, client, friendly_line(error, chat.language_of(_user_id(body)), reference))

    functools.update_wrapper(run, func, assigned=("__module__", "__name__", "__qualname__", "__doc__"), updated=())
    return run


def on_error(chat: Chat) -> Callable[..., None]:
    """Bolt's global error handler: for failures outside the lazy listeners (ack functions, middleware)."""

    def handle(error: Exception, body: dict[str, Any], client: WebClient) -> None:
        reference = reference_id()
        if not isinstance(error, PlanbridgeError):
            log.error("Slack request failed: %s (reference %s)", error, reference, exc_info=error,
                      extra={"reference": reference})
        if isinstance(body, dict) and client is not None:
            tell_user(body, client, friendly_line(error, chat.language_of(_user_id(body)), reference))

    return handle


def _user_id(body: dict[str, Any]) -> str | None:
    event = body.get("event") or {}
    user = body.get("user")
    return event.get("user") or (user.get("id") if isinstance(user, dict) else None) or body.get("user_id")
