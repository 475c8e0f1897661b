"""Cards drawn as Block Kit are pure functions of the typed answers: their structure, limits and escaping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.actions import APPROVE, BOOK, REJECT, REQUEST, SHOW_PLAN
from bot.blockkit import MAX_BLOCKS, Block, button, capped, escape, render_card, section
from planbridge.presentation.answer_cards import ask_card, decided_card, quote_card, request_card, rush_card
from planbridge.presentation.documents import ChangeDocument, QuoteDocument, RequestDocument, RushDocument
from tests.bot.conftest import all_text, buttons


def quote_blocks(document: dict[str, Any], language: str) -> list[Block]:
    return render_card(quote_card(QuoteDocument.model_validate(document), language))


def rush_blocks(document: dict[str, Any], language: str) -> list[Block]:
    return render_card(rush_card(RushDocument.model_validate({"language": language, **document}), language))


def stored(document: dict[str, Any]) -> RequestDocument:
    return RequestDocument.model_validate({"created_at": "2026-12-01T09:00:00+00:00", "decided_at": None, **document})


def request_blocks(document: dict[str, Any], language: str, *, origin: dict[str, str] | None = None) -> list[Block]:
    return render_card(request_card(stored(document), language, origin=origin))


def decided_blocks(document: dict[str, Any], language: str) -> list[Block]:
    return render_card(decided_card(stored(document), language))


def reply_blocks(ask: dict[str, Any]) -> list[Block]:
    """An `ask` answer as the chat layer sees it: the reply and the typed document of its answer."""
    answer = ask.get("answer")
    typed: object = None
    if answer is not None and ask["intent"] == "quote":
        typed = QuoteDocument.model_validate(answer)
    elif answer is not None and ask["intent"] in ("change", "cancel"):
        typed = ChangeDocument(intent=ask["intent"], language=ask["language"], **answer)
    return render_card(ask_card(ask["reply"], typed, needs=ask.get("needs"), error=ask.get("error")))


def a_quote(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "item_id": "V100", "item_name": "DN100 gate valve", "qty": 200, "due_date": "2026-12-03",
        "as_of": "2026-12-01", "promise_date": "2026-12-02", "feasible_by_due": True,
        "partial": [{"qty": 100, "date": "2026-12-01"}, {"qty": 100, "date": "2026-12-02"}],
        "constraints": [{"kind": "capacity", "resource_id": "ASSY", "item_id": None, "detail": "ASSY is full Dec 1"}],
        "review": {"technical": {"status": "ok", "reason": ""}, "material": {"status": "ok", "reason": ""},
                   "capacity": {"status": "warning", "reason": ""}, "date": {"status": "ok", "reason": ""}},
        "customer": "ACME", "language": "en", "explanation": "We can deliver 200 on Dec 2.",
    }
    document.update(changes)
    return document


def test_a_quote_has_the_explanation_the_figures_partials_constraints_review_and_a_book_button() -> None:
    blocks = quote_blocks(a_quote(), "en")

    assert [b["type"] for b in blocks] == ["section", "section", "section", "section", "context", "actions"]
    assert blocks[0]["text"]["text"] == "We can deliver 200 on Dec 2."
    assert [f["text"] for f in blocks[1]["fields"]] == [
        "*Promise date*\n*Dec 2* (:white_check_mark: on time)", "*Quantity*\n200 × DN100 gate valve",
        "*Requested*\nDec 3", "*Customer*\nACME"]
    assert blocks[2]["text"]["text"] == "*Partial deliveries*\n100 on Dec 1, 100 on Dec 2"
    assert blocks[3]["text"]["text"] == "*Binding constraints*\n• ASSY is full Dec 1"
    assert blocks[4]["elements"][0]["text"] == (
        "*Order review*: :white_check_mark: technical · :white_check_mark: material · :warning: capacity"
        " · :white_check_mark: date")
    assert list(buttons(blocks)) == [BOOK, SHOW_PLAN]
    assert json.loads(buttons(blocks)[SHOW_PLAN]["value"]) == {"item_id": "V100", "qty": 200, "due": "2026-12-03"}
    assert json.loads(buttons(blocks)[BOOK]["value"]) == {"item_id": "V100", "qty": 200, "due": "2026-12-03",
                                                          "customer": "ACME"}
    assert buttons(blocks)[BOOK]["confirm"]["confirm"]["text"] == "Book"


def test_a_late_quote_offers_a_rush_request_for_a_new_order() -> None:
    blocks = quote_blocks(a_quote(promise_date="2026-12-09", feasible_by_due=False), "en")

    assert blocks[1]["fields"][0]["text"] == "*Promise date*\n*Dec 9* (:warning: late)"
    assert json.loads(buttons(blocks)[REQUEST]["value"]) == {
        "kind": "rush", "item_id": "V100", "qty": 200, "due": "2026-12-03", "customer": "ACME"}


def test_without_a_customer_there_is_no_book_button_but_a_hint() -> None:
    blocks = quote_blocks(a_quote(customer=None, due_date=None, feasible_by_due=None), "en")

    assert list(buttons(blocks)) == [SHOW_PLAN]  # the plan behind the promise, whoever it is for
    assert blocks[-1] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "Name the customer (\"… for ACME\") to book it."}]}


def test_a_quantity_that_can_never_be_made_has_no_buttons() -> None:
    blocks = quote_blocks(a_quote(promise_date=None, partial=[]), "en")

    assert buttons(blocks) == {}
    assert ":x: cannot be made" in blocks[1]["fields"][0]["text"]


def test_long_partial_lists_are_shortened() -> None:
    partial = [{"qty": 1, "date": f"2026-12-{d:02d}"} for d in range(1, 21)]
    blocks = quote_blocks(a_quote(partial=partial), "en")

    assert blocks[2]["text"]["text"].endswith("1 on Dec 8 … 12 more")


def test_chinese_labels() -> None:
    blocks = quote_blocks(a_quote(), "zh")

    assert blocks[1]["fields"][0]["text"] == "*承诺交期*\n*12月2日* (:white_check_mark: 可按期)"
    assert buttons(blocks)[BOOK]["text"]["text"] == "确认下单"


def test_customer_names_cannot_ping_a_channel() -> None:
    blocks = quote_blocks(a_quote(customer="<!channel> & co"), "en")

    assert "*Customer*\n&lt;!channel&gt; &amp; co" in [f["text"] for f in blocks[1]["fields"]]
    assert escape("<@U1>") == "&lt;@U1&gt;"


A_RUSH = {"order_id": "SO-3", "item_id": "V100", "qty": 160, "customer": "ACME", "due_date": "2026-12-02",
          "as_of": "2026-12-01", "promise_date": "2026-12-02", "feasible_by_due": True,
          "impacted": [{"order_id": "SO-1", "customer": "Globex", "item_id": "V100", "qty": 50,
                        "promised_date": "2026-12-03", "projected_date": "2026-12-07", "days_late": 4},
                       {"order_id": "SO-2", "customer": "Initech", "item_id": "V100", "qty": 5,
                        "promised_date": "2026-12-04", "projected_date": None, "days_late": None}],
          "explanation": "Rushed, SO-3 can be ready Dec 2."}


def test_a_rush_lists_every_order_that_would_slip_and_offers_the_request() -> None:
    blocks = rush_blocks(A_RUSH, "en")

    assert blocks[2]["text"]["text"] == ("*Orders that would slip*\n• SO-1 (Globex): Dec 3 → Dec 7 (+4 d)\n"
                                         "• SO-2 (Initech): Dec 4 → never")
    assert json.loads(buttons(blocks)[REQUEST]["value"]) == {"kind": "rush", "due": "2026-12-02", "order_id": "SO-3"}


def test_a_rush_without_impact_says_so() -> None:
    assert "No other order slips." in all_text(rush_blocks({**A_RUSH, "impacted": []}, "en"))


def test_reply_blocks_pick_the_view_by_intent() -> None:
    ask = {"reply": "We can deliver 200 on Dec 2.", "language": "en", "intent": "quote", "answer": a_quote(),
           "needs": None, "error": None}
    assert BOOK in buttons(reply_blocks(ask))
    assert reply_blocks({**ask, "needs": "qty", "reply": "How many?"}) == [section("How many?")]
    assert reply_blocks({**ask, "intent": "help", "answer": None, "reply": "I can answer"}) == [section("I can answer")]
    change = {**ask, "intent": "cancel", "answer": {"order": {"order_id": "SO-1"}, "requested": {}}}
    assert json.loads(buttons(reply_blocks(change))[REQUEST]["value"]) == {"kind": "cancel", "order_id": "SO-1"}


def a_request(status: str = "pending", decided_by: str | None = None) -> dict[str, Any]:
    return {"request_id": "REQ-ABC123", "kind": "rush", "order_id": "SO-3", "status": status,
            "requested_by": "U1SALES", "decided_by": decided_by, "payload": {"as_of": "2026-12-01", "due": "2026-12-02"},
            "impact": {**A_RUSH, "impacted": A_RUSH["impacted"][:1]}, "explanation": "Rushed, SO-3 can be ready Dec 2."}


def test_a_pending_request_carries_approve_and_reject_with_its_id_and_origin() -> None:
    blocks = request_blocks(a_request(), "en", origin={"channel": "C1", "ts": "1.2"})

    assert blocks[0]["text"]["text"] == "Rush request REQ-ABC123 · SO-3"
    assert "• SO-1 (Globex): Dec 3 → Dec 7 (+4 d)" in all_text(blocks)
    value = {"request_id": "REQ-ABC123", "origin": {"channel": "C1", "ts": "1.2"}}
    assert json.loads(buttons(blocks)[APPROVE]["value"]) == value
    assert json.loads(buttons(blocks)[REJECT]["value"]) == value
    assert buttons(blocks)[APPROVE]["style"] == "primary" and "confirm" in buttons(blocks)[APPROVE]


def test_a_decided_request_has_no_buttons_and_says_who_decided() -> None:
    blocks = decided_blocks(a_request("approved", "U3PROD"), "en")

    assert buttons(blocks) == {}
    assert blocks[-1]["elements"][0]["text"].startswith(":white_check_mark: Approved by <@U3PROD>")


def test_slack_limits_are_kept() -> None:
    with pytest.raises(ValueError, match="Slack allows 2000"):
        button("x", action_id="a", value="v" * 2001)
    many = [section(str(i)) for i in range(60)] + [{"type": "actions", "elements": []}]
    kept = capped(many)
    assert len(kept) == MAX_BLOCKS and kept[-1]["type"] == "actions"
    assert len(section("x" * 5000)["text"]["text"]) == 3000
