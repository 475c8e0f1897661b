"""Button clicks: Book it, Request rush/change/cancellation, Approve, Reject, Re-promise, Show plan.

Slack tells who clicked (`body["user"]["id"]`, signed by Slack); the chat layer acts as that
user and the services check roles.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blockkit import ACTION_IDS
from bot.channel import SlackClick
from bot.failures import guarded
from bot.listeners import listening
from planbridge.chat.handlers import (
    Chat,
    book_clicked,
    decision_clicked,
    repromise_clicked,
    request_clicked,
    show_plan_clicked,
)
from planbridge.presentation.cards import Action

BOOK, REQUEST, APPROVE, REJECT, REPROMISE, SHOW_PLAN = (
    ACTION_IDS[a] for a in (Action.BOOK, Action.REQUEST, Action.APPROVE, Action.REJECT, Action.REPROMISE,
                            Action.SHOW_PLAN))


def register(app: App, chat: Chat) -> None:
    def book(body: dict[str, Any], client: WebClient) -> None:
        book_clicked(chat, SlackClick(body, client))

    def request_change(body: dict[str, Any], client: WebClient) -> None:
        request_clicked(chat, SlackClick(body, client))

    def approve(body: dict[str, Any], client: WebClient) -> None:
        decision_clicked(chat, SlackClick(body, client), approve=True)

    def reject(body: dict[str, Any], client: WebClient) -> None:
        decision_clicked(chat, SlackClick(body, client), approve=False)

    def repromise(body: dict[str, Any], client: WebClient) -> None:
        repromise_clicked(chat, SlackClick(body, client))

    def show_plan(body: dict[str, Any], client: WebClient) -> None:
        show_plan_clicked(chat, SlackClick(body, client))

    listen = listening(app)
    listen.action(BOOK, ack=_ack, lazy=[guarded(chat, book)])
    listen.action(REQUEST, ack=_ack, lazy=[guarded(chat, request_change)])
    listen.action(APPROVE, ack=_ack, lazy=[guarded(chat, approve)])
    listen.action(REJECT, ack=_ack, lazy=[guarded(chat, reject)])
    listen.action(REPROMISE, ack=_ack, lazy=[guarded(chat, repromise)])
    listen.action(SHOW_PLAN, ack=_ack, lazy=[guarded(chat, show_plan)])


def _ack(ack: Ack) -> None:
    ack()
