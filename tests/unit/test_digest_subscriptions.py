"""Digest subscriptions on fakes: when each is due, what is refused, the claim rules, and what each audience reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from planbridge.chat.digests import DigestDelivery
from planbridge.errors import BadRequest, NotFound
from planbridge.presentation.cards import Bullets, Header, plain
from planbridge.records import DigestSubscription
from planbridge.services.context import ServiceContext
from planbridge.services.subscriptions import (
    ClaimPolicy,
    Subscribe,
    claim_period,
    claims_to_retry,
    due_period,
    list_subscriptions,
    next_due,
    subscribe,
    unsubscribe,
)
from planning_core.model import Language, PlantSnapshot, Role
from tests.fakes.chat import FakeChannel
from tests.fakes.clock import FakeClock
from tests.fakes.services import fake_services, store_of
from tests.plants import MONDAY, day, one_shift_plant

SALES, SALES_ZH, LEAD = "U1", "U2", "U3"
POLICY = ClaimPolicy(lease=timedelta(minutes=5), max_attempts=3)


def late_plant() -> PlantSnapshot:
    """Valves take 60 minutes on M (8 a day, 4 in stock): SO-2 (Li's, 20 due Tuesday) is made on time
    (4 + 8 + 8); SO-3 (Sam's, 20 more due Wednesday) is projected for Friday."""
    return (one_shift_plant().make("V", ("M", 60), stock=4, name="Gate valve", aliases=("闸阀",))
            .order("SO-2", "V", 20, day(1), customer="Globex", owner=SALES_ZH)
            .order("SO-3", "V", 20, day(2), customer="Initech", owner=SALES)
            .user(SALES, "Sam Sales", Role.SALES).user(SALES_ZH, "Li Xiao", Role.SALES, Language.ZH)
            .user(LEAD, "Pat Lead", Role.PRODUCTION).build())


def utc(day_offset: int, hour: int, minute: int = 0) -> datetime:
    moment = MONDAY + timedelta(days=day_offset)
    return datetime(moment.year, moment.month, moment.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(0, 6), today=MONDAY)


@pytest.fixture
def services(clock: FakeClock) -> ServiceContext:
    return fake_services(late_plant(), today=MONDAY, clock=clock)


def sub(at: str, *, created: datetime, timezone: str = "UTC", weekday: str | None = None) -> DigestSubscription:
    return DigestSubscription(1, "C", at, timezone, "en", weekday, ("sales",), None, "cli", None, created)


# -- when ---------------------------------------------------------------------------------------


def test_a_daily_digest_is_due_from_its_time_until_the_next_one() -> None:
    daily = sub("08:00", created=utc(-10, 0))
    assert due_period(daily, utc(0, 7, 59)) == MONDAY - timedelta(days=1)
    assert due_period(daily, utc(0, 8, 0)) == MONDAY
    assert due_period(daily, utc(1, 7, 59)) == MONDAY


def test_a_subscription_made_after_todays_time_starts_tomorrow() -> None:
    late = sub("08:00", created=utc(0, 10))
    assert due_period(late, utc(0, 11)) is None
    assert due_period(late, utc(1, 8)) == day(1)
    assert next_due(late, late.created_at) == utc(1, 8)


def test_the_time_is_read_in_the_subscriptions_zone() -> None:
    shanghai = sub("08:00", created=utc(-10, 0), timezone="Asia/Shanghai")
    assert due_period(shanghai, utc(0, 0, 0)) == MONDAY  # 08:00 in Shanghai is midnight UTC
    assert due_period(shanghai, utc(-1, 23, 59)) == MONDAY - timedelta(days=1)


def test_a_weekly_digest_is_due_on_its_weekday_for_a_week() -> None:
    weekly = sub("08:00", created=utc(-10, 0), weekday="wed")
    assert due_period(weekly, utc(2, 8)) == day(2)  # Wednesday
    assert due_period(weekly, utc(8, 9)) == day(2)  # next Tuesday: still last Wednesday's
    assert due_period(weekly, utc(9, 8)) == day(9)
    assert next_due(weekly, utc(2, 8, 1)) == utc(9, 8)


# -- subscribing --------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "message"), [
    ({"at": "25:00"}, "between 00:00 and 23:59"),
    ({"at": "8am"}, "HH:MM"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"language": "fr"}, "language must be"),
    ({"weekly": "someday"}, "weekday must be"),
    ({"sections": ["sales", "finance"]}, "sections must be among"),
    ({"channel": "two words"}, "channel must be"),
])
def test_a_bad_value_is_refused_and_nothing_is_stored(services: ServiceContext, values: dict[str, object],
                                                       message: str) -> None:
    command = {"channel": "CSALES", "at": "08:00", **values}
    with pytest.raises(BadRequest, match=message):
        subscribe(Subscribe(**command), services)  # type: ignore[arg-type]
    assert list_subscriptions(services) == []


def test_an_unknown_owner_is_not_found(services: ServiceContext) -> None:
    with pytest.raises(NotFound, match="unknown user 'U404'"):
        subscribe(Subscribe(channel="C", at="08:00", owner="U404"), services)


