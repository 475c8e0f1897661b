"""Button clicks: Book it, Request rush/change/cancellation, Approve, Reject.

Who acts is always the *clicking* user (`body["user"]["id"]`, signed by Slack), never a
name from a message. The services check roles: a sales rep's Approve changes nothing.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.context import Bot
from bot.failures import guarded, respond_privately
from bot.views.answers import BOOK, REQUEST, decided_actions_note
from bot.views.blocks import Block, escape
from bot.views.requests import APPROVE, REJECT, decided_blocks, request_blocks
from bot.views.words import words
from planbridge.errors import Conflict, NotFound, PermissionDenied
from planbridge.services import wording
from planbridge.services.orders import BookOrder, book_order
from planbridge.services.records import RequestKind
from planbridge.services.requests import CreateRequest, Decide, create_request, decide_request

log = logging.getLogger("planbridge.bot")


def register(app: App, bot: Bot) -> None:
    def book(body: dict[str, Any], client: WebClient) -> None:
        book_clicked(bot, body, client)

    def request_change(body: dict[str, Any], client: WebClient) -> None:
        request_clicked(bot, body, client)

    def approve(body: dict[str, Any], client: WebClient) -> None:
        decision_clicked(bot, body, client, approve=True)

    def reject(body: dict[str, Any], client: WebClient) -> None:
        decision_clicked(bot, body, client, approve=False)

    app.action(BOOK)(ack=_ack, lazy=[guarded(bot, book)])
    app.action(REQUEST)(ack=_ack, lazy=[guarded(bot, request_change)])
    app.action(APPROVE)(ack=_ack, lazy=[guarded(bot, approve)])
    app.action(REJECT)(ack=_ack, lazy=[guarded(bot, reject)])


def _ack(ack: Ack) -> None:
    ack()


# -- Book it ---------------------------------------------------------------------------------


def book_clicked(bot: Bot, body: dict[str, Any], client: WebClient) -> None:
    clicked = Click.of(body)
    user = bot.user(clicked.user_id)
    if user is None:
        clicked.tell(client, words("en", "unknown_user", action=words("en", "action_book")))
        return
    language = user.language.value
    value = clicked.value
    booking = book_order(BookOrder(item=str(value["item_id"]), qty=float(value["qty"]), customer=str(value["customer"]),
                                   due=_date(value.get("due")), user_id=user.user_id, language=language), bot.services)
    quote = booking.answer.quote
    text = words(language, "booked", order_id=booking.order_id, qty=wording.qty(quote.qty),
                 item=escape(booking.answer.item_name), customer=escape(booking.answer.customer or ""),
                 day=wording.day(quote.promise_date, language, today=quote.as_of))
    clicked.post_in_thread(client, text)
    clicked.replace_buttons(client, words(language, "booked_by", order_id=booking.order_id, user=f"<@{user.user_id}>"))


# -- Request rush / change / cancellation ----------------------------------------------------


def request_clicked(bot: Bot, body: dict[str, Any], client: WebClient) -> None:
    clicked = Click.of(body)
    user = bot.user(clicked.user_id)
    if user is None:
        clicked.tell(client, words("en", "unknown_user", action=words("en", "action_request")))
        return
    language = user.language.value
    v = clicked.value
    answer = create_request(CreateRequest(
        kind=RequestKind(str(v["kind"])), user_id=user.user_id, order_id=v.get("order_id"), due=_date(v.get("due")),
        qty=float(v["qty"]) if v.get("qty") is not None else None, item=v.get("item_id"), customer=v.get("customer"),
        note="requested in Slack",
    ), bot.services)
    document = answer.to_json()
    request_id = document["request_id"]
    if bot.production_channel:
        client.chat_postMessage(
            channel=bot.production_channel, text=_request_text(document, bot.channel_language),
            blocks=request_blocks(document, bot.channel_language, origin=clicked.thread),
        )
        clicked.post_in_thread(client, words(language, "request_sent", request_id=request_id))
    else:
        clicked.post_in_thread(client, words(language, "request_sent_no_channel", request_id=request_id))
    clicked.replace_buttons(client, words(language, "request_made_by", request_id=request_id, user=f"<@{user.user_id}>"))


def _request_text(document: dict[str, Any], language: str) -> str:
    kind = words(language, f"kind_{document['kind']}")
    title = words(language, "request_title", kind=kind, request_id=document["request_id"])
    return f"{title}: {document.get('explanation') or ''}"


# -- Approve / Reject ------------------------------------------------------------------------


def decision_clicked(bot: Bot, body: dict[str, Any], client: WebClient, *, approve: bool) -> None:
    """Decide as the clicking user; a refusal is told to that user only and changes nothing."""
    clicked = Click.of(body)
    user = bot.user(clicked.user_id)
    if user is None:
        clicked.tell(client, words("en", "unknown_user", action=words("en", "action_decide")))
        return
    language = user.language.value
    request_id = str(clicked.value["request_id"])
    try:
        answer = decide_request(Decide(request_id=request_id, user_id=user.user_id, approve=approve), bot.services)
    except (PermissionDenied, Conflict, NotFound) as refusal:
        clicked.tell(client, words(language, "refused", reason=refusal.message))
        return
    document = answer.to_json()
    clicked.update(client, decided_blocks(document, bot.channel_language), _request_text(document, bot.channel_language))
    origin = clicked.value.get("origin")
    if isinstance(origin, dict) and origin.get("channel") and origin.get("ts"):
        status = words(language, "approved_word" if approve else "rejected_word")
        note = words(language, "decided_note", request_id=request_id, status=status, user=f"<@{user.user_id}>")
        client.chat_postMessage(channel=str(origin["channel"]), thread_ts=str(origin["ts"]),
                                text=f"{note}\n{document['explanation']}")


# -- the click itself ------------------------------------------------------------------------


class Click:
    """One button click: who clicked, the button's value, and the message it sits in."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.user_id: str = body["user"]["id"]
        action = body["actions"][0]
        self.value: dict[str, Any] = json.loads(action.get("value") or "{}")
        container = body.get("container") or {}
        message = body.get("message") or {}
        self.channel: str | None = container.get("channel_id") or (body.get("channel") or {}).get("id")
        self.message_ts: str | None = container.get("message_ts") or message.get("ts")
        self.ephemeral = bool(container.get("is_ephemeral"))
        self.blocks: list[Block] = message.get("blocks") or []
        self.thread_ts: str | None = message.get("thread_ts") or self.message_ts

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        return cls(body)

    @property
    def thread(self) -> dict[str, str] | None:
        if self.channel and self.thread_ts and not self.ephemeral:
            return {"channel": self.channel, "ts": self.thread_ts}
        return None

    def tell(self, client: WebClient, text: str) -> None:
        """Only the clicking user sees this."""
        if self.body.get("response_url"):
            respond_privately(self.body["response_url"], text)
        elif self.channel:
            client.chat_postEphemeral(channel=self.channel, user=self.user_id, text=text)

    def post_in_thread(self, client: WebClient, text: str) -> None:
        if self.thread:
            client.chat_postMessage(channel=self.thread["channel"], thread_ts=self.thread["ts"], text=text)
        else:
            self.tell(client, text)

    def update(self, client: WebClient, blocks: list[Block], text: str) -> None:
        """Replace the clicked message (chat.update; through response_url for ephemeral ones)."""
        if not self.ephemeral and self.channel and self.message_ts:
            try:
                client.chat_update(channel=self.channel, ts=self.message_ts, text=text, blocks=blocks)
                return
            except SlackApiError as exc:  # e.g. a message posted through a response_url
                log.info("chat.update failed (%s); replacing through response_url", exc.response.get("error"))
        if self.body.get("response_url"):
            from slack_sdk.webhook import WebhookClient

            WebhookClient(self.body["response_url"]).send(text=text, blocks=blocks, replace_original=True)

    def replace_buttons(self, client: WebClient, note: str) -> None:
        """The clicked message without its buttons, and a note of what was done."""
        text = str((self.body.get("message") or {}).get("text") or note)
        self.update(client, decided_actions_note(self.blocks, note), text)


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None
