"""Rush impact, computed by hand; every plan passes the independent checker."""

from __future__ import annotations

from datetime import date

from planning_core.checker import check_plan
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import RushImpact
from planning_core.model import PlantSnapshot
from tests.plants import MONDAY, day, one_shift_plant


def rush(snapshot: PlantSnapshot, *, due: date, order_id: str | None = None, item: str | None = None,
         qty: float | None = None) -> RushImpact:
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    order = snapshot.orders_by_id[order_id] if order_id else None
    result = engine.rush(due=due, order=order, item_id=item, qty=qty)
    assert result.plan is not None
    report = check_plan(result.plan, snapshot)
    assert report.ok, str(report)
    return result


def projected(result: RushImpact) -> dict[str, date | None]:
    return {i.order_id: i.projected_date for i in result.impacted}


def test_rush_pushes_two_orders_late_with_their_projected_dates() -> None:
    # 8 a day. SO-1 (8) due Tuesday, SO-2 (8) due Wednesday. A new rush of 16 due
    # Tuesday takes Monday and Tuesday: SO-1 moves to Wednesday, SO-2 to Thursday.
    plant = (
        one_shift_plant().make("GEAR", ("M", 60))
        .order("SO-1", "GEAR", 8, day(1)).order("SO-2", "GEAR", 8, day(2))
        .build()
    )
    result = rush(plant, due=day(1), item="GEAR", qty=16)
    assert result.promise_date == day(1) and result.feasible_by_due
    assert projected(result) == {"SO-1": day(2), "SO-2": day(3)}
    assert [i.days_late for i in result.impacted] == [1, 1]


def test_rush_with_no_impact() -> None:
    plant = one_shift_plant().make("GEAR", ("M", 60)).order("SO-1", "GEAR", 8, day(4)).build()
    result = rush(plant, due=day(1), item="GEAR", qty=8)
    assert result.promise_date == day(1)
    assert result.impacted == ()


def test_rushing_an_existing_order_moves_it_ahead(pumps: PlantSnapshot) -> None:
    """The public example: A-2 needed on Jan 5 pushes A-1 to Jan 8 (motors arrive then)."""
    engine = PromiseEngine(pumps, as_of=MONDAY)
    result = engine.rush(due=date(2027, 1, 5), order=pumps.orders_by_id["A-2"])
    assert result.promise_date == date(2027, 1, 5) and result.feasible_by_due
    assert projected(result) == {"A-1": date(2027, 1, 8)}
    assert result.plan is not None and check_plan(result.plan, pumps).ok


def test_a_rush_promises_its_due_date_not_earlier() -> None:
    # Ready Monday at the earliest, but needed Thursday: holding it to Thursday keeps
    # Monday free for SO-1, so nobody slips.
    plant = one_shift_plant().make("GEAR", ("M", 60)).order("SO-1", "GEAR", 8, day(0)).build()
    result = rush(plant, due=day(3), item="GEAR", qty=8)
    assert result.promise_date == day(3)
    assert result.impacted == ()


def test_a_rush_that_cannot_meet_its_date() -> None:
    plant = one_shift_plant().make("GEAR", ("M", 60)).build()
    result = rush(plant, due=day(0), item="GEAR", qty=20)
    assert result.promise_date == day(2)
    assert result.feasible_by_due is False


def test_orders_already_late_are_not_blamed_on_the_rush() -> None:
    # SO-1 (16, due Monday) is late anyway: 8 on Monday, 8 on Tuesday. A rush of 8 due
    # Friday fits Wednesday to Friday and changes nothing for SO-1.
    plant = one_shift_plant().make("GEAR", ("M", 60)).order("SO-1", "GEAR", 16, day(0)).build()
    result = rush(plant, due=day(4), item="GEAR", qty=8)
    assert result.impacted == ()
    # …but a rush due Monday makes it later still, and then it is listed.
    result = rush(plant, due=day(0), item="GEAR", qty=8)
    assert projected(result) == {"SO-1": day(2)}
