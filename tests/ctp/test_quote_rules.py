"""Capable-to-promise, one planning rule per test, each computed by hand.

Every quote's plan also passes the independent checker.
"""

from __future__ import annotations

from datetime import date

import pytest

from planning_core.checker import check_plan
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import CheckStatus, ConstraintKind, Quote
from planning_core.model import PlantSnapshot
from tests.plants import MONDAY, PlantBuilder, day, one_shift_plant, weekly


def quote(snapshot: PlantSnapshot, item: str, qty: float, *, due: date | None = None, as_of: date = MONDAY) -> Quote:
    result = PromiseEngine(snapshot, as_of=as_of).quote(item_id=item, qty=qty, due=due)
    assert result.plan is not None
    report = check_plan(result.plan, snapshot)
    assert report.ok, str(report)
    return result


def kinds(q: Quote) -> set[ConstraintKind]:
    return {c.kind for c in q.constraints}


def test_stock_alone_is_promised_today() -> None:
    plant = PlantBuilder().buy("BOLT", lead_time_days=30, stock=100).build()
    q = quote(plant, "BOLT", 30)
    assert q.promise_date == MONDAY
    assert [(p.qty, p.date) for p in q.partial] == [(30, MONDAY)]
    assert ConstraintKind.STOCK in kinds(q)


def test_purchase_order_arriving_later_sets_the_date() -> None:
    # 10 on hand, 50 arrive on Saturday; buying more would take 20 days.
    plant = PlantBuilder().buy("BAR", lead_time_days=20, stock=10).po("PO-1", "BAR", 50, day(5)).build()
    q = quote(plant, "BAR", 40)
    assert q.promise_date == day(5)
    assert [(p.qty, p.date) for p in q.partial] == [(10, MONDAY), (30, day(5))]
    receipt = next(c for c in q.constraints if c.kind is ConstraintKind.RECEIPT)
    assert receipt.fact("ref") == "PO-1" and receipt.fact("date") == day(5).isoformat()


def test_purchase_lead_time_in_calendar_days() -> None:
    plant = PlantBuilder().buy("VALVE", lead_time_days=7).build()
    q = quote(plant, "VALVE", 5)
    assert q.promise_date == day(7)
    bought = next(c for c in q.constraints if c.kind is ConstraintKind.PURCHASE_LEAD_TIME)
    assert bought.fact("qty") == "5" and bought.fact("arrival") == day(7).isoformat()
    assert q.review.material.status is CheckStatus.WARNING


def test_capacity_bottleneck_over_several_days() -> None:
    # 60 minutes a unit on an 8-hour day: 8 a day, so 20 need Monday, Tuesday and half of Wednesday.
    plant = one_shift_plant().make("GEAR", ("M", 60)).build()
    q = quote(plant, "GEAR", 20, due=day(1))
    assert q.promise_date == day(2)
    assert q.feasible_by_due is False
    assert [(p.qty, p.date) for p in q.partial] == [(8, day(0)), (8, day(1)), (4, day(2))]
    loaded = next(c for c in q.constraints if c.kind is ConstraintKind.CAPACITY)
    assert loaded.resource_id == "M" and loaded.fact("from") == day(0).isoformat()
    assert q.review.date.status is CheckStatus.PROBLEM


def test_calendar_break_and_closed_day() -> None:
    # 08–12 and 13–17 (a lunch break): 16 units of 30 minutes a day; Tuesday is closed.
    calendar = weekly("LUNCH", ("08:00", "12:00"), ("13:00", "17:00"), closed=(day(1),))
    plant = PlantBuilder().calendar(calendar).resource("M", "LUNCH").make("SHAFT", ("M", 30)).build()
    q = quote(plant, "SHAFT", 20)
    assert q.promise_date == day(2)
    assert [(p.qty, p.date) for p in q.partial] == [(16, day(0)), (4, day(2))]
    assert q.plan is not None
    lunch = (12 * 60, 13 * 60)
    assert all(op.end <= lunch[0] or op.start >= lunch[1] for op in q.plan.operations if op.start < 24 * 60)
    closed = next(c for c in q.constraints if c.kind is ConstraintKind.CALENDAR)
    assert closed.fact("dates") == day(1).isoformat()


def test_alternative_resources_share_the_work() -> None:
    plant = (
        one_shift_plant().resource("M2", "DAY")
        .make("BODY", ("M|M2", 60)).make("LID", ("M", 60))
        .build()
    )
    # Two machines make 16 a day; one machine alone makes 8.
    assert quote(plant, "BODY", 30).promise_date == day(1)
    assert quote(plant, "LID", 30).promise_date == day(3)


