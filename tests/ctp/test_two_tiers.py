"""The two tiers of a promise, and the resident state behind them, on random small plants.

The first answer comes from the committed-capacity ledger; the exact one from the LP,
searched below it. Every plan either tier returns passes the independent checker (the
autouse fixture in tests/conftest.py checks every quote and rush).
"""

from __future__ import annotations

import pickle
import time
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.checker import check_plan
from planning_core.ctp import session
from planning_core.ctp.model import remaining_qty
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.state import NEW_DEMAND, PromiseState
from planning_core.model import OrderStatus, PlantSnapshot, SalesOrder
from tests.ctp.test_properties import plants
from tests.plants import MONDAY, day, one_shift_plant

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _day(answer_date: date | None) -> int | None:
    return None if answer_date is None else (answer_date - MONDAY).days


@FAST
@given(plants(), st.integers(1, 60))
def test_the_first_answer_is_never_earlier_than_the_exact_one(snapshot: PlantSnapshot, qty: int) -> None:
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    first = engine.quote(item_id="TOP", qty=qty, exact=False)
    exact = engine.quote(item_id="TOP", qty=qty)
    assert first.promise_date is not None and exact.promise_date is not None
    assert exact.promise_date <= first.promise_date
    assert exact.exact
    if exact.promise_date < first.promise_date:
        assert exact.first_answer_date == first.promise_date
    else:
        assert exact.first_answer_date is None


@FAST
@given(plants(), st.integers(1, 60))
def test_the_exact_answer_equals_a_full_search_of_the_whole_plant(snapshot: PlantSnapshot, qty: int) -> None:
    """The seeded search on the part that competes finds the day the unseeded search of the
    whole plant's LP finds (area objective, then bisection), orders held where the ledger holds them."""
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    exact = engine.quote(item_id="TOP", qty=qty)
    whole = engine.model.earliest(list(engine.projection.fixed), key=NEW_DEMAND, item_id="TOP", qty=qty)
    assert whole.day is not None
    assert _day(exact.promise_date) == whole.day


def _book(snapshot: PlantSnapshot, order: SalesOrder) -> PlantSnapshot:
    return replace(snapshot, sales_orders=(*snapshot.sales_orders, order))


def _same_ledger(a: PromiseState, b: PromiseState) -> None:
    assert np.allclose(a.ledger.free, b.ledger.free, rtol=0.0, atol=1e-9)
    assert a.ledger.lot_qty.keys() == b.ledger.lot_qty.keys()
    for point, qty in a.ledger.lot_qty.items():
        assert np.allclose(qty, b.ledger.lot_qty[point], rtol=0.0, atol=1e-9)
    assert a.projected_day == b.projected_day


@FAST
@given(plants(), st.integers(1, 40), st.integers(0, 20))
def test_booking_then_cancelling_restores_the_ledger_exactly(snapshot: PlantSnapshot, qty: int, due: int) -> None:
    state = PromiseState(snapshot, as_of=MONDAY)
    before = PromiseState(snapshot, as_of=MONDAY)
    claims = dict(state.ledger.claims)
    order = SalesOrder("SO-NEW", "ACME", "TOP", float(qty), day(due))
    state.attach(_book(snapshot, order))
    state.commit(order)
    moved = [k for k, c in claims.items() if state.ledger.claims.get(k) is not c]
    state.release(order.order_id)
    if not moved:
        _same_ledger(state, before)
    else:  # it took room from others, held again no later than they stood; they stay there
        assert all(state.projected_day[k] is not None and state.projected_day[k] <= claims[k].day  # type: ignore[operator]
                   for k in moved)


@FAST
@given(plants(), st.lists(st.tuples(st.integers(1, 30), st.integers(0, 20)), min_size=1, max_size=4))
def test_the_ledger_after_bookings_equals_one_rebuilt_from_scratch(
    snapshot: PlantSnapshot, bookings: list[tuple[int, int]]
) -> None:
    state = PromiseState(snapshot, as_of=MONDAY)
    booked: list[tuple[str, str]] = []
    for k, (qty, due) in enumerate(bookings):
        order = SalesOrder(f"SO-B{k}", "ACME", "TOP", float(qty), day(due))
        state.attach(_book(state.snapshot, order))
        state.commit(order)
        booked.append(("book", order.order_id))
    rebuilt = PromiseState(state.snapshot, as_of=MONDAY, journal=booked)
    _same_ledger(state, rebuilt)


def test_booking_then_cancelling_gives_back_every_minute_and_unit() -> None:
    plant = (
        one_shift_plant().buy("RAW", stock=30).make("GEAR", ("M", 30), components=(("RAW", 1.0),))
        .order("SO-1", "GEAR", 8, day(2)).build()
    )
    state = PromiseState(plant, as_of=MONDAY)
    free, lots = state.ledger.free.copy(), {p: q.copy() for p, q in state.ledger.lot_qty.items()}
    order = SalesOrder("SO-2", "ACME", "GEAR", 20, day(4))
    state.attach(_book(plant, order))
    claim = state.commit(order)
    assert claim is not None and claim.day == 4
    assert state.ledger.free.sum() < free.sum()  # it took time…
    state.release("SO-2")
    assert np.allclose(state.ledger.free, free, rtol=0.0, atol=1e-9)  # …and gave all of it back
    assert all(np.allclose(q, lots[p], rtol=0.0, atol=1e-9) for p, q in state.ledger.lot_qty.items())


