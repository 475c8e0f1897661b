"""Which orders are late, will be late or are at risk: one answer, hand-computed on a tiny plant."""

from __future__ import annotations

from planbridge.chat.conversation import AskCommand, ask
from planbridge.services.lateness import LateOrdersCommand, Outlook, late_orders, order_states
from tests.fakes.services import fake_services
from tests.plants import MONDAY, day, one_shift_plant


def plant():  # type: ignore[no-untyped-def]
    # M makes 8 gears a day. SO-0 was promised last Friday (past due: 8 more today); SO-1 wants 8
    # by Tuesday night, SO-2 16 by then too: after SO-0 (Mon) that is 24 in one day (Tue), so
    # one of them is done only on Thursday. SO-3 (Friday of next week) is on track.
    return (one_shift_plant().make("GEAR", ("M", 60))
            .order("SO-0", "GEAR", 8, day(-3), customer="Globex")
            .order("SO-1", "GEAR", 8, day(1)).order("SO-2", "GEAR", 16, day(1))
            .order("SO-3", "GEAR", 8, day(11)).build())


def test_each_open_order_gets_its_outlook_on_finite_capacity() -> None:
    states = order_states(fake_services(plant(), today=MONDAY), as_of=MONDAY)
    assert states["SO-0"].outlook is Outlook.PAST_DUE and states["SO-0"].projected_date == MONDAY
    late = [s for s in states.values() if s.outlook is Outlook.LATE]
    assert [(s.projected_date, s.days_late) for s in late] == [(day(3), 2)]  # 8 + 8 + 16 need Mon–Wed
    assert states["SO-3"].outlook is Outlook.ON_TRACK


def test_the_late_list_by_customer_and_window() -> None:
    services = fake_services(plant(), today=MONDAY)
    everything = late_orders(LateOrdersCommand(as_of=MONDAY), services)
    assert [o.outlook for o in everything.orders] == [Outlook.PAST_DUE, Outlook.LATE]
    assert [o.order_id for o in late_orders(LateOrdersCommand(customer="globex", as_of=MONDAY), services).orders] == ["SO-0"]
    next_week = late_orders(LateOrdersCommand(first=day(7), last=day(13), as_of=MONDAY), services)
    assert next_week.orders == ()  # nothing promised next week is late; past due is this week's news


def test_chat_answers_status_and_lists_in_the_same_words() -> None:
    services = fake_services(plant(), today=MONDAY)
    status = ask(AskCommand(text="is SO-3 going to be late?", as_of=MONDAY), services).reply
    assert status.text.endswith("Projected Jan 15 on finite capacity: on track.")
    listed = ask(AskCommand(text="what's late this week?", as_of=MONDAY), services).reply.text
    assert listed.startswith("2 orders are late or at risk promised Jan 4–10: SO-0 Globex: past due since Jan 1")
    assert "on finite capacity" in listed
    zh = ask(AskCommand(text="本周有哪些订单会延误?", as_of=MONDAY), services).reply.text
    assert zh.startswith("1月4日至10日到期的订单中有2个订单延误或有风险") and "按有限产能预计" in zh
