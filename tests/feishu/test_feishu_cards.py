"""Card buttons in Feishu: Book once, Request rush, Approve/Reject as the clicking person (roles as in Slack)."""

from __future__ import annotations

from datetime import date
from typing import Any

from planbridge.services.requests import audit_log, list_requests
from planning_core.model import OrderStatus, Priority
from tests.feishu.conftest import (
    LINA,
    MIA,
    NOBODY,
    PRODUCTION_CHAT,
    SALES_CHAT,
    WANG,
    FeishuHarness,
    card_buttons,
    card_text,
)
from tests.feishu.mock_feishu import Call


def quote_card(harness: FeishuHarness, text: str, *, sender: str = MIA) -> tuple[str, dict[str, Any]]:
    """Ask in the sales group; the bot's reply card (its message id, its JSON)."""
    harness.ask(text, sender=sender, message_id="om_question")
    reply = harness.feishu.of("reply")[-1]
    message_id = next(mid for mid, m in harness.feishu.messages.items() if m["content"] == reply.body["content"])
    return message_id, reply.content


def private_lines(harness: FeishuHarness, open_id: str) -> list[str]:
    return [c.content["text"] for c in harness.feishu.of("send")
            if c.query.get("receive_id_type") == "open_id" and c.body["receive_id"] == open_id]


def test_book_creates_one_order_however_often_the_callback_comes(feishu_harness: FeishuHarness) -> None:
    message_id, card = quote_card(feishu_harness, "when can we ship 30 pump A to Acme by Jan 12?")
    book = card_buttons(card)["book"]

    first = feishu_harness.click(book, operator=MIA, message_id=message_id, chat_id=SALES_CHAT)
    again = feishu_harness.click(book, operator=MIA, message_id=message_id, chat_id=SALES_CHAT)

    assert first.status_code == again.status_code == 200
    orders = [o for o in feishu_harness.services.snapshot().sales_orders if o.customer == "Acme" and o.qty == 30]
    [booked] = orders
    assert (booked.order_id, booked.item_id, booked.owner) == ("SO-1001", "PUMP-A", "U1SALES")
    assert booked.promised_date == date(2027, 1, 12) and booked.status is OrderStatus.CONFIRMED
    assert [e.action for e in audit_log(feishu_harness.services)].count("book") == 1
    confirmation = [c for c in feishu_harness.feishu.of("reply") if c.message_id == message_id]
    assert [c.content["text"] for c in confirmation] == [
        "Booked SO-1001: 30 Centrifugal pump A for Acme, promised Jan 12."]
    [closed] = feishu_harness.feishu.of("patch")
    assert closed.message_id == message_id and card_buttons(closed.content) == {}
    assert "Booked as SO-1001 by <at id=ou_mia></at>" in card_text(closed.content)
    assert "承诺" not in card_text(closed.content) and "Promise date" in card_text(closed.content)
    [told] = private_lines(feishu_harness, MIA)  # the repeat is told what the first click did
    assert told.startswith("Already done from this card: Booked SO-1001")


def test_a_stranger_cannot_book_and_is_told_privately(feishu_harness: FeishuHarness) -> None:
    message_id, card = quote_card(feishu_harness, "when can we ship 30 pump A to Acme by Jan 12?")

    feishu_harness.click(card_buttons(card)["book"], operator=NOBODY, message_id=message_id, chat_id=SALES_CHAT)

    assert "SO-1001" not in feishu_harness.services.snapshot().orders_by_id
    [told] = private_lines(feishu_harness, NOBODY)
    assert told.startswith("Sorry, I don't know you yet: ask your planner to add your Feishu id to users.csv")
    assert feishu_harness.feishu.of("patch") == []


def rush_requested(harness: FeishuHarness) -> tuple[str, str, dict[str, Any]]:
    """A rush of A-2 to Jan 6 analysed in the sales group and requested with its button; returns the
    request id and the production group's card (message id, JSON)."""
    message_id, card = quote_card(harness, "rush A-2 to Jan 6")
    harness.click(card_buttons(card)["request"], operator=MIA, message_id=message_id, chat_id=SALES_CHAT)
    [request] = list_requests(harness.services)
    [posted] = [c for c in harness.feishu.of("send") if c.body["receive_id"] == PRODUCTION_CHAT]
    production_id = next(mid for mid, m in harness.feishu.messages.items() if m["content"] == posted.body["content"])
    return request.request_id, production_id, posted.content


def test_request_rush_posts_the_impact_to_the_production_group(feishu_harness: FeishuHarness) -> None:
    request_id, _, card = rush_requested(feishu_harness)

    [stored] = list_requests(feishu_harness.services)
    assert (stored.kind, stored.order_id, stored.status, stored.requested_by) == ("rush", "A-2", "pending", "U1SALES")
    text = card_text(card)
    assert request_id in text and "A-1 (Acme)" in text
    assert set(card_buttons(card)) == {"approve", "reject"}


def test_approve_clicked_by_a_sales_user_is_refused_and_changes_nothing(feishu_harness: FeishuHarness) -> None:
    _, production_id, card = rush_requested(feishu_harness)
    patches_before = len(feishu_harness.feishu.of("patch"))

    feishu_harness.click(card_buttons(card)["approve"], operator=LINA, message_id=production_id,
                         chat_id=PRODUCTION_CHAT)

    [stored] = list_requests(feishu_harness.services)
    assert stored.status == "pending" and stored.decided_by is None
    a2 = feishu_harness.services.snapshot().orders_by_id["A-2"]
    assert (a2.promised_date, a2.priority) == (date(2027, 1, 8), Priority.NORMAL)
    assert [e.action for e in audit_log(feishu_harness.services)] == ["approve_refused", "request_rush"]
    assert len(feishu_harness.feishu.of("patch")) == patches_before  # the buttons stay for a production lead
    [refusal] = private_lines(feishu_harness, LINA)
    assert refusal.startswith("抱歉") and "李娜" in refusal


def test_a_production_leads_approval_applies_the_rush_and_updates_the_card(feishu_harness: FeishuHarness) -> None:
    request_id, production_id, card = rush_requested(feishu_harness)

    feishu_harness.click(card_buttons(card)["approve"], operator=WANG, message_id=production_id,
                         chat_id=PRODUCTION_CHAT)

    [stored] = list_requests(feishu_harness.services)
    assert (stored.status, stored.decided_by) == ("approved", "U3PROD")
    a2 = feishu_harness.services.snapshot().orders_by_id["A-2"]
    assert (a2.promised_date, a2.priority) == (date(2027, 1, 6), Priority.RUSH)
    update = feishu_harness.feishu.of("patch")[-1]
    assert update.message_id == production_id and card_buttons(update.content) == {}
    assert "<at id=ou_wang></at>" in card_text(update.content)
    back_in_thread: Call = feishu_harness.feishu.of("reply")[-1]  # told in the sales thread the request came from
    # told in Mia's language (English), the impact included, though Wang decided in Chinese
    told = back_in_thread.content["text"]
    assert told.startswith(f'{request_id} was approved by <at user_id="ou_wang">Wang Production</at> at ')
    assert "A-1" in told and not any("\u4e00" <= c <= "\u9fff" for c in told)
