"""The chat layer on a fake channel: clicks and requests, without Slack (digests: test_digest_subscriptions.py)."""

from __future__ import annotations

import pytest

from planbridge.chat.handlers import Chat, book_clicked, decision_clicked, request_clicked
from planbridge.chat.ports import Place
from planbridge.presentation.answer_cards import quote_card
from planbridge.presentation.cards import Buttons, Card, Header, Mention, Paragraph
from planbridge.presentation.documents import quote_document
from planbridge.records import RequestKind
from planbridge.services.context import ServiceContext
from planbridge.services.quoting import QuoteCommand, quote
from planbridge.services.requests import CreateRequest, create_request
from tests.fakes.chat import FakeChannel, FakeClick, text_of
from tests.fakes.services import fake_services, store_of
from tests.plants import MONDAY, day
from tests.unit.test_services_on_fakes import LEAD, SALES, SALES_ZH, valve_plant

THREAD = Place("CSALES", "1700000000.000100")


@pytest.fixture
def services() -> ServiceContext:
    return fake_services(valve_plant(), today=MONDAY)


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


def chat(services: ServiceContext, channel: FakeChannel) -> Chat:
    return Chat(services, channel, production_channel="CPROD")


def a_quote_card(services: ServiceContext, *, qty: float = 4, due: int | None = None) -> Card:
    answer = quote(QuoteCommand(item="V", qty=qty, customer="ACME", due=day(due) if due is not None else None,
                                as_of=MONDAY), services)
    return quote_card(quote_document(answer), "en")


def test_book_it_books_as_the_clicking_user_replies_in_the_thread_and_closes_the_card(
        services: ServiceContext, channel: FakeChannel) -> None:
    click = FakeClick(SALES, a_quote_card(services), "Book it", THREAD)

    book_clicked(chat(services, channel), click)

    store = store_of(services)
    assert store.snapshot is not None
    [booked] = [o for o in store.snapshot.sales_orders if o.customer == "ACME"]
    assert booked.owner == SALES
    assert text_of(click.replies[0]).startswith(f"Booked {booked.order_id}: 4 Gate valve for ACME, promised Jan 4.")
    assert Mention(SALES) in click.closed[0]


def test_a_stranger_is_told_privately_and_nothing_is_booked(services: ServiceContext, channel: FakeChannel) -> None:
    click = FakeClick("U9STRANGER", a_quote_card(services), "Book it", THREAD)

    book_clicked(chat(services, channel), click)

    assert "I don't know you yet" in click.told[0]
    assert store_of(services).commits == 0 and channel.posts == []


def test_a_rush_request_goes_to_the_production_channel_with_approve_and_reject(
        services: ServiceContext, channel: FakeChannel) -> None:
    late = a_quote_card(services, qty=20, due=1)  # 20 valves by Tuesday cannot be made: Request rush appears
    click = FakeClick(SALES, late, "Request rush", THREAD)

    request_clicked(chat(services, channel), click)

    [(place, card)] = channel.posts
    assert place == Place("CPROD")
    [request] = store_of(services).requests.values()
    assert isinstance(card.parts[0], Header) and request.request_id in card.parts[0].text
    [row] = [p for p in card.parts if isinstance(p, Buttons)]
    assert [b.label for b in row.buttons] == ["Approve", "Reject"]
    assert row.buttons[0].value == {"request_id": request.request_id,
                                    "origin": {"channel": THREAD.channel, "ts": THREAD.thread}}


def test_only_a_production_lead_decides(services: ServiceContext, channel: FakeChannel) -> None:
    request = create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, order_id="SO-1", due=MONDAY),
                             services).request
    card = a_quote_card(services)  # stands in for the request's card: only the click's value matters
    value = {"request_id": request.request_id}

    by_sales = FakeClick(SALES, card, "Approve", given=value)
    decision_clicked(chat(services, channel), by_sales, approve=True)
    assert "may not approve" in by_sales.told[0] and by_sales.updated == []
    assert store_of(services).requests[request.request_id].status == "pending"

    by_lead = FakeClick(LEAD, card, "Approve", given=value)
    decision_clicked(chat(services, channel), by_lead, approve=True)
    assert store_of(services).requests[request.request_id].status == "approved"
    assert "Approved by" in text_of(by_lead.updated[0])


def test_an_approval_tells_each_impacted_owner_directly_in_their_language(channel: FakeChannel) -> None:
    from dataclasses import replace

    from planbridge.presentation.cards import Action, Fields

    plant = valve_plant()
    plant = replace(plant, sales_orders=tuple(replace(o, owner=SALES_ZH) for o in plant.sales_orders))
    services = fake_services(plant, today=MONDAY)
    request = create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, item="V", qty=16, due=day(1),
                                           customer="ACME"), services).request
    impacted = [row["order_id"] for row in request.impact["impacted"]]
    assert impacted == ["SO-1"]  # 16 more valves by Tuesday push Globex's 8 out

    decision_clicked(chat(services, channel), FakeClick(LEAD, a_quote_card(services), "Approve",
                                                       given={"request_id": request.request_id}), approve=True)

    [(owner, card)] = channel.direct
    assert owner == SALES_ZH and card.fallback == "SO-1 需要重新承诺交期"
    [fields] = [p for p in card.parts if isinstance(p, Fields)]
    labels = {label: text_of(Card("", (Paragraph(value),))).strip() for label, value in fields.pairs}
    assert labels["订单"] == "SO-1" and labels["客户"] == "Globex" and labels["原承诺"] == "1月5日"
    [row] = [p for p in card.parts if isinstance(p, Buttons)]
    assert [(b.action, b.value) for b in row.buttons] == [(Action.REPROMISE, {"order_id": "SO-1"})]


def test_a_rejection_tells_no_owner(services: ServiceContext, channel: FakeChannel) -> None:
    request = create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, item="V", qty=16, due=day(1),
                                           customer="ACME"), services).request

    decision_clicked(chat(services, channel), FakeClick(LEAD, a_quote_card(services), "Reject",
                                                       given={"request_id": request.request_id}), approve=False)

    assert channel.direct == []
