"""App Home: on `app_home_opened` (the Home tab), the person's home is published with views.publish."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blockkit import render_card
from bot.failures import guarded
from bot.listeners import listening
from planbridge.chat.handlers import Chat, home_opened
from planbridge.presentation.cards import Card

HOME_BLOCK_LIMIT = 100  # Slack's limit for a Home tab view


def register(app: App, chat: Chat) -> None:
    def publish_home(body: dict[str, Any], client: WebClient) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") != "home" or not event.get("user"):
            return  # the Messages tab also sends app_home_opened: nothing to draw there
        card = home_opened(chat, event["user"])
        client.views_publish(user_id=event["user"], view=home_view(card))

    listening(app).event("app_home_opened", ack=_ack, lazy=[guarded(chat, publish_home)])


def home_view(card: Card) -> dict[str, Any]:
    return {"type": "home", "blocks": render_card(card)[:HOME_BLOCK_LIMIT]}


def _ack(ack: Ack) -> None:
    ack()
