"""Issue 10's questions end to end on the valve plant: parse → planning call → reply."""

from __future__ import annotations

from planbridge.chat.conversation import AskCommand, ask
from planbridge.services.availability import AvailableCommand, available_by
from planbridge.services.context import ServiceContext
from planbridge.services.quoting import order_outlook
from tests.language.conftest import MONDAY


def test_how_many_by_a_date_is_the_available_quantity(valves_services: ServiceContext) -> None:
    answer = ask(AskCommand(text="How many DN50 check valves can we ship by Jan 15?", as_of=MONDAY), valves_services)
    assert answer.request.intent.value == "available"
    expected = available_by(AvailableCommand(item="DN50-CHECK", by=MONDAY.replace(day=15), as_of=MONDAY),
                            valves_services).availability.qty
    assert answer.reply.answer is not None and answer.reply.answer["qty"] == expected
    assert answer.reply.text.startswith(f"By Jan 15 we can deliver up to {expected:,.0f} pcs DN50 check valve")


def test_traditional_chinese_is_answered_in_traditional(valves_services: ServiceContext) -> None:
    answer = ask(AskCommand(text="1月15號前最多能交多少個止回閥？", as_of=MONDAY, user_id="U01SALES1"), valves_services)
    assert answer.request.intent.value == "available" and answer.reply.language == "zh-Hant"
    assert answer.reply.text.startswith("1月15日前最多可交") and "個DN50止回閥" in answer.reply.text


def test_a_status_answer_carries_the_projected_date(valves_services: ServiceContext) -> None:
    projected = {o.order_id: o.projected_date for o in order_outlook(valves_services, as_of=MONDAY)}
    answer = ask(AskCommand(text="is SO-2417 going to be late?", as_of=MONDAY), valves_services)
    assert answer.request.intent.value == "order_status"
    facts = answer.reply.answer
    assert facts is not None
    [order] = facts["orders"]
    assert order["projected_date"] == projected["SO-2417"].isoformat()  # type: ignore[union-attr]
    assert "on finite capacity" in answer.reply.text


def test_late_lists_keep_to_the_customer_asked(valves_services: ServiceContext) -> None:
    answer = ask(AskCommand(text="which orders are at risk for ACME?", as_of=MONDAY), valves_services)
    assert answer.request.intent.value == "late_orders"
    facts = answer.reply.answer
    assert facts is not None
    assert all(o["customer"] == "ACME" and o["outlook"] != "on_track" for o in facts["orders"])


def test_a_load_question_answers_for_the_window_it_names(valves_services: ServiceContext) -> None:
    answer = ask(AskCommand(text="how loaded is CNC-1 next week?", as_of=MONDAY), valves_services)
    assert answer.request.intent.value == "capacity"
    assert "loaded Jan 11–17" in answer.reply.text
    zh = ask(AskCommand(text="数控车床1下周负荷多少", as_of=MONDAY), valves_services).reply.text
    assert zh.startswith("数控车床1") and "1月11日至17日负荷" in zh
