"""Buttons: Book it, Request rush, and Approve/Reject as the clicking user (never someone named in a message)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk import WebClient

from bot.actions import APPROVE, BOOK, REJECT, REQUEST
from bot.channel import SlackChannel, SlackClick
from planbridge.chat.handlers import Chat, request_clicked
from planbridge.services.requests import audit_log, list_requests
from planning_core.model import OrderStatus, Priority
from tests.bot.conftest import (
    PLANNER,
    PRODUCTION,
    PRODUCTION_CHANNEL,
    SALES,
    SALES_CHANNEL,
    STRANGER,
    Harness,
    all_text,
    buttons,
    posted_blocks,
)

QUOTE_TS = "1700000000.000100"


def answered_quote(harness: Harness, text: str) -> dict[str, Any]:
    """Ask in a thread and return the bot's reply as Slack would echo it in a click payload."""
    harness.mention(text, ts=QUOTE_TS)
    post = harness.slack.to("chat.postMessage")[-1]
    return {"ts": "1700000000.000200", "thread_ts": QUOTE_TS, "text": post.body["text"],
            "blocks": posted_blocks(post.body)}


def click_button(harness: Harness, message: dict[str, Any], action_id: str, *, user: str,
                 channel: str = SALES_CHANNEL) -> None:
    value = buttons(message["blocks"])[action_id]["value"]
    response = harness.click(action_id, value, user=user, channel=channel, message=message)
    assert response.status_code == 200


def test_book_it_books_the_order_as_the_clicking_rep_and_removes_the_buttons(harness: Harness) -> None:
    message = answered_quote(harness, "when can we ship 30 pump A to Acme by Jan 12?")

    click_button(harness, message, BOOK, user=SALES)

    booked = harness.services.snapshot().orders_by_id["SO-1001"]
    assert (booked.customer, booked.item_id, booked.qty) == ("Acme", "PUMP-A", 30)
    # Ready Jan 11 at the earliest, asked for by Jan 12: promised the 12th, as asked.
    assert booked.promised_date == date(2027, 1, 12) and booked.status is OrderStatus.CONFIRMED
    assert booked.owner == SALES
    confirmation = harness.slack.to("chat.postMessage")[-1]
    assert confirmation.body["thread_ts"] == QUOTE_TS
    assert confirmation.body["text"] == "Booked SO-1001: 30 Centrifugal pump A for Acme, promised Jan 12."
    [update] = harness.slack.to("chat.update")
    assert (update.body["channel"], update.body["ts"]) == (SALES_CHANNEL, "1700000000.000200")
    assert buttons(posted_blocks(update.body)) == {}
    assert "Booked as SO-1001 by <@U1SALES>" in all_text(posted_blocks(update.body))


def test_a_stranger_cannot_book_and_is_told_politely(harness: Harness) -> None:
    message = answered_quote(harness, "when can we ship 30 pump A to Acme by Jan 12?")

    click_button(harness, message, BOOK, user=STRANGER)

    assert "SO-1001" not in harness.services.snapshot().orders_by_id
    [reply] = harness.slack.responses()
    assert reply.body["response_type"] == "ephemeral"
    assert reply.body["text"].startswith("Sorry, I don't know you yet")
    assert harness.slack.to("chat.update") == []


def rush_requested(harness: Harness, *, by: str = SALES) -> tuple[str, dict[str, Any]]:
    """A rush of A-2 to Jan 6 analysed in chat, requested with the button; returns the production message."""
    message = answered_quote(harness, "rush A-2 to Jan 6")
    assert REQUEST in buttons(message["blocks"])
    click_button(harness, message, REQUEST, user=by)
    [request] = list_requests(harness.services)
    to_production = [c for c in harness.slack.to("chat.postMessage") if c.body["channel"] == PRODUCTION_CHANNEL]
    [posted] = to_production
    return request.request_id, {"ts": "1700000000.000900", "text": posted.body["text"],
                                "blocks": posted_blocks(posted.body)}


def test_request_rush_creates_a_pending_request_and_posts_it_to_production_with_the_impact(harness: Harness) -> None:
    request_id, production_message = rush_requested(harness)

    [stored] = list_requests(harness.services)
    assert (stored.kind, stored.order_id, stored.status, stored.requested_by) == ("rush", "A-2", "pending", SALES)
    text = all_text(production_message["blocks"])
    assert request_id in text
    assert "A-1 (Acme): Jan 5 → Jan 8 (+3 d)" in text  # the impact analysis: who would slip, by how much
    approve = json.loads(buttons(production_message["blocks"])[APPROVE]["value"])
    assert approve == {"request_id": request_id, "origin": {"channel": SALES_CHANNEL, "ts": QUOTE_TS}}
    assert REJECT in buttons(production_message["blocks"])
    thread_note = [c for c in harness.slack.to("chat.postMessage") if c.body.get("thread_ts") == QUOTE_TS][-1]
    assert thread_note.body["text"] == f"Request {request_id} sent to production for approval."


