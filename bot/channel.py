"""Slack as a chat channel: the `ChatChannel` and `Interaction` ports on the Slack Web API."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blockkit import Block, message_text, mrkdwn, render_card, without_actions
from planbridge.chat.ports import Place, Posted
from planbridge.presentation.cards import Card, Rich

log = logging.getLogger("planbridge.bot")


class SlackChannel:
    """Posts cards as Block Kit messages (text-only cards as plain messages)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, place: Place, card: Card) -> Posted | None:
        response = self.client.chat_postMessage(channel=place.channel, thread_ts=place.thread, **_message(card))
        ts = response.get("ts")
        return Posted(str(response.get("channel") or place.channel), str(ts)) if ts else None

    def update(self, posted: Posted, card: Card) -> None:
        self.client.chat_update(channel=posted.channel, ts=posted.message_id, text=card.fallback,
                                blocks=render_card(card))

    def direct_message(self, user_id: str, card: Card) -> Posted | None:
        opened = self.client.conversations_open(users=user_id)
        channel = (opened.get("channel") or {}).get("id")
        return self.post(Place(str(channel)), card) if channel else None

    def post_image(self, channel: str, png: bytes, *, filename: str, title: str) -> None:
        self.client.files_upload_v2(channel=channel, file=png, filename=filename, title=title)


def _message(card: Card) -> dict[str, Any]:
    if card.text_only:
        return {"text": message_text(card)}
    return {"text": card.fallback, "blocks": render_card(card), "unfurl_links": False}


class SlackClick:
    """One button click: who clicked, the button's value, and the message it sits in."""

    def __init__(self, body: dict[str, Any], client: WebClient) -> None:
        self.body = body
        self.client = client
        self._user_id: str = body["user"]["id"]
        action = body["actions"][0]
        self._value: dict[str, Any] = json.loads(action.get("value") or "{}")
        container = body.get("container") or {}
        message = body.get("message") or {}
        self.channel: str | None = container.get("channel_id") or (body.get("channel") or {}).get("id")
        self.message_ts: str | None = container.get("message_ts") or message.get("ts")
        self.ephemeral = bool(container.get("is_ephemeral"))
        self.blocks: list[Block] = message.get("blocks") or []
        self.thread_ts: str | None = message.get("thread_ts") or self.message_ts
        self.action_id: str = action.get("action_id") or ""

    @property
    def user_id(self) -> str:
        return self._user_id

    @property
    def key(self) -> str:
        return f"slack:click:{self.channel}:{self.message_ts}:{self.action_id}:{self.user_id}"

    @property
    def value(self) -> Mapping[str, Any]:
        return self._value

    @property
    def thread(self) -> Place | None:
        if self.channel and self.thread_ts and not self.ephemeral:
            return Place(self.channel, self.thread_ts)
        return None

    def tell(self, text: str) -> None:
        """Only the clicking user sees this."""
        if self.body.get("response_url"):
            respond_privately(self.body["response_url"], text)
        elif self.channel:
            self.client.chat_postEphemeral(channel=self.channel, user=self.user_id, text=text)

    def reply(self, card: Card) -> None:
        thread = self.thread
        if thread:
            self.client.chat_postMessage(channel=thread.channel, thread_ts=thread.thread, **_message(card))
        else:
            self.tell(message_text(card) if card.text_only else card.fallback)

    def update(self, card: Card) -> None:
        self._replace(render_card(card), card.fallback)

    def close(self, note: Rich) -> None:
        line = mrkdwn(note)
        text = str((self.body.get("message") or {}).get("text") or line)
        self._replace(without_actions(self.blocks, line), text)

    def _replace(self, blocks: list[Block], text: str) -> None:
        """Replace the clicked message (chat.update; through response_url for ephemeral ones)."""
        if not self.ephemeral and self.channel and self.message_ts:
            try:
                self.client.chat_update(channel=self.channel, ts=self.message_ts, text=text, blocks=blocks)
                return
            except SlackApiError as exc:  # e.g. a message posted through a response_url
                log.info("chat.update failed (%s); replacing through response_url", exc.response.get("error"))
        if self.body.get("response_url"):
            from slack_sdk.webhook import WebhookClient

            WebhookClient(self.body["response_url"]).send(text=text, blocks=blocks, replace_original=True)


def respond_privately(response_url: str, text: str) -> None:
    """An ephemeral reply through the request's response_url (works in any channel, even DMs)."""
    from slack_sdk.webhook import WebhookClient

    WebhookClient(response_url).send(text=text, response_type="ephemeral", replace_original=False)