def test_defaults_are_the_plants_zone_every_section_and_every_day(services: ServiceContext) -> None:
    added = subscribe(Subscribe(channel="CSALES", at="8:05", sections=["management,sales"]), services)
    default = subscribe(Subscribe(channel="CMGMT", at="17:00", weekly="Friday"), services)

    assert (added.at, added.timezone, added.language, added.weekday) == ("08:05", "UTC", "en", None)
    assert added.sections == ("sales", "management")
    assert (default.sections, default.weekday) == (("sales", "production", "management"), "fri")
    assert unsubscribe(services, added.subscription_id).channel == "CSALES"
    with pytest.raises(NotFound):
        unsubscribe(services, default.subscription_id, channel="CSALES")  # not that channel's
    assert [s.channel for s in list_subscriptions(services)] == ["CMGMT"]


# -- claims -------------------------------------------------------------------------------------


def test_the_first_claim_wins_and_a_dead_holders_claim_is_taken_over_after_its_lease(
        services: ServiceContext, clock: FakeClock) -> None:
    first = claim_period(services, 1, MONDAY, holder="a", policy=POLICY)
    assert first is not None and first.attempts == 1
    assert claim_period(services, 1, MONDAY, holder="b", policy=POLICY) is None  # "a" holds it

    clock.current += timedelta(minutes=5)  # a's lease is over: it died
    taken = claim_period(services, 1, MONDAY, holder="b", policy=POLICY)
    assert taken is not None and (taken.holder, taken.attempts) == ("b", 2)
    assert claim_period(services, 1, MONDAY + timedelta(days=1), holder="a", policy=POLICY) is not None  # next period


def test_a_claim_tried_too_often_is_abandoned(services: ServiceContext, clock: FakeClock) -> None:
    for holder in "abc":
        assert claim_period(services, 1, MONDAY, holder=holder, policy=POLICY) is not None
        clock.current += timedelta(minutes=6)
    assert claims_to_retry(services, policy=POLICY) == []
    assert store_of(services).claims[(1, MONDAY)].status == "abandoned"


# -- delivering ---------------------------------------------------------------------------------


class WorkerDied(BaseException):
    """Stands for a worker killed between its claim and the post (nothing of it runs after)."""


def test_a_worker_killed_after_its_claim_is_replaced_and_the_digest_posted_once(
        services: ServiceContext, clock: FakeClock) -> None:
    subscription = subscribe(Subscribe(channel="CMGMT", at="07:00", sections=["management"]), services)
    clock.current = utc(0, 7)
    channel = FakeChannel()

    def die(_claim: object) -> None:
        raise WorkerDied

    with pytest.raises(WorkerDied):
        DigestDelivery(services, channel, POLICY, before_post=die).deliver(subscription.subscription_id, MONDAY)
    replacement = DigestDelivery(services, channel, POLICY)
    assert replacement.deliver(subscription.subscription_id, MONDAY) is False  # the dead worker's lease holds

    clock.current += POLICY.lease
    assert claims_to_retry(services, policy=POLICY)[0].subscription_id == subscription.subscription_id
    assert replacement.deliver(subscription.subscription_id, MONDAY) is True
    assert replacement.deliver(subscription.subscription_id, MONDAY) is False
    assert len(channel.posts) == 1
    assert store_of(services).claims[(subscription.subscription_id, MONDAY)].attempts == 2


def test_each_audience_reads_its_own_sections_and_a_sales_rep_only_their_orders(
        services: ServiceContext, clock: FakeClock) -> None:
    sales = subscribe(Subscribe(channel="CSAM", at="06:00", sections=["sales"], owner=SALES), services)
    production = subscribe(Subscribe(channel="CPROD", at="06:00", sections=["production"]), services)
    channel = FakeChannel()
    delivery = DigestDelivery(services, channel, POLICY, with_chart=False)

    assert delivery.deliver(sales.subscription_id, MONDAY) and delivery.deliver(production.subscription_id, MONDAY)

    (_, sam), (_, plant) = channel.posts
    assert sam.fallback.splitlines()[:3] == ["Daily digest · Test plant · Jan 4", "",
                                            "For sales: orders at risk, to re-promise"]
    late = [b for b in sam.parts if isinstance(b, Bullets)]
    assert [b.title for b in late] == ["Will miss their promise on finite capacity"]
    assert [plain(i) for i in late[0].items] == ["SO-3 Initech: 20 Gate valve, promised Jan 6, projected Jan 8"]
    assert "For production: load, requests, shortages" in plant.fallback and "SO-3" not in plant.fallback
    assert "Load per resource, next 14 days" in plant.fallback


def test_a_chinese_subscription_gets_a_chinese_digest(services: ServiceContext) -> None:
    zh = subscribe(Subscribe(channel="CZH", at="06:00", language="zh", sections=["sales", "management"]), services)
    li = subscribe(Subscribe(channel="CLI", at="06:00", language="zh", sections=["sales"], owner=SALES_ZH), services)
    channel = FakeChannel()

    delivery = DigestDelivery(services, channel, POLICY, with_chart=False)
    assert delivery.deliver(zh.subscription_id, MONDAY) and delivery.deliver(li.subscription_id, MONDAY)

    (_, card), (_, lis) = channel.posts
    header = next(p for p in card.parts if isinstance(p, Header))
    assert header.text == "每日摘要 · Test plant · 1月4日"
    assert "销售：风险订单与需重新承诺的订单" in card.fallback and "管理层：交付与积压" in card.fallback
    assert "SO-3 Initech" in card.fallback and "闸阀" in card.fallback and "SO-2" not in card.fallback
    assert "准时交付率" in card.fallback
    assert "没有风险订单。" in lis.fallback  # Li's SO-2 is on time
