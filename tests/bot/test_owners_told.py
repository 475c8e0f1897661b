"""After an approval, the owners of the orders it made late are told directly, in their language, with a
button to quote the order again; the requester's thread and the production card say who decided and when;
"Show plan" shows the plan behind a promise."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.actions import APPROVE, REPROMISE, REQUEST, SHOW_PLAN
from planbridge.app import build_http_app, build_runtime
from planning_core.model import PlantSnapshot
from tests.bot.conftest import (
    PRODUCTION,
    PRODUCTION_CHANNEL,
    SALES,
    SALES_CHANNEL,
    SALES_ZH,
    Harness,
    InlineExecutor,
    all_text,
    buttons,
    plant_services,
    posted_blocks,
    slack_settings,
)
from tests.bot.mock_slack import MockSlack
from tests.bot.test_actions import QUOTE_TS, answered_quote, click_button, rush_requested

WHEN = r"[A-Z][a-z]{2} \d{1,2}(, \d{4})? \d{2}:\d{2} UTC"


def direct_messages(harness: Harness, user: str) -> list[dict[str, Any]]:
    return [c.body for c in harness.slack.to("chat.postMessage") if c.body["channel"] == f"D{user}"]


def approved_rush(harness: Harness) -> str:
    request_id, production_message = rush_requested(harness)
    click_button(harness, production_message, APPROVE, user=PRODUCTION, channel=PRODUCTION_CHANNEL)
    return request_id


def test_the_owner_of_an_order_an_approved_rush_made_late_gets_a_direct_message(harness: Harness) -> None:
    request_id = approved_rush(harness)  # rush A-2 to Jan 6: A-1 (Acme, Mia's) slips Jan 5 → Jan 8

    assert [c.body["users"] for c in harness.slack.to("conversations.open")] == [SALES]
    [dm] = direct_messages(harness, SALES)
    assert dm["text"] == "A-1 needs a new promise"
    blocks = posted_blocks(dm)
    text = all_text(blocks)
    assert re.search(rf"{request_id} \(Rush\) was approved by <@{PRODUCTION}> at {WHEN}: your order A-1 for Acme "
                     r"can no longer make its promise\.", text), text
    fields = {f["text"] for b in blocks if b.get("fields") for f in b["fields"]}
    assert {"*Order*\nA-1", "*Customer*\nAcme", "*Old promise*\nJan 5", "*New projected date*\n*Jan 8*"} <= fields
    assert json.loads(buttons(blocks)[REPROMISE]["value"]) == {"order_id": "A-1"}


def test_the_requesters_thread_and_the_production_card_say_who_decided_and_when(harness: Harness) -> None:
    request_id = approved_rush(harness)

    [back] = [c.body for c in harness.slack.to("chat.postMessage")
              if c.body["channel"] == SALES_CHANNEL and c.body.get("thread_ts") == QUOTE_TS][-1:]
    assert re.match(rf"{request_id} was approved by <@{PRODUCTION}> at {WHEN}\.", back["text"]), back["text"]
    card = all_text(posted_blocks(harness.slack.to("chat.update")[-1].body))
    assert re.search(rf"Approved by <@{PRODUCTION}> · {WHEN}", card), card


def test_the_owner_reopens_a_quote_for_the_order_and_sees_the_plan_behind_it(harness: Harness) -> None:
    approved_rush(harness)
    [dm] = direct_messages(harness, SALES)
    message = {"ts": "1700000000.000500", "text": dm["text"], "blocks": posted_blocks(dm)}

    click_button(harness, message, REPROMISE, user=SALES, channel=f"D{SALES}")

    quote = harness.slack.to("chat.postMessage")[-1].body
    assert (quote["channel"], quote["thread_ts"]) == (f"D{SALES}", "1700000000.000500")
    assert quote["text"].startswith("We can deliver 15 Centrifugal pump A")
    quote_blocks = posted_blocks(quote)
    change = json.loads(buttons(quote_blocks)[REQUEST]["value"])
    assert (change["kind"], change["order_id"]) == ("change", "A-1")  # a new promise, not a second order
    assert "planbridge_book" not in buttons(quote_blocks)

    shown = {"ts": "1700000000.000600", "thread_ts": "1700000000.000500", "text": quote["text"],
             "blocks": quote_blocks}
    click_button(harness, shown, SHOW_PLAN, user=SALES, channel=f"D{SALES}")

    plan = harness.slack.to("chat.postMessage")[-1].body
    assert plan["text"].startswith("The plan behind 15 × Centrifugal pump A by ")
    text = all_text(posted_blocks(plan))
    assert "*Operations*" in text and "PUMP-A" in text and "*Deliveries*" in text


def test_show_plan_on_a_quote_card_shows_its_operations(harness: Harness) -> None:
    message = answered_quote(harness, "when can we ship 30 pump A to Acme by Jan 12?")

    click_button(harness, message, SHOW_PLAN, user=SALES)

    plan = harness.slack.to("chat.postMessage")[-1].body
    assert plan["thread_ts"] == QUOTE_TS
    assert plan["text"] == "The plan behind 30 × Centrifugal pump A by Jan 11"  # ready Jan 11, asked by the 12th
    assert re.search(r"Jan \d{1,2} \d{2}:\d{2}–\d{2}:\d{2} · \S+ · PUMP-A", all_text(posted_blocks(plan)))


@pytest.fixture
def zh_owner(db_url: str, slack: MockSlack, pumps: PlantSnapshot) -> Harness:
    """The pumps plant with A-1 owned by 李娜, who reads Simplified Chinese."""
    orders = tuple(replace(o, owner=SALES_ZH) if o.order_id == "A-1" else o for o in pumps.sales_orders)
    settings = slack_settings(db_url, slack)
    services = plant_services(db_url, replace(pumps, sales_orders=orders))
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    runtime = build_runtime(settings, services=services, client=client, listener_executor=InlineExecutor())
    from fastapi.testclient import TestClient

    return Harness(TestClient(build_http_app(settings, runtime=runtime)), slack, services, runtime)


def test_the_owner_is_told_in_their_own_language(zh_owner: Harness) -> None:
    approved_rush(zh_owner)

    [dm] = direct_messages(zh_owner, SALES_ZH)
    assert dm["text"] == "A-1 需要重新承诺交期"
    text = all_text(posted_blocks(dm))
    assert "您为Acme的订单A-1无法按原承诺交付" in text and "1月8日" in text and "打开重新承诺报价" in text
    assert direct_messages(zh_owner, SALES) == []
