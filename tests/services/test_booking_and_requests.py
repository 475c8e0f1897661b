"""Booking, change requests, approvals and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest

from planbridge.errors import BadRequest, Conflict, NotFound, PermissionDenied
from planbridge.presentation.documents import quote_document
from planbridge.records import RequestKind
from planbridge.services import orders, quoting, requests
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planning_core.model import Language, OrderStatus, PlantSnapshot, Priority, Role, User
from tests.conftest import make_services
from tests.plants import MONDAY, day, one_shift_plant

USERS = {
    "U_SALES": User("U_SALES", "Mia", Role.SALES, Language.EN),
    "U_PROD": User("U_PROD", "Wang", Role.PRODUCTION, Language.ZH),
    "U_ADMIN": User("U_ADMIN", "Ada", Role.ADMIN, Language.EN),
}


def gear_plant() -> PlantSnapshot:
    """8 gears a day; SO-1 (8) due Tuesday, SO-2 (8) due Wednesday."""
    plant = (
        one_shift_plant().make("GEAR", ("M", 60))
        .order("SO-1", "GEAR", 8, day(1)).order("SO-2", "GEAR", 8, day(2))
        .build()
    )
    return PlantSnapshot(**{**plant.__dict__, "users": USERS})  # type: ignore[arg-type]


@pytest.fixture
def plant_services(services: ServiceContext) -> ServiceContext:
    store_plant(gear_plant(), services, replace=False)
    return services


def order_of(ctx: ServiceContext, order_id: str) -> tuple[OrderStatus, date | None, Priority, float]:
    o = ctx.snapshot().orders_by_id[order_id]
    return o.status, o.promised_date, o.priority, o.qty


def test_booking_records_a_confirmed_order_at_the_promise(plant_services: ServiceContext) -> None:
    booking = orders.book_order(orders.BookOrder("GEAR", 8, "Globex", as_of=MONDAY, user_id="U_SALES"), plant_services)
    # Monday to Wednesday make 24 and the two orders need 16 by Wednesday: Monday is free.
    assert booking.answer.quote.promise_date == day(0)
    assert order_of(plant_services, booking.order_id) == (OrderStatus.CONFIRMED, day(0), Priority.NORMAL, 8)
    # The next quote sees the booking: all 24 until Wednesday are promised now.
    again = quoting.quote(quoting.QuoteCommand("GEAR", 8, as_of=MONDAY), plant_services)
    assert again.quote.promise_date == day(3)
    log = requests.audit_log(plant_services)
    assert [(e.action, e.subject, e.user_id) for e in log] == [("book", booking.order_id, "U_SALES")]


def test_booking_needs_a_customer_and_a_known_user(plant_services: ServiceContext) -> None:
    with pytest.raises(BadRequest, match="customer"):
        orders.book_order(orders.BookOrder("GEAR", 8, " ", as_of=MONDAY, user_id="U_SALES"), plant_services)
    with pytest.raises(BadRequest, match="needs a user"):
        orders.book_order(orders.BookOrder("GEAR", 8, "Globex", as_of=MONDAY), plant_services)
    with pytest.raises(NotFound):
        orders.book_order(orders.BookOrder("GEAR", 8, "Globex", as_of=MONDAY, user_id="U_NOBODY"), plant_services)
    assert len(plant_services.snapshot().open_orders) == 2


def test_two_reps_booking_the_last_capacity_at_once_get_different_dates(db_url: str) -> None:
    first = make_services(db_url)
    store_plant(gear_plant(), first, replace=False)
    contexts = [first, make_services(db_url)]  # two processes' worth of connections
    results: list[date | None] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def book(ctx: ServiceContext) -> None:
        try:
            barrier.wait()
            booking = orders.book_order(orders.BookOrder("GEAR", 8, "Rep", as_of=MONDAY, user_id="U_SALES"), ctx)
            results.append(booking.answer.quote.promise_date)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=book, args=(ctx,)) for ctx in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    # Whoever is first gets Monday; the other sees that booking and gets Thursday.
    assert sorted(d for d in results if d) == [day(0), day(3)]
    promised = sorted(o.promised_date for o in first.snapshot().open_orders if o.customer == "Rep")
    assert promised == [day(0), day(3)]


def test_rush_request_needs_a_production_lead(plant_services: ServiceContext) -> None:
    created = requests.create_request(
        requests.CreateRequest(RequestKind.RUSH, "U_SALES", order_id="SO-2", due=day(0), as_of=MONDAY), plant_services
    )
    impact = created.request.impact
    # SO-2 takes Monday; SO-1 still gets Tuesday, so nobody slips.
    assert impact["promise_date"] == day(0).isoformat()
    assert impact["impacted"] == []
    before = order_of(plant_services, "SO-2")
    with pytest.raises(PermissionDenied):
        requests.decide_request(requests.Decide(created.request.request_id, "U_SALES", approve=True), plant_services)
    assert order_of(plant_services, "SO-2") == before  # refused: nothing changed
    decided = requests.decide_request(
        requests.Decide(created.request.request_id, "U_PROD", approve=True, as_of=MONDAY), plant_services
    )
    assert decided.request.status == "approved" and decided.request.decided_by == "U_PROD"
    assert order_of(plant_services, "SO-2") == (OrderStatus.CONFIRMED, day(0), Priority.RUSH, 8)
    with pytest.raises(Conflict):
        requests.decide_request(requests.Decide(created.request.request_id, "U_ADMIN", approve=False), plant_services)
    actions = [(e.action, e.user_id) for e in requests.audit_log(plant_services)]
    # The refused approval is on record too (newest first).
    assert actions == [("approve", "U_PROD"), ("approve_refused", "U_SALES"), ("request_rush", "U_SALES")]


def test_rejecting_changes_nothing(plant_services: ServiceContext) -> None:
    created = requests.create_request(
        requests.CreateRequest(RequestKind.CANCEL, "U_SALES", order_id="SO-1", as_of=MONDAY), plant_services
    )
    requests.decide_request(requests.Decide(created.request.request_id, "U_ADMIN", approve=False, reason="no"), plant_services)
    assert order_of(plant_services, "SO-1")[0] is OrderStatus.CONFIRMED


def test_approved_change_and_cancellation(plant_services: ServiceContext) -> None:
    change = requests.create_request(
        requests.CreateRequest(RequestKind.CHANGE, "U_SALES", order_id="SO-1", qty=12, due=day(2), as_of=MONDAY),
        plant_services,
    )
    # 12 for SO-1 and 8 for SO-2 by Wednesday: 20 of the 24 that three days make.
    assert change.request.impact["impacted"] == []
    requests.decide_request(requests.Decide(change.request.request_id, "U_PROD", approve=True, as_of=MONDAY), plant_services)
    assert order_of(plant_services, "SO-1") == (OrderStatus.CONFIRMED, day(2), Priority.NORMAL, 12)
    cancel = requests.create_request(
        requests.CreateRequest(RequestKind.CANCEL, "U_SALES", order_id="SO-2", as_of=MONDAY), plant_services
    )
    requests.decide_request(requests.Decide(cancel.request.request_id, "U_PROD", approve=True, as_of=MONDAY), plant_services)
    assert order_of(plant_services, "SO-2")[0] is OrderStatus.CANCELLED


def test_bad_requests_change_nothing(plant_services: ServiceContext) -> None:
    with pytest.raises(NotFound):
        requests.create_request(requests.CreateRequest(RequestKind.RUSH, "U_SALES", order_id="SO-9", due=day(1)), plant_services)
    with pytest.raises(NotFound):
        requests.create_request(requests.CreateRequest(RequestKind.RUSH, "U_GHOST", order_id="SO-1", due=day(1)), plant_services)
    with pytest.raises(BadRequest):
        requests.create_request(
            requests.CreateRequest(RequestKind.RUSH, "U_SALES", order_id="SO-1", due=date(2026, 1, 1), as_of=MONDAY),
            plant_services,
        )
    with pytest.raises(BadRequest):
        requests.create_request(requests.CreateRequest(RequestKind.CHANGE, "U_SALES", order_id="SO-1"), plant_services)
    assert requests.list_requests(plant_services) == []
    assert requests.audit_log(plant_services) == []


def test_order_outlook_projects_late_orders_on_finite_capacity(sqlite_services: ServiceContext) -> None:
    # 8 a day: SO-1 (8) due Tuesday is fine; SO-LATE (16) due Monday needs Monday and Tuesday.
    plant = gear_plant()
    late = replace(plant.sales_orders[0], order_id="SO-LATE", qty=16, promised_date=day(0), requested_date=day(0))
    store_plant(replace(plant, sales_orders=(*plant.sales_orders, late)), sqlite_services, replace=False)
    outlook = {o.order_id: (o.projected_date, o.days_late) for o in quoting.order_outlook(sqlite_services, as_of=MONDAY)}
    assert outlook["SO-LATE"] == (day(1), 1)
    # SO-1 and SO-2 now share Wednesday's capacity after SO-LATE: 8 + 8 by Wednesday cannot both hold.
    assert outlook["SO-1"] == (day(2), 1)
    assert outlook["SO-2"] == (day(3), 1)


def test_an_approved_rush_flags_the_orders_it_makes_late_for_re_promising(plant_services: ServiceContext) -> None:
    # 8 a day; SO-1 (8) due Tuesday, SO-2 (8) due Wednesday. A new rush of 16 for Tuesday takes
    # Monday and Tuesday: SO-1 moves to Wednesday, SO-2 to Thursday; both are flagged.
    created = requests.create_request(requests.CreateRequest(
        RequestKind.RUSH, "U_SALES", item="GEAR", qty=16, due=day(1), customer="Globex", as_of=MONDAY), plant_services)
    decided = requests.decide_request(requests.Decide(created.request.request_id, "U_PROD", approve=True,
                                                      as_of=MONDAY), plant_services)
    flagged = {r.order_id: r.projected_date for r in decided.to_repromise}
    assert flagged == {"SO-1": day(2), "SO-2": day(3)}
    snapshot = plant_services.snapshot()
    for order_id, projected in flagged.items():
        order = snapshot.orders_by_id[order_id]
        assert order.to_repromise and order.repromise_request == created.request.request_id
        assert order.projected_date == projected and order.promised_date == day(1 if order_id == "SO-1" else 2)
    [approval] = [e for e in requests.audit_log(plant_services) if e.action == "approve"]
    assert {r["order_id"] for r in approval.detail["changes"]["to_repromise"]} == {"SO-1", "SO-2"}


def test_a_booked_order_is_numbered_after_the_largest_so_number(services: ServiceContext) -> None:
    # Zero-padded, short and long numbers count by their value; ids with letters, or too many
    # digits for a number the database holds, are not numbered.
    plant = gear_plant()
    extra = [replace(plant.sales_orders[0], order_id=i) for i in
             ("SO-5", "SO-000123", "SO-12A", "SO-99999999999999999999", "PO-999", "so-777")]
    store_plant(replace(plant, sales_orders=(*plant.sales_orders, *extra)), services, replace=False)
    booking = orders.book_order(orders.BookOrder("GEAR", 8, "Globex", as_of=MONDAY, user_id="U_SALES"), services)
    assert booking.order_id == "SO-124"


def test_a_booking_at_a_later_date_asked_names_nothing_as_holding_it_back(plant_services: ServiceContext) -> None:
    # 8 gears a day, 16 committed by Wednesday: 8 more could be ready Thursday, asked for the next Monday.
    booking = orders.book_order(orders.BookOrder("GEAR", 8, "Globex", due=day(7), as_of=MONDAY, user_id="U_SALES"),
                                plant_services)
    assert booking.earliest_date is not None and booking.earliest_date < day(7) == booking.promised_date
    quote = booking.answer.quote
    assert quote.constraints == () and quote.exact and quote.first_answer_date is None
    text = quote_document(booking.answer).explanation
    assert "Binding" not in text and "earlier" not in text