def test_approve_clicked_by_a_sales_rep_is_refused_and_changes_nothing(harness: Harness) -> None:
    _request_id, production_message = rush_requested(harness)
    updates_before = len(harness.slack.to("chat.update"))

    click_button(harness, production_message, APPROVE, user=SALES, channel=PRODUCTION_CHANNEL)

    [stored] = list_requests(harness.services)
    assert stored.status == "pending" and stored.decided_by is None
    a2 = harness.services.snapshot().orders_by_id["A-2"]
    assert (a2.promised_date, a2.priority) == (date(2027, 1, 8), Priority.NORMAL)
    assert [e.action for e in audit_log(harness.services)] == ["approve_refused", "request_rush"]
    assert len(harness.slack.to("chat.update")) == updates_before  # the buttons stay for a production lead
    refusal = harness.slack.responses()[-1]
    assert refusal.body["response_type"] == "ephemeral"
    assert refusal.body["text"].startswith("Sorry, Mia Sales (sales) may not approve or reject changes")
    assert refusal.body["text"].endswith("Nothing was changed.")


def test_a_planner_and_a_stranger_cannot_approve_either(harness: Harness) -> None:
    _, production_message = rush_requested(harness)

    click_button(harness, production_message, APPROVE, user=PLANNER, channel=PRODUCTION_CHANNEL)
    click_button(harness, production_message, APPROVE, user=STRANGER, channel=PRODUCTION_CHANNEL)

    [stored] = list_requests(harness.services)
    assert stored.status == "pending"
    planner, stranger = harness.slack.responses()[-2:]
    assert "may not approve" in planner.body["text"]
    assert stranger.body["text"].startswith("Sorry, I don't know you yet")


def test_approve_clicked_by_a_production_lead_applies_the_rush_and_updates_the_message(harness: Harness) -> None:
    request_id, production_message = rush_requested(harness)

    click_button(harness, production_message, APPROVE, user=PRODUCTION, channel=PRODUCTION_CHANNEL)

    [stored] = list_requests(harness.services)
    assert (stored.status, stored.decided_by) == ("approved", PRODUCTION)
    a2 = harness.services.snapshot().orders_by_id["A-2"]
    assert (a2.promised_date, a2.priority) == (date(2027, 1, 6), Priority.RUSH)
    update = harness.slack.to("chat.update")[-1]
    assert (update.body["channel"], update.body["ts"]) == (PRODUCTION_CHANNEL, "1700000000.000900")
    blocks = posted_blocks(update.body)
    assert buttons(blocks) == {}
    assert "Approved by <@U3PROD>" in all_text(blocks)
    [back_in_thread] = [c for c in harness.slack.to("chat.postMessage") if c.body["channel"] == SALES_CHANNEL
                        and c.body.get("thread_ts") == QUOTE_TS and c.body["text"].startswith(request_id)]
    # in the requester's language (Mia reads English; the lead who decided reads Chinese)
    assert back_in_thread.body["text"].startswith(f"{request_id} was approved by <@U3PROD> at ")


def test_reject_by_a_production_lead_drops_the_request(harness: Harness) -> None:
    _, production_message = rush_requested(harness)

    click_button(harness, production_message, REJECT, user=PRODUCTION, channel=PRODUCTION_CHANNEL)

    [stored] = list_requests(harness.services)
    assert (stored.status, stored.decided_by) == ("rejected", PRODUCTION)
    assert harness.services.snapshot().orders_by_id["A-2"].priority is Priority.NORMAL
    assert "Rejected by <@U3PROD>" in all_text(posted_blocks(harness.slack.to("chat.update")[-1].body))


def test_a_second_approval_is_told_that_it_was_already_decided(harness: Harness) -> None:
    _, production_message = rush_requested(harness)
    click_button(harness, production_message, APPROVE, user=PRODUCTION, channel=PRODUCTION_CHANNEL)

    click_button(harness, production_message, APPROVE, user=PRODUCTION, channel=PRODUCTION_CHANNEL)

    # the lead reads Chinese: "already done from this card: REQ-… was approved by Wang Production"
    assert harness.slack.responses()[-1].body["text"].startswith("此卡片上的操作已完成：REQ-")
    assert [e.action for e in audit_log(harness.services)].count("approve") == 1


def test_without_a_production_channel_the_request_is_still_created(harness: Harness) -> None:
    message = answered_quote(harness, "rush A-2 to Jan 6")
    value = buttons(message["blocks"])[REQUEST]["value"]
    body = {"user": {"id": SALES}, "actions": [{"value": value}], "message": message,
            "container": {"channel_id": SALES_CHANNEL, "message_ts": message["ts"]}}

    client = WebClient(base_url=harness.slack.api_url)
    request_clicked(Chat(harness.services, SlackChannel(client), production_channel=None), SlackClick(body, client))

    [request] = list_requests(harness.services)
    note = harness.slack.to("chat.postMessage")[-1]
    assert note.body["channel"] == SALES_CHANNEL
    assert note.body["text"].startswith(f"Request {request.request_id} created; production can approve it")