def test_an_order_that_can_never_finish_keeps_what_it_can_take() -> None:
    # RAW cannot be bought within the horizon: the 10 in stock are all there is, and SO-1 (100,
    # never finishable) takes them. A quote may not be promised that stock.
    plant = (
        one_shift_plant().buy("RAW", lead_time_days=5000, stock=10)
        .make("GEAR", ("M", 1), components=(("RAW", 1.0),)).order("SO-1", "GEAR", 100, day(3)).build()
    )
    engine = PromiseEngine(plant, as_of=MONDAY)
    assert engine.projection.projected_day["SO-1"] is None
    quote = engine.quote(item_id="GEAR", qty=5)
    assert quote.promise_date is None
    # Without SO-1 the same five could be made on Monday.
    alone = PromiseEngine(replace(plant, sales_orders=()), as_of=MONDAY).quote(item_id="GEAR", qty=5)
    assert alone.promise_date == MONDAY


def test_a_booking_takes_stock_a_later_order_held_when_that_order_can_wait_for_a_purchase() -> None:
    # 20 RAW in stock, more in 3 days. SO-1 (20, due Friday) was committed from stock; a new
    # order for 20 by Monday may take it, SO-1 being made from the purchase instead, still by Friday.
    plant = (
        one_shift_plant().buy("RAW", lead_time_days=3, stock=20)
        .make("GEAR", ("M", 10), components=(("RAW", 1.0),)).order("SO-1", "GEAR", 20, day(4)).build()
    )
    state = PromiseState(plant, as_of=MONDAY)
    order = SalesOrder("SO-2", "ACME", "GEAR", 20, day(0))
    state.attach(_book(plant, order))
    claim = state.commit(order)
    assert claim is not None and claim.day == 0
    assert state.projected_day["SO-1"] == 4
    report = check_plan(state.plan(state.ledger.claims.values()), state.snapshot)
    assert report.ok, str(report)


def test_an_order_that_cannot_keep_its_promise_is_committed_at_the_earliest_day_it_can() -> None:
    plant = one_shift_plant().make("GEAR", ("M", 60)).order("SO-1", "GEAR", 16, day(3)).build()
    state = PromiseState(plant, as_of=MONDAY)
    # 8 a day. SO-1 (16, due Thursday) holds Wednesday and Thursday. SO-2 (24 by Tuesday) needs
    # three days; it may not push SO-1 late, so it gets Monday, Tuesday and Friday.
    order = SalesOrder("SO-2", "ACME", "GEAR", 24, day(1))
    state.attach(_book(plant, order))
    claim = state.commit(order)
    assert claim is not None and claim.day == 4
    assert state.projected_day["SO-1"] == 3
    assert remaining_qty(state.snapshot.orders_by_id["SO-1"]) == 16
    assert all(o.status is OrderStatus.CONFIRMED for o in state.snapshot.sales_orders)


@FAST
@given(plants(), st.integers(1, 40))
def test_a_state_saved_and_loaded_answers_as_the_one_it_was_saved_from(snapshot: PlantSnapshot, qty: int) -> None:
    state = PromiseState(snapshot, as_of=MONDAY)
    loaded = pickle.loads(pickle.dumps(state))
    loaded.attach(snapshot)
    _same_ledger(state, loaded)
    for key, claim in state.ledger.claims.items():
        again = loaded.ledger.claims[key]
        assert (again.day, again.qty, len(again.entries)) == (claim.day, claim.qty, len(claim.entries))
    assert loaded.ledger.holding == state.ledger.holding and loaded.ledger.using == state.ledger.using
    first = PromiseEngine(snapshot, as_of=MONDAY, state=state).quote(item_id="TOP", qty=qty)
    again = PromiseEngine(snapshot, as_of=MONDAY, state=loaded).quote(item_id="TOP", qty=qty)
    assert (first.promise_date, first.partial) == (again.promise_date, again.partial)


def test_a_loaded_state_checks_bookings_as_the_one_it_was_saved_from() -> None:
    # 8 a day; SO-1 (16 for Wednesday) holds Tuesday and Wednesday. 8 more by Tuesday fit on Monday;
    # 24 by Tuesday do not, even with SO-1 moved (the check tries that, on the plant with nothing held).
    plant = one_shift_plant().make("GEAR", ("M", 60)).order("SO-1", "GEAR", 16, day(2)).build()
    loaded = pickle.loads(pickle.dumps(PromiseState(plant, as_of=MONDAY)))
    loaded.attach(plant)
    assert loaded.fits("GEAR", 8, day(1))
    assert not loaded.fits("GEAR", 24, day(1))
    assert loaded.projected_day == {"SO-1": 2}  # asking changed nothing


