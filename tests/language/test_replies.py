"""The replies the bot posts: the user's language, clarifying questions, suggestions, plant facts."""

from __future__ import annotations

from planbridge.chat.conversation import AskCommand, ask
from planbridge.services.context import ServiceContext
from tests.language.conftest import MONDAY


def reply(services: ServiceContext, text: str, user: str | None = None) -> str:
    return ask(AskCommand(text=text, user_id=user, as_of=MONDAY), services).reply.text


def test_missing_quantity_questions_in_both_languages(valves_services: ServiceContext) -> None:
    assert reply(valves_services, "When can we deliver DN100 gate valves to ACME?") == "How many DN100 gate valves?"
    assert reply(valves_services, "闸阀什么时候能交？") == "需要多少个DN100闸阀？"


def test_the_reply_is_in_the_language_of_the_question(valves_services: ServiceContext) -> None:
    # U01SALES2 reads Chinese, U01SALES1 English: the question's language wins, in its script.
    assert reply(valves_services, "When can we deliver DN100 gate valves?", user="U01SALES2") == "How many DN100 gate valves?"
    assert reply(valves_services, "闸阀什么时候能交？", user="U01SALES1") == "需要多少个DN100闸阀？"
    assert reply(valves_services, "閘閥什麼時候能交？", user="U01SALES1") == "需要多少個DN100閘閥？"


def test_a_message_with_no_words_of_its_own_gets_the_users_language(valves_services: ServiceContext) -> None:
    assert reply(valves_services, "SO-2415?", user="U01SALES2").startswith("SO-2415（ACME）")
    assert reply(valves_services, "SO-2415?", user="U01SALES1").startswith("SO-2415 for ACME")


def test_an_unknown_item_gets_close_matches(valves_services: ServiceContext) -> None:
    answer = ask(AskCommand(text="Can we make 60 DN300 gate valves for ACME?", as_of=MONDAY), valves_services)
    assert answer.request.slots.item_id is None
    assert answer.reply.needs == "item_id"
    assert answer.reply.text.startswith("I don't know “DN300 gate valves”. Did you mean DN100 gate valve (DN100-GATE)")
    assert "DN100-GATE" in answer.reply.suggestions
    zh = reply(valves_services, "DN300闸阀100个能做吗？")
    assert zh.startswith("没有找到“DN300闸阀”。您是指") and "DN100-GATE" in zh


def test_order_status_from_the_plant(valves_services: ServiceContext) -> None:
    assert reply(valves_services, "What's the status of SO-2414?") == (
        "SO-2414 for 中石化: 30 × DN100 gate valve, promised Dec 31, 2026, not shipped yet — 4 days past due."
        " Projected Jan 5 on finite capacity.")
    assert reply(valves_services, "SO-2413发货了吗？") == "SO-2413（Globex）：DN100闸阀 20个，已于2026年12月30日发货。"
    listed = reply(valves_services, "What orders does Initech have open?")
    assert listed == "Initech has 2 open orders: SO-2418 (24 × DN150 butterfly valve, Jan 14); SO-2423 (30 × DN100 gate valve, Jan 28)."
    assert reply(valves_services, "ETA for SO-2999?").startswith("I can't find order SO-2999.")


def test_stock_from_the_plant(valves_services: ServiceContext) -> None:
    assert reply(valves_services, "do we have 50 check valves on hand?") == (
        "DN50 check valve (DN50-CHECK): 60 pcs on hand. Enough for 50.")
    assert reply(valves_services, "DN100闸阀还有多少库存？") == "DN100闸阀（DN100-GATE）现有库存12个，安全库存10个。"
    assert reply(valves_services, "how many gearboxes in stock") == (
        "Worm gearbox for DN150 (GEARBOX-150): 8 pcs on hand; next receipt 40 on Jan 12 (PO-5102).")


def test_change_and_cancel_name_the_order_and_the_approval(valves_services: ServiceContext) -> None:
    text = reply(valves_services, "Change SO-2419 quantity to 60")
    assert text.startswith("SO-2419 for ACME: 40 × DN100 gate valve, promised Jan 20, not shipped yet.")
    assert "Changing the quantity to 60 needs a change request that a production lead approves" in text
    assert reply(valves_services, "change SO-2419") == "What should change on SO-2419: the quantity or the date?"
    assert reply(valves_services, "取消订单") == "请问是哪个订单？请提供订单号（例如SO-2428）。"


def test_a_rush_without_a_date_asks_for_it(valves_services: ServiceContext) -> None:
    assert reply(valves_services, "expedite SO-2423 please") == "By when does the customer need SO-2423?"
    assert reply(valves_services, "SO-2423加急") == "客户要求SO-2423什么时候交货？"


def test_help_and_not_understood(valves_services: ServiceContext) -> None:
    assert reply(valves_services, "help").startswith("I can answer:")
    assert reply(valves_services, "你能做什么？").startswith("我可以回答这些问题")
    assert reply(valves_services, "what's the weather in Shanghai").startswith("Sorry, I didn't get that.")


def test_kpis_capacity_shortages_and_digest_come_from_their_services(pumps_services: ServiceContext) -> None:
    # OTD of the example plant is 2 of 3 (CONTRACT example: 0.6667)
    assert reply(pumps_services, "What is our on-time delivery rate?") == (
        "On-time delivery, last 30 days: 67% (2 of 3 shipped orders).")
    assert reply(pumps_services, "准时交付率多少") == "近30天准时交付率：67%（3个已发货订单中2个达标）。"
    assert reply(pumps_services, "what's the backlog") == "Backlog: 2 open orders, 0 past due."
    load = reply(pumps_services, "How loaded is the lathe?")
    assert load.startswith("CNC lathe (LATHE) is ") and load.endswith("loaded over the next 14 days.")
    # this week: the MRP's assembly orders due Monday to Sunday, on this week's working time
    assert reply(pumps_services, "How loaded is the assembly this week?") == "Pump assembly (ASSY) is 30% loaded Jan 4–10."
    assert reply(pumps_services, "Are we short on motors for the pump orders?") == "No material shortages."
    digest = ask(AskCommand(text="give me the daily digest", as_of=MONDAY), pumps_services)
    assert digest.reply.text.startswith("Example pump works, 2027-01-04: on-time delivery 67% (last 30 days); backlog 2")
    assert digest.reply.answer is not None and digest.reply.answer["backlog_orders"] == 2
