"""Exactly once over signed requests: resent clicks and Slack's retried events take effect once."""

from __future__ import annotations

from planbridge.records import ReceiptStatus
from planbridge.services.requests import audit_log
from tests.bot.conftest import PRODUCTION, PRODUCTION_CHANNEL, SALES, Harness, event_body, signed_headers
from tests.bot.test_actions import APPROVE, BOOK, answered_quote, click_button, rush_requested

QUESTION = "when can we ship 30 pump A to Acme by Jan 12?"


def booked_orders(harness: Harness) -> list[str]:
    return sorted(o.order_id for o in harness.services.snapshot().sales_orders if o.order_id.startswith("SO-1"))


def test_a_resent_book_click_books_once_and_the_second_click_sees_the_booking(harness: Harness) -> None:
    message = answered_quote(harness, QUESTION)

    click_button(harness, message, BOOK, user=SALES)
    click_button(harness, message, BOOK, user=SALES)  # the same signed click again (double click, resend)

    assert booked_orders(harness) == ["SO-1001"]
    assert [e.action for e in audit_log(harness.services)].count("book") == 1
    repeat = harness.slack.responses()[-1].body
    assert repeat["response_type"] == "ephemeral"
    assert repeat["text"] == "Already done from this card: Booked SO-1001: 30 Centrifugal pump A for Acme, " \
                             "promised Jan 12."


def test_a_double_clicked_approval_decides_once(harness: Harness) -> None:
    _, production_message = rush_requested(harness)

    for _ in range(2):
        click_button(harness, production_message, APPROVE, user=PRODUCTION, channel=PRODUCTION_CHANNEL)

    assert [e.action for e in audit_log(harness.services)].count("approve") == 1
    assert len(harness.slack.to("chat.update")) == 2  # the quote card closed once, the request card once
    assert harness.slack.responses()[-1].body["text"].startswith("此卡片上的操作已完成：REQ-")  # the lead reads Chinese


def mention_body(text: str, ts: str) -> bytes:
    event = {"type": "app_mention", "user": SALES, "text": f"<@UBOT> {text}", "ts": ts, "channel": "C1SALES",
             "event_ts": ts}
    return event_body(event)[0]


def retried(body: bytes, attempt: int) -> dict[str, str]:
    return {**signed_headers(body), "X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}


def answers_in_thread(harness: Harness, ts: str) -> list[str]:
    return [c.body["text"] for c in harness.slack.to("chat.postMessage") if c.body.get("thread_ts") == ts]


def test_a_retried_event_that_succeeded_is_not_answered_again(harness: Harness) -> None:
    body = mention_body(QUESTION, "1700000100.000100")
    assert harness.post(body, "application/json").status_code == 200
    assert harness.post(body, "application/json", headers=retried(body, 1)).status_code == 200

    [answer] = answers_in_thread(harness, "1700000100.000100")
    assert "Jan" in answer
    with harness.services.uow_factory() as uow:
        receipt = uow.receipts.get("slack:event:Ev1700000100.000100-app_mention")
    assert receipt is not None and (receipt.status, receipt.attempts) == (ReceiptStatus.DONE.value, 1)


def test_a_retried_event_whose_first_attempt_failed_is_answered(harness: Harness) -> None:
    body = mention_body(QUESTION, "1700000200.000100")
    harness.slack.failures["chat.postMessage"] = 1  # Slack refuses the first answer
    assert harness.post(body, "application/json").status_code == 200
    assert [c.method for c in harness.slack.refused] == ["chat.postMessage"]
    sorry = answers_in_thread(harness, "1700000200.000100")
    assert [s for s in sorry if s.startswith("Sorry")], sorry  # the user was told, briefly

    assert harness.post(body, "application/json", headers=retried(body, 1)).status_code == 200
    answers = [a for a in answers_in_thread(harness, "1700000200.000100") if not a.startswith("Sorry")]
    assert len(answers) == 1 and "Jan" in answers[0], answers
    with harness.services.uow_factory() as uow:
        receipt = uow.receipts.get("slack:event:Ev1700000200.000100-app_mention")
    assert receipt is not None and (receipt.status, receipt.attempts) == (ReceiptStatus.DONE.value, 2)