@st.composite
def crowded_plants(draw: st.DrawFn) -> PlantSnapshot:
    """One machine, a part in short stock with more on order, and up to eight committed orders holding it."""
    builder = (
        one_shift_plant().buy("RAW", lead_time_days=draw(st.integers(3, 15)), stock=float(draw(st.integers(10, 60))))
        .po("PO-1", "RAW", float(draw(st.integers(5, 60))), day(draw(st.integers(1, 10))))
        .make("TOP", ("M", float(draw(st.integers(10, 60)))), components=(("RAW", 1.0),))
    )
    for k in range(draw(st.integers(4, 8))):
        builder = builder.order(f"SO-{k}", "TOP", float(draw(st.integers(1, 12))), day(draw(st.integers(2, 30))))
    return builder.build()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(crowded_plants(), st.lists(st.tuples(st.integers(1, 30), st.integers(0, 25)), min_size=1, max_size=5))
def test_a_booking_is_held_at_the_date_it_was_promised(
    snapshot: PlantSnapshot, bookings: list[tuple[int, int]]
) -> None:
    """As `book_order` promises: the date asked when it fits, else the first answer; committing the
    order must then hold it by that date, and a state rebuilt from the journal too. A booking
    promised beyond the state's horizon marks it outgrown: the service then builds it again."""
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    state = engine.state
    journal: list[tuple[str, str]] = []
    promised: dict[str, date] = {}
    for k, (qty, asked) in enumerate(bookings):
        first = engine.quote(item_id="TOP", qty=qty, exact=False).promise_date
        assert first is not None
        fits = first <= day(asked) or state.fits("TOP", qty, day(asked), earliest=first)  # as book_order tries it
        promise = day(asked) if fits else first
        order = SalesOrder(f"SO-B{k}", "ACME", "TOP", float(qty), day(asked), promise)
        state.attach(_book(state.snapshot, order))
        state.commit(order)
        journal.append(("book", order.order_id))
        promised[order.order_id] = promise
    rebuilt = PromiseState(state.snapshot, as_of=MONDAY, journal=journal)
    assert not rebuilt.outgrown
    live = rebuilt if state.outgrown else state
    for order_id, promise in promised.items():
        for where in (live, rebuilt):
            projected = where.projected_day[order_id]
            assert projected is not None and projected <= _day(promise)  # type: ignore[operator]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(plants(), st.integers(1, 60))
def test_a_warm_resolve_that_gives_up_is_solved_again_from_scratch(snapshot: PlantSnapshot, qty: int) -> None:
    """Warm simplex re-solves stop when they take longer than the interior point method and go on
    by it: the answer is the same whichever way each solve went."""
    expected = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="TOP", qty=qty)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session, "WARM_SIMPLEX_SHARE", 0.0)  # every warm re-solve gives up at once
        again = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="TOP", qty=qty)
    assert (again.promise_date, again.exact) == (expected.promise_date, expected.exact)


def test_on_the_demo_plant_a_set_up_round_gives_up_warm_simplex_and_keeps_the_date() -> None:
    from planbridge.demo import demo_plant  # the one plant whose set-up rounds need thousands of iterations

    anchor = date(2027, 1, 4)
    plant = demo_plant(anchor)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session, "WARM_SIMPLEX_SHARE", 1e9)  # warm simplex to the end
        expected = PromiseEngine(plant, as_of=anchor).quote(item_id="DN100-GATE", qty=50)
    stopped: list[str] = []
    run = session.LpSession._run

    def recorded(self: session.LpSession, method: str, seconds: float, iterations: int) -> object:
        status = run(self, method, seconds, iterations)
        if status in (session.highspy.HighsModelStatus.kTimeLimit, session.highspy.HighsModelStatus.kIterationLimit):
            stopped.append(method)
        return status

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session.LpSession, "_run", recorded)
        again = PromiseEngine(plant, as_of=anchor).quote(item_id="DN100-GATE", qty=50)
    assert "simplex" in stopped and "ipm" not in stopped
    assert again.promise_date == expected.promise_date and again.exact


def test_a_session_s_time_limit_counts_from_each_solve_not_from_its_first() -> None:
    """HiGHS measures its time limit on the clock of all runs of one solver together: a session
    that had solved for longer than a search had left stopped that search at once."""
    plant = one_shift_plant().make("GEAR", ("M", 60)).order("SO-1", "GEAR", 40, day(6)).build()
    engine = PromiseEngine(plant, as_of=MONDAY)
    fixed = list(engine.projection.fixed)
    model = engine.model
    for _ in range(2000):  # one session solving again and again (~1 ms a search), past twice the margin
        search = model.earliest_below(fixed, key=NEW_DEMAND, item_id="GEAR", qty=20, below=20,
                                      deadline=time.monotonic() + 0.1)
        assert search.finished and search.earlier is not None and search.earlier.day == 9
        assert model._session is not None
        if model._session.solver.getRunTime() > 0.2:
            break
    else:
        pytest.fail("the session never ran for 0.2 s")
