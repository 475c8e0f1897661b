"""Follow-ups reuse the slots of their thread; the state lives in the `conversations` table."""

from __future__ import annotations

from datetime import UTC, date, datetime

from planbridge.chat.conversation import AskCommand, ask
from planbridge.language.conversation import ThreadState, continue_thread
from planbridge.language.frame import Intent, Slots
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planning_core.model import PlantSnapshot
from tests.conftest import make_services
from tests.language.conftest import MONDAY, Parse


def test_and_300_reuses_the_item_customer_and_date(pumps_services: ServiceContext) -> None:
    first = ask(AskCommand(text="When can we deliver 40 pump A to Acme by Jan 15?", thread_id="T1", as_of=MONDAY),
                pumps_services)
    assert first.reply.answer is not None and first.reply.answer["qty"] == 40
    second = ask(AskCommand(text="and 300?", thread_id="T1", as_of=MONDAY), pumps_services)
    assert second.request.intent is Intent.QUOTE and second.request.context_used
    assert second.request.slots.to_json() == {"item_id": "PUMP-A", "qty": 300, "due_date": "2027-01-15",
                                              "customer": "Acme", "order_id": None, "resource_id": None, "metric": None}
    assert second.reply.answer is not None and second.reply.answer["qty"] == 300


def test_a_chinese_what_if_changes_only_the_date(pumps_services: ServiceContext) -> None:
    ask(AskCommand(text="A型离心泵100台，1月15日前能交给Beta Water吗？", thread_id="T2", as_of=MONDAY), pumps_services)
    follow = ask(AskCommand(text="要是改成下周五呢？", thread_id="T2", as_of=MONDAY), pumps_services)
    assert follow.request.intent is Intent.QUOTE  # not an order change: it completes the quote
    assert follow.request.slots.due_date == date(2027, 1, 15)
    assert follow.request.slots.qty == 100 and follow.request.slots.customer == "Beta Water"
    assert follow.reply.language == "zh"


def test_a_clarifying_question_and_its_answer(pumps_services: ServiceContext) -> None:
    question = ask(AskCommand(text="Can we make pump A for Acme by Jan 15?", thread_id="T3", as_of=MONDAY),
                   pumps_services)
    assert question.reply.needs == "qty" and question.reply.text == "How many Centrifugal pump A?"
    answer = ask(AskCommand(text="25", thread_id="T3", as_of=MONDAY), pumps_services)
    assert answer.request.intent is Intent.QUOTE and answer.request.slots.qty == 25
    assert answer.reply.answer is not None and answer.reply.answer["promise_date"] == "2027-01-11"


def test_a_new_question_in_the_thread_starts_afresh(pumps_services: ServiceContext) -> None:
    ask(AskCommand(text="When can we deliver 40 pump A to Acme by Jan 15?", thread_id="T4", as_of=MONDAY), pumps_services)
    status = ask(AskCommand(text="where is A-1?", thread_id="T4", as_of=MONDAY), pumps_services)
    assert status.request.intent is Intent.ORDER_STATUS and not status.request.context_used
    assert status.request.slots.item_id is None and status.request.slots.qty is None


def test_threads_are_separate(pumps_services: ServiceContext) -> None:
    ask(AskCommand(text="When can we deliver 40 pump A to Acme?", thread_id="T5", as_of=MONDAY), pumps_services)
    other = ask(AskCommand(text="and 300?", thread_id="T6", as_of=MONDAY), pumps_services)
    assert other.request.intent is Intent.UNKNOWN and not other.request.context_used


def test_the_state_is_stored_per_thread(db_url: str, pumps: PlantSnapshot) -> None:
    services = make_services(db_url)
    store_plant(pumps, services, replace=False)
    ask(AskCommand(text="Can we make pump A for Acme?", user_id="U1SALES", thread_id="C-1", as_of=MONDAY), services)
    with services.uow_factory() as uow:
        stored = uow.conversations.get("C-1")
        uow.conversations.save("C-2", user_id=None, state={"intent": "help"}, at=datetime.now(UTC))
        uow.commit()
    assert stored is not None and stored["intent"] == "quote" and stored["awaiting"] == "qty"
    assert stored["slots"]["item_id"] == "PUMP-A" and stored["language"] == "en"
    with services.uow_factory() as uow:
        assert uow.conversations.get("C-2") == {"intent": "help"}
        assert uow.conversations.get("nope") is None


def test_merging_rules(parse_pumps: Parse) -> None:
    state = ThreadState(Intent.QUOTE, Slots(item_id="PUMP-A", qty=40, customer="Acme"), "en")
    stock = continue_thread(parse_pumps("and the stock?"), state)
    assert stock.intent is Intent.STOCK and stock.slots.item_id == "PUMP-A"
    rush = continue_thread(parse_pumps("rush it to Friday"), state)
    assert rush.intent is Intent.RUSH and rush.slots.qty == 40 and rush.slots.due_date == date(2027, 1, 8)
    thanks = continue_thread(parse_pumps("thanks!"), state)
    assert thanks.intent is Intent.UNKNOWN and not thanks.context_used
    assert ThreadState.from_json({"intent": "bogus"}) is None
    assert ThreadState.from_json(state.to_json()) == state
