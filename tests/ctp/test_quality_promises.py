"""Quality in the promise, computed by hand: held stock is never promised, a hold with a release
date is a receipt on that date, and a step's yield raises the quantity started. The same rules
hold in the first answer (the ledger), the exact answer (the LP), MRP and the scheduler, and the
independent checker verifies them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planbridge.presentation.quotes import constraint_detail, quality_reason
from planning_core.checker import ViolationKind, check_plan
from planning_core.ctp.explain import HOLD_RELEASE
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import CheckStatus, ConstraintKind, Quote
from planning_core.model import HeldStock, PlantSnapshot, QualityEventKind, QualityEventStatus, StockStatus
from planning_core.mrp import MrpParams, run_mrp
from planning_core.plan import Delivery, Operation, Plan, Promise
from planning_core.quality import with_held_released
from planning_core.scheduling.plant import schedule_plant
from tests.ctp.test_properties import plants
from tests.plants import MONDAY, PlantBuilder, at, day, one_shift_plant


def both_answers(snapshot: PlantSnapshot, item: str, qty: float) -> tuple[Quote, Quote]:
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    first = engine.quote(item_id=item, qty=qty, exact=False)
    exact = engine.quote(item_id=item, qty=qty)
    for answer in (first, exact):
        assert answer.plan is not None
        report = check_plan(answer.plan, snapshot)
        assert report.ok, str(report)
    return first, exact


def held_bolts(*, release: date | None = None) -> PlantSnapshot:
    # 10 available, 200 on hold, 50 in quarantine; buying more takes 20 days
    return (PlantBuilder().buy("BOLT", lead_time_days=20, stock=10)
            .hold("BOLT", 200, release=release).hold("BOLT", 50, status=StockStatus.QUARANTINE).build())


def test_held_and_quarantined_stock_is_not_promised() -> None:
    first, exact = both_answers(held_bolts(), "BOLT", 40)
    for answer in (first, exact):
        # 10 today from available stock; the other 30 only once bought (day 20), never from the 250 held
        assert answer.promise_date == day(20)
        assert [(p.qty, p.date) for p in answer.partial] == [(10, MONDAY), (30, day(20))]
    ten = PromiseEngine(held_bolts(), as_of=MONDAY).quote(item_id="BOLT", qty=10)
    assert ten.promise_date == MONDAY


def test_a_hold_released_on_a_date_binds_the_promise_to_that_date() -> None:
    snapshot = held_bolts(release=day(5))
    first, exact = both_answers(snapshot, "BOLT", 40)
    for answer in (first, exact):
        # 10 today, 30 of the 200 released on Saturday (day 5), earlier than a purchase (day 20)
        assert answer.promise_date == day(5)
        assert [(p.qty, p.date) for p in answer.partial] == [(10, MONDAY), (30, day(5))]
    binding = next(c for c in exact.constraints if c.kind is ConstraintKind.RECEIPT)
    assert (binding.fact("source"), binding.fact("date"), binding.fact("qty")) == (HOLD_RELEASE, day(5).isoformat(), "200")
    assert "quality hold" in constraint_detail(binding, snapshot, "en", today=MONDAY)
    assert "质量冻结" in constraint_detail(binding, snapshot, "zh", today=MONDAY)
    # the quarantined 50 never come back: 260 need a purchase
    assert PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="BOLT", qty=260).promise_date == day(20)


def test_the_checker_refuses_a_plan_that_ships_held_stock() -> None:
    snapshot = held_bolts(release=day(5))
    axis = PromiseEngine(snapshot, as_of=MONDAY).model.grid.axis
    today = Plan(axis, deliveries=(Delivery("Q", "BOLT", 40, 16 * 60.0),), promises=(Promise("Q", "BOLT", 40, MONDAY),))
    report = check_plan(today, snapshot)
    assert [v.kind for v in report.violations] == [ViolationKind.MATERIAL]
    assert "only 10 available" in str(report)
    on_release = Plan(axis, deliveries=(Delivery("Q", "BOLT", 40, 5 * 24 * 60.0 + 1),))
    assert check_plan(on_release, snapshot).ok


def geared(yield_pct: float) -> PlantSnapshot:
    # GEAR: step 10 on M (5 min a unit started), step 20 on M (1 min); one BLANK per unit started
    return (one_shift_plant().buy("BLANK", lead_time_days=30, stock=100)
            .make("GEAR", ("M", 5.0), ("M", 1.0), components=(("BLANK", 1),))
            .step_yield("GEAR", 10, yield_pct).build())


def started(plan: Plan | None, item: str, step: int) -> float:
    assert plan is not None
    return round(sum(op.qty for op in plan.operations if (op.item_id, op.step) == (item, step)), 6)


def test_a_90_percent_yield_raises_the_quantity_started() -> None:
    # 90 good gears: step 10 starts 90 / 0.9 = 100 (500 min) and passes 90 to step 20 (90 min);
    # 590 minutes on an 8-hour day (480) run into Tuesday; 100 blanks, exactly the stock
    first, exact = both_answers(geared(90), "GEAR", 90)
    for answer in (first, exact):
        assert answer.promise_date == day(1)
        assert started(answer.plan, "GEAR", 10) == 100
        assert started(answer.plan, "GEAR", 20) == 90
    # at 100% the same 90 need 540 minutes: also Tuesday, but only 90 started and 90 blanks
    plain = PromiseEngine(geared(100), as_of=MONDAY).quote(item_id="GEAR", qty=90)
    assert started(plain.plan, "GEAR", 10) == 90
    # 91 good gears need 101.1 blanks at 90%: beyond the 100 on hand, so the blank purchase (day 30) binds
    short = PromiseEngine(geared(90), as_of=MONDAY).quote(item_id="GEAR", qty=91)
    assert short.promise_date == day(30)


def test_the_checker_counts_only_the_good_units_a_step_passes_on() -> None:
    snapshot = geared(90)
    axis = PromiseEngine(snapshot, as_of=MONDAY).model.grid.axis
    # starting only 90 at step 10 leaves 81 for step 20: claiming 90 through it is a precedence violation
    ops = (Operation("GEAR", 10, "M", at(0, 8), at(0, 15, 30), 90.0), Operation("GEAR", 20, "M", at(1, 8), at(1, 9, 30), 90.0))
    report = check_plan(Plan(axis, operations=ops), snapshot, precedence="strict")
    assert [v.kind for v in report.violations] == [ViolationKind.PRECEDENCE]
    assert "only 81" in str(report)


def test_mrp_explodes_components_for_the_units_started() -> None:
    builder = (one_shift_plant().buy("BLANK", lead_time_days=2)
               .make("GEAR", ("M", 5.0), components=(("BLANK", 2),)).step_yield("GEAR", 10, 80)
               .order("SO-1", "GEAR", 40, day(10)))
    result = run_mrp(builder.build(), MrpParams(as_of=MONDAY))
    # 40 good gears start 40 / 0.8 = 50, each taking 2 blanks: 100 blanks
    assert sum(p.qty for p in result.planned_orders if p.item_id == "GEAR") == pytest.approx(40)
    assert sum(p.qty for p in result.planned_orders if p.item_id == "BLANK") == pytest.approx(100)


def test_mrp_counts_a_hold_release_as_a_receipt_and_never_other_held_stock() -> None:
    builder = (PlantBuilder().buy("BOLT", lead_time_days=2, stock=10).hold("BOLT", 30, release=day(3))
               .hold("BOLT", 500, status=StockStatus.QUARANTINE).order("SO-1", "BOLT", 60, day(10)))
    result = run_mrp(builder.build(), MrpParams(as_of=MONDAY))
    # 60 needed: 10 available + 30 released on day 3, the other 20 bought
    assert sum(p.qty for p in result.planned_orders if p.item_id == "BOLT") == pytest.approx(20)


def test_the_scheduler_starts_more_at_a_step_with_a_yield_and_the_checker_agrees() -> None:
    snapshot = (one_shift_plant().buy("BLANK", lead_time_days=30, stock=100)
                .make("GEAR", ("M", 5.0), ("M", 1.0), components=(("BLANK", 1),))
                .step_yield("GEAR", 10, 90).order("SO-1", "GEAR", 90, day(3)).build())
    result = schedule_plant(snapshot, MONDAY, time_limit=2.0, workers=1, seed=0)
    assert check_plan(result.plan, snapshot, precedence="strict").ok
    assert started(result.plan, "GEAR", 10) == 100
    assert started(result.plan, "GEAR", 20) == 90
    # 500 + 90 minutes of work
    assert sum(op.minutes for op in result.plan.operations) == pytest.approx(590)


def test_the_scheduler_waits_for_a_hold_release_and_never_uses_quarantined_stock() -> None:
    snapshot = (PlantBuilder().buy("BOLT", lead_time_days=20, stock=10).hold("BOLT", 30, release=day(3))
                .hold("BOLT", 500, status=StockStatus.QUARANTINE).order("SO-1", "BOLT", 40, day(10)).build())
    result = schedule_plant(snapshot, MONDAY, time_limit=2.0, workers=1, seed=0)
    assert check_plan(result.plan, snapshot, precedence="strict").ok
    [outcome] = result.orders
    assert outcome.completion_date == day(3)
    assert result.plan.purchases == ()



# -- the order review's fifth check, `quality` ----------------------------------------------------


def castings() -> PlantBuilder:
    # PUMP: one CASTING each, assembled at 10 minutes a unit on M; castings take 20 days to buy
    return (one_shift_plant().buy("CASTING", lead_time_days=20, stock=10)
            .make("PUMP", ("M", 10.0), components=(("CASTING", 1),)))


def test_review_quality_is_ok_without_quality_news() -> None:
    q = PromiseEngine(castings().build(), as_of=MONDAY).quote(item_id="PUMP", qty=5, customer="ACME")
    assert (q.review.quality.status, q.review.quality.reason_code) == (CheckStatus.OK, "clear")


def test_review_quality_warns_of_ncrs_recent_complaints_and_the_customers_open_complaints() -> None:
    snapshot = (castings()
                .quality("N1", QualityEventKind.NCR, "PUMP", day(-200))  # open NCR: counts whatever its age
                .quality("N2", QualityEventKind.NCR, "PUMP", day(-5), status=QualityEventStatus.CLOSED)
                .quality("C1", QualityEventKind.COMPLAINT, "PUMP", day(-30), status=QualityEventStatus.CLOSED)
                .quality("C2", QualityEventKind.COMPLAINT, "PUMP", day(-91))  # older than 90 days
                .quality("C3", QualityEventKind.RETURN, "CASTING", day(-1), customer="Acme")
                .quality("C4", QualityEventKind.COMPLAINT, "CASTING", day(-2), customer="Beta")
                .build())
    q = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="PUMP", qty=5, customer="ACME")
    check = q.review.quality
    assert check.status is CheckStatus.WARNING
    # N1 (open), C1 (30 days ago, closed or not); ACME's return C3 is open (Acme = ACME)
    assert dict(check.facts) == {"ncrs": "1", "complaints": "1", "customer": "ACME", "customer_complaints": "1"}
    assert quality_reason(check, "en") == (
        "1 open NCR(s) and 1 complaint(s) in the last 90 days on this item; ACME has 1 open complaint(s) or return(s)")
    assert "未关闭" in quality_reason(check, "zh")
    # another customer without complaints, an item with none: nothing to say
    clean = (castings().quality("C9", QualityEventKind.COMPLAINT, "CASTING", day(-1), customer="Beta").build())
    q = PromiseEngine(clean, as_of=MONDAY).quote(item_id="PUMP", qty=5, customer="Gamma")
    assert q.review.quality.status is CheckStatus.OK


def test_review_quality_warns_when_stock_the_promise_needs_is_on_hold() -> None:
    snapshot = castings().hold("CASTING", 50).build()
    # 5 pumps: the 10 available castings do; 30 pumps: 20 more castings than available, 50 held
    assert PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="PUMP", qty=5).review.quality.status is CheckStatus.OK
    q = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="PUMP", qty=30)
    assert q.promise_date == day(21)  # after the purchase (day 20, a Sunday): never the held castings
    assert (q.review.quality.status, dict(q.review.quality.facts)) == (CheckStatus.WARNING, {"held": "CASTING=50"})
    assert quality_reason(q.review.quality, "en", snapshot) == "stock it needs is on quality hold: CASTING 50"


def test_review_quality_is_a_problem_when_only_held_stock_meets_the_date() -> None:
    snapshot = castings().hold("CASTING", 50, release=day(15)).build()
    # 30 pumps due Friday (day 4): 10 castings today, 20 more only from the release (day 15) -> late;
    # with the 50 held castings released today, 300 minutes of assembly finish Monday
    q = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="PUMP", qty=30, due=day(4))
    assert q.promise_date == day(15)
    assert q.review.quality.status is CheckStatus.PROBLEM
    assert dict(q.review.quality.facts) == {"held": "CASTING=50", "promise": MONDAY.isoformat()}
    assert "only stock on quality hold (CASTING 50) would meet the date" in quality_reason(q.review.quality, "en")
    # due after the release: the hold release meets it, only a warning that the promise waits for held stock
    later = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="PUMP", qty=30, due=day(16))
    assert later.review.quality.status is CheckStatus.WARNING


# -- properties on random small plants with yields and held stock ------------------------------


@st.composite
def plants_with_quality(draw: st.DrawFn) -> PlantSnapshot:
    """The promise property tests' random plants, with step yields and held stock (some released on a day)."""
    snapshot = draw(plants())
    routings = tuple(replace(r, yield_pct=float(draw(st.sampled_from([100, 100, 95, 90, 75])))) for r in snapshot.routings)
    held: list[HeldStock] = []
    for item_id in ("RAW", "SUB", "TOP"):
        if item_id in snapshot.items and draw(st.booleans()):
            release = day(draw(st.integers(1, 20))) if draw(st.booleans()) else None
            status = StockStatus.HOLD if release or draw(st.booleans()) else StockStatus.QUARANTINE
            held.append(HeldStock(item_id, float(draw(st.integers(1, 40))), status, release))
    return replace(snapshot, routings=routings, held_stock=tuple(held))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(plants_with_quality(), st.integers(1, 60))
