"""Available to promise by a date: hand-computed cases, and agreement with bisection over quotes."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.ctp.available import available
from planning_core.ctp.promising import PromiseEngine
from planning_core.model import PlantSnapshot
from tests.ctp.test_properties import plants
from tests.plants import MONDAY, PlantBuilder, day, one_shift_plant


def engine(snapshot: PlantSnapshot) -> PromiseEngine:
    return PromiseEngine(snapshot, as_of=MONDAY)


def test_one_machine_makes_eight_a_day() -> None:
    # 60 minutes a gear on an 8-hour day: 8 on Monday, 24 by Wednesday night.
    plant = one_shift_plant().make("GEAR", ("M", 60)).build()
    answer = available(engine(plant), "GEAR", day(2))
    assert answer.qty == 24 and answer.exact
    assert [(p.qty, p.date) for p in answer.schedule] == [(8, day(0)), (8, day(1)), (8, day(2))]
    assert available(engine(plant), "GEAR", MONDAY).qty == 8


def test_stock_counts_and_a_confirmed_order_keeps_its_share() -> None:
    # 5 on hand; SO-1 needs 8 by Tuesday night. By Wednesday: 5 + 24 made − 8 promised = 21;
    # by Monday night: 5 + 8 (SO-1 can still be made on Tuesday) = 13; by Tuesday: 5 + 16 − 8 = 13.
    plant = one_shift_plant().make("GEAR", ("M", 60), stock=5).order("SO-1", "GEAR", 8, day(1)).build()
    pe = engine(plant)
    assert [available(pe, "GEAR", day(d)).qty for d in (0, 1, 2)] == [13, 13, 21]


def test_nothing_is_available_before_a_purchase_arrives() -> None:
    plant = PlantBuilder().buy("VALVE", lead_time_days=7, stock=3).build()
    assert available(engine(plant), "VALVE", day(6)).qty == 3
    answer = available(engine(plant), "VALVE", day(7))
    assert answer.unlimited  # from day 7 on any quantity can be bought
    assert available(engine(plant), "VALVE", date(2026, 12, 31)).qty == 0  # a date already past


def test_uncounted_units_are_answered_to_a_hundredth() -> None:
    # 45 minutes a kilogram: 480 / 45 = 10.666… kg on Monday.
    plant = one_shift_plant().make("PASTE", ("M", 45), uom="kg").build()
    assert available(engine(plant), "PASTE", MONDAY).qty == 10.66


def test_a_deadline_already_past_gives_what_was_proved_so_far() -> None:
    plant = one_shift_plant().make("GEAR", ("M", 60)).build()
    answer = available(engine(plant), "GEAR", day(2), deadline=0.0)
    assert not answer.exact and answer.qty <= 24


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(plants(), st.integers(0, 20))
def test_available_agrees_with_bisection_over_quotes(snapshot: PlantSnapshot, by_day: int) -> None:
    pe = engine(snapshot)
    by = day(by_day)
    answer = available(pe, "TOP", by)
    assert answer.exact

    def promised_by(qty: float) -> bool:
        q = pe.quote(item_id="TOP", qty=qty)
        return q.promise_date is not None and q.promise_date <= by

    if answer.qty > 0:
        assert promised_by(answer.qty)
        assert sum(p.qty for p in answer.schedule) == answer.qty
        assert all(p.date <= by for p in answer.schedule)
    assert not promised_by(answer.qty + 1)
