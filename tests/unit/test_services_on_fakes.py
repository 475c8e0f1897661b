"""Service rules checked on in-memory fakes: no database, a fixed clock, every effect visible in the store."""

from __future__ import annotations

import pytest

from planbridge.errors import NotFound, PermissionDenied
from planbridge.records import RequestKind
from planbridge.services.context import ServiceContext
from planbridge.services.orders import BookOrder, book_order
from planbridge.services.quoting import QuoteCommand, quote
from planbridge.services.requests import CreateRequest, Decide, create_request, decide_request
from planning_core.model import Language, OrderStatus, PlantSnapshot, Priority, Role
from tests.fakes.services import fake_services, store_of
from tests.plants import MONDAY, day, one_shift_plant

SALES, SALES_ZH, LEAD = "U1", "U2", "U3"


def valve_plant() -> PlantSnapshot:
    """Valves take 60 minutes each on M (8 a day); SO-1 holds 8 of Tuesday's; 4 valves are in stock."""
    return (one_shift_plant().make("V", ("M", 60), stock=4, name="Gate valve", aliases=("闸阀", "DN100闸阀"))
            .order("SO-1", "V", 8, day(1), customer="Globex")
            .user(SALES, "Sam Sales", Role.SALES).user(SALES_ZH, "Li Xiao", Role.SALES, Language.ZH)
            .user(LEAD, "Pat Lead", Role.PRODUCTION).build())


@pytest.fixture
def services() -> ServiceContext:
    return fake_services(valve_plant(), today=MONDAY)


def test_a_quote_the_stock_covers_is_promised_today_as_an_exact_answer(services: ServiceContext) -> None:
    # the 4 in stock can ship today; SO-1 is made on Monday and Tuesday without them
    answer = quote(QuoteCommand(item="V", qty=4, as_of=MONDAY), services)

    assert answer.quote.promise_date == MONDAY
    assert (answer.exact, answer.first_answer_date) == (True, None)


def test_booking_records_a_confirmed_order_at_its_promise_and_audits_it(services: ServiceContext) -> None:
    booking = book_order(BookOrder(item="gate valve", qty=4, customer="ACME", user_id=SALES), services)

    store = store_of(services)
    assert store.snapshot is not None
    booked = store.snapshot.orders_by_id[booking.order_id]
    assert (booked.item_id, booked.qty, booked.status, booked.owner) == ("V", 4, OrderStatus.CONFIRMED, SALES)
    assert booked.promised_date == booking.answer.quote.promise_date == MONDAY
    assert [e.action for e in store.audit] == ["book"]
    # The plant's data did not change (no new version): the booking is in the order journal.
    assert store.version == 1 and [(e.kind.value, e.order_id) for e in store.journal] == [("book", booking.order_id)]


def test_a_booking_that_fails_changes_nothing(services: ServiceContext) -> None:
    with pytest.raises(NotFound):
        book_order(BookOrder(item="no such valve", qty=4, customer="ACME", user_id=SALES), services)

    store = store_of(services)
    assert store.commits == 0 and store.audit == [] and store.version == 1


def test_a_sales_rep_may_not_approve_and_nothing_changes(services: ServiceContext) -> None:
    request = create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, order_id="SO-1", due=MONDAY),
                             services).request
    commits = store_of(services).commits

    with pytest.raises(PermissionDenied, match="may not approve"):
        decide_request(Decide(request_id=request.request_id, user_id=SALES, approve=True), services)

    store = store_of(services)
    # Only the refusal is recorded: the request is still pending and the order as it was.
    assert store.commits == commits + 1 and [e.action for e in store.audit][-1] == "approve_refused"
    assert store.requests[request.request_id].status == "pending" and not store.journal
    assert store.snapshot is not None and store.snapshot.orders_by_id["SO-1"].priority is Priority.NORMAL


def test_an_approved_rush_makes_the_order_a_rush_held_to_its_new_promise(services: ServiceContext) -> None:
    request = create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, order_id="SO-1", due=MONDAY),
                             services).request

    answer = decide_request(Decide(request_id=request.request_id, user_id=LEAD, approve=True), services)

    store = store_of(services)
    assert store.snapshot is not None
    rushed = store.snapshot.orders_by_id["SO-1"]
    assert rushed.priority is Priority.RUSH
    assert rushed.promised_date is not None and rushed.promised_date.isoformat() == answer.request.impact["promise_date"]
    assert [e.action for e in store.audit] == ["request_rush", "approve"]


def test_a_rejection_is_told_in_the_deciders_language(services: ServiceContext) -> None:
    zh_lead = fake_services(
        one_shift_plant().make("V", ("M", 60)).order("SO-1", "V", 8, day(1))
        .user(SALES, "Sam", Role.SALES).user(LEAD, "Chen", Role.PRODUCTION, Language.ZH).build(), today=MONDAY)
    request = create_request(CreateRequest(kind=RequestKind.CANCEL, user_id=SALES, order_id="SO-1"), zh_lead).request

    answer = decide_request(Decide(request_id=request.request_id, user_id=LEAD, approve=False), zh_lead)

    assert answer.explanation == f"{request.request_id}已驳回。"