def test_both_answers_agree_on_yields_and_held_stock_and_the_checker_accepts_them(
        snapshot: PlantSnapshot, qty: int) -> None:
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    first = engine.quote(item_id="TOP", qty=qty, exact=False)
    exact = engine.quote(item_id="TOP", qty=qty)
    assert first.promise_date is not None and exact.promise_date is not None
    assert exact.promise_date <= first.promise_date  # the exact answer searches below the first one
    for answer in (first, exact):
        assert answer.plan is not None
        report = check_plan(answer.plan, snapshot)  # yields, and no held stock consumed before its release
        assert report.ok, str(report)
    # releasing every held lot today never makes the promise later
    freed = PromiseEngine(with_held_released(snapshot), as_of=MONDAY).quote(item_id="TOP", qty=qty)
    assert freed.promise_date is not None and freed.promise_date <= exact.promise_date


def test_yields_compound_through_the_bill_of_materials_in_every_engine() -> None:
    # 40 pumps at 80%: PUMP starts 50 and so needs 50 good casings; CASING at 90% starts 50 / 0.9 = 55.56
    builder = (one_shift_plant().make("CASING", ("M", 1.0)).step_yield("CASING", 10, 90)
               .make("PUMP", ("M", 1.0), components=(("CASING", 1),)).step_yield("PUMP", 10, 80))
    snapshot = builder.order("SO-1", "PUMP", 40, day(4)).build()
    assert snapshot.explode("PUMP", 40) == {"PUMP": 40, "CASING": pytest.approx(50)}
    schedule = schedule_plant(snapshot, MONDAY, time_limit=2.0, workers=1, seed=0)
    assert check_plan(schedule.plan, snapshot, precedence="strict").ok
    assert (started(schedule.plan, "PUMP", 10), started(schedule.plan, "CASING", 10)) == (50, pytest.approx(55.555556))
    # the quote's plan holds SO-1 as well: twice the starts
    quote = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id="PUMP", qty=40)
    assert (started(quote.plan, "PUMP", 10), started(quote.plan, "CASING", 10)) == (100, pytest.approx(111.111111))
    mrp = run_mrp(snapshot, MrpParams(as_of=MONDAY))
    assert sum(p.qty for p in mrp.planned_orders if p.item_id == "CASING") == pytest.approx(50)  # good casings