def test_three_level_bom_with_quantities_per() -> None:
    # A needs 2 B; B needs 3 C. 10 A → 20 B → 60 C; 30 C on hand, 30 more bought in 5 days.
    plant = (
        one_shift_plant().resource("N", "DAY")
        .buy("C", lead_time_days=5, stock=30)
        .make("B", ("N", 6), components=(("C", 3),))
        .make("A", ("M", 12), components=(("B", 2),))
        .build()
    )
    q = quote(plant, "A", 10)
    # Day 5 is Saturday: the bought C arrive at 00:00, but machines work Monday to Friday.
    assert q.promise_date == day(7)
    assert [(p.qty, p.date) for p in q.partial] == [(5, MONDAY), (5, day(7))]
    bought = next(c for c in q.constraints if c.kind is ConstraintKind.PURCHASE_LEAD_TIME)
    assert bought.item_id == "C" and bought.fact("qty") == "30"


def test_resequencing_keeps_both_promises_and_quotes_earlier_than_loading_after_them() -> None:
    # 10 on hand, 8 a day. Confirmed: 10 due Friday and 16 due Friday. Loading the new
    # order after them would take the stock and Monday-Tuesday for them and quote
    # Wednesday. But 8 can go today: by Friday 10 + 40 made ≥ 26 + 8.
    plant = (
        one_shift_plant().make("PUMP", ("M", 60), stock=10)
        .order("SO-1", "PUMP", 10, day(4)).order("SO-2", "PUMP", 16, day(4))
        .build()
    )
    q = quote(plant, "PUMP", 8)
    assert q.promise_date == MONDAY
    assert q.plan is not None
    promised = {p.order_id: p.due for p in q.plan.promises}
    assert promised["SO-1"] == day(4) and promised["SO-2"] == day(4)


def test_confirmed_orders_are_never_made_late_by_a_quote() -> None:
    plant = one_shift_plant().make("PUMP", ("M", 60)).order("SO-1", "PUMP", 16, day(1)).build()
    # Monday and Tuesday belong to SO-1, so 4 more come on Wednesday at the earliest.
    q = quote(plant, "PUMP", 4)
    assert q.promise_date == day(2)


def test_a_quantity_that_can_never_be_made_has_no_date() -> None:
    plant = one_shift_plant().make("PROTO", stock=5).build()  # made, but nobody wrote its routing
    assert quote(plant, "PROTO", 5).promise_date == MONDAY
    never = PromiseEngine(plant, as_of=MONDAY).quote(item_id="PROTO", qty=6)
    assert never.promise_date is None
    assert never.feasible_by_due is None
    assert [c.kind for c in never.constraints] == [ConstraintKind.DATA]
    assert never.review.technical.status is CheckStatus.PROBLEM


def test_setup_is_paid_once_per_batch() -> None:
    # 60 minutes of set-up plus 2 minutes a unit on an 8-hour day: 210 units fill
    # Monday exactly (60 + 420 = 480); one more does not fit; 300 take 660 minutes.
    plant = one_shift_plant().make("SEAT", ("M", 2, 60)).build()
    assert quote(plant, "SEAT", 210).promise_date == day(0)
    assert quote(plant, "SEAT", 211).promise_date == day(1)
    assert quote(plant, "SEAT", 300).promise_date == day(1)


def test_setup_is_paid_on_each_alternative_used() -> None:
    # Two machines, each 60 min set-up + 2 min a unit. 400 units: one machine needs
    # 860 min (Tuesday); split in two batches of 200 each takes 460 min: Monday.
    plant = one_shift_plant().resource("M2", "DAY").make("SEAT", ("M|M2", 2, 60)).build()
    q = quote(plant, "SEAT", 400)
    assert q.promise_date == day(0)
    assert q.plan is not None
    used = {op.resource_id for op in q.plan.operations}
    assert used == {"M", "M2"}


def test_due_date_verdicts() -> None:
    plant = one_shift_plant().make("GEAR", ("M", 60)).build()
    assert quote(plant, "GEAR", 8, due=day(3)).feasible_by_due is True
    assert quote(plant, "GEAR", 8).feasible_by_due is None


@pytest.mark.parametrize(("qty", "expected"), [(5, 0), (25, 7), (40, 8), (100, 16)])
def test_example_pumps_quotes(pumps: PlantSnapshot, qty: int, expected: int) -> None:
    """The public example (as of Monday 2027-01-04), reasoned in pumps_cases.json."""
    assert quote(pumps, "PUMP-A", qty).promise_date == day(expected)
