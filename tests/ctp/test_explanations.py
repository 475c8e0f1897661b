"""Explanations that are always true: every binding constraint comes from the plan behind the date.

Hand-computed cases for "closed" against "busy", material that does not hold the date back, and
whole pieces; a property over random two-product plants for the rest.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planbridge.presentation.quotes import constraint_detail, main_constraints, quote_explanation
from planning_core.checker import check_plan
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import BindingConstraint, CheckStatus, ConstraintKind, Quote
from planning_core.model import Calendar, ExceptionKind, PlantSnapshot
from tests.plants import MONDAY, PlantBuilder, day, moment, one_shift_plant, weekly


def quote(snapshot: PlantSnapshot, item: str, qty: float, *, exact: bool = True) -> Quote:
    result = PromiseEngine(snapshot, as_of=MONDAY).quote(item_id=item, qty=qty, exact=exact)
    assert result.plan is not None
    assert check_plan(result.plan, snapshot).ok
    return result


def of_kind(q: Quote, kind: ConstraintKind) -> list[BindingConstraint]:
    return [c for c in q.constraints if c.kind is kind]


# -- closed against busy ----------------------------------------------------------------------


def test_a_closed_day_is_a_calendar_constraint() -> None:
    # 8 gears a day (60 min each on an 8-hour day); Tuesday closed: 8 Mon, 8 Wed, 4 Thu.
    calendar = weekly("DAY", ("08:00", "16:00"), closed=(day(1),))
    plant = PlantBuilder().calendar(calendar).resource("M", "DAY").make("GEAR", ("M", 60)).build()
    q = quote(plant, "GEAR", 20)
    assert q.promise_date == day(3)
    [closed] = of_kind(q, ConstraintKind.CALENDAR)
    assert closed.resource_id == "M" and closed.fact("dates") == day(1).isoformat()
    [loaded] = of_kind(q, ConstraintKind.CAPACITY)
    assert loaded.fact("busy_with") is None


def test_a_day_a_work_order_takes_is_busy_not_closed() -> None:
    # The same 20 gears; on Tuesday WO-7 holds M all day: M is busy with it, not closed.
    plant = (one_shift_plant().make("GEAR", ("M", 60)).make("PIN", ("M", 10))
             .wo("WO-7", "PIN", 48, moment(1, 16), resource="M", start=moment(1, 8)).build())
    q = quote(plant, "GEAR", 20)
    assert q.promise_date == day(3)
    assert of_kind(q, ConstraintKind.CALENDAR) == []
    [loaded] = of_kind(q, ConstraintKind.CAPACITY)
    assert loaded.resource_id == "M"
    assert (loaded.fact("from"), loaded.fact("to")) == (day(0).isoformat(), day(2).isoformat())
    assert loaded.fact("busy_with") == "WO-7"
    detail = constraint_detail(loaded, plant, "en", today=MONDAY)
    assert detail == "M is fully loaded Jan 4–6 (busy with WO-7)"


def test_a_confirmed_order_on_the_resource_is_named_as_keeping_it_busy() -> None:
    # SO-1 needs M for all of Tuesday (8 bolts by Tuesday night); 16 gears then take Mon, Wed.
    plant = (one_shift_plant().make("GEAR", ("M", 60)).make("BOLT", ("M", 60))
             .order("SO-1", "BOLT", 8, day(1)).build())
    for exact in (False, True):
        q = quote(plant, "GEAR", 16, exact=exact)
        assert q.promise_date == day(2)
        [loaded] = of_kind(q, ConstraintKind.CAPACITY)
        assert loaded.fact("busy_with") == "SO-1"
        assert of_kind(q, ConstraintKind.CALENDAR) == []
    assert "busy with SO-1" in quote_explanation(q, plant, "en")
    assert "SO-1占用" in quote_explanation(q, plant, "zh")


# -- material --------------------------------------------------------------------------------


def _two_products() -> PlantBuilder:
    # TOP and OTHER are assembled on M (10 min each); TOP needs RAW, OTHER needs WHEEL.
    return (one_shift_plant()
            .buy("RAW", lead_time_days=20, stock=20).buy("WHEEL", lead_time_days=3)
            .make("TOP", ("M", 10), components=(("RAW", 1),))
            .make("OTHER", ("M", 10), components=(("WHEEL", 1),)))


def test_a_purchase_for_another_product_is_never_named() -> None:
    # OTHER's order needs 30 wheels bought (they arrive Thursday); the quote for TOP uses stock.
    plant = _two_products().order("SO-9", "OTHER", 30, day(5)).build()
    q = quote(plant, "TOP", 10)
    assert q.promise_date == MONDAY
    assert all(c.item_id in (None, "TOP", "RAW") for c in q.constraints)
    assert of_kind(q, ConstraintKind.PURCHASE_LEAD_TIME) == []


def test_a_purchase_arriving_after_the_promise_does_not_bind_it() -> None:
    # SO-1 (20 TOP by day 25) holds the 20 RAW on hand; a quote for 15 borrows them (SO-1 is
    # supplied again by a purchase arriving on day 20): promised Monday, not on day 20.
    plant = _two_products().order("SO-1", "TOP", 20, day(25)).build()
    q = quote(plant, "TOP", 15)
    assert q.promise_date == MONDAY
    assert of_kind(q, ConstraintKind.PURCHASE_LEAD_TIME) == []
    assert q.review.material.status is CheckStatus.OK


def test_material_binds_only_while_the_order_waits_for_it() -> None:
    # M makes 8 TOP a day (60 min each); RAW is bought in 3 days (Thursday 00:00).
    def plant(on_hand: float) -> PlantSnapshot:
        return (one_shift_plant().buy("RAW", lead_time_days=3, stock=on_hand)
                .make("TOP", ("M", 60), components=(("RAW", 1),)).build())

    # Nothing on hand: nothing starts before RAW comes; 8 Thursday, 8 Friday.
    q = quote(plant(0), "TOP", 16)
    assert q.promise_date == day(4)
    [bought] = of_kind(q, ConstraintKind.PURCHASE_LEAD_TIME)
    assert bought.fact("arrival") == day(3).isoformat() and bought.fact("qty") == "16"
    # 8 on hand are made on Monday, then M idles until RAW comes: the purchase still binds.
    assert of_kind(quote(plant(8), "TOP", 16), ConstraintKind.PURCHASE_LEAD_TIME) != []
    # 40 on hand keep M flat out from Monday until long after RAW comes: earlier material would
    # not make the order earlier, so only the capacity binds (the purchase is still needed).
    q = quote(plant(40), "TOP", 48)
    assert q.promise_date == day(7)  # 8 a day Monday to Friday, then Monday and Tuesday
    assert of_kind(q, ConstraintKind.PURCHASE_LEAD_TIME) == []
    assert [c.resource_id for c in of_kind(q, ConstraintKind.CAPACITY)] == ["M"]
    assert q.review.material.status is CheckStatus.WARNING


def test_pieces_bought_are_whole_and_carry_their_unit() -> None:
    # Half a casting per valve: 15 valves need 7.5, so 8 castings are bought.
    plant = (PlantBuilder().buy("CAST", lead_time_days=5)
             .calendar(weekly("DAY", ("08:00", "16:00"))).resource("M", "DAY")
             .make("VALVE", ("M", 1), components=(("CAST", 0.5),)).build())
    q = quote(plant, "VALVE", 15)
    [bought] = of_kind(q, ConstraintKind.PURCHASE_LEAD_TIME)
    assert constraint_detail(bought, plant, "en", today=MONDAY).startswith("CAST: 8 pcs must be bought")
    assert "需新采购8个" in constraint_detail(bought, plant, "zh", today=MONDAY)


# -- the property ---------------------------------------------------------------------------

CALENDARS: dict[str, Calendar] = {
    "DAY": weekly("DAY", ("08:00", "16:00")),
    "SHUT": weekly("SHUT", ("08:00", "12:00"), ("13:00", "17:00"), closed=(day(2), day(8))),
}


@st.composite
def plants(draw: st.DrawFn) -> PlantSnapshot:
    """Two products on shared resources, each with its own bought part, open orders, receipts and
    work orders; the quoted item is TOP."""
    builder = PlantBuilder()
    for calendar in CALENDARS.values():
        builder.calendar(calendar)
    resources = [f"R{k}" for k in range(draw(st.integers(2, 3)))]
    for rid in resources:
        builder.resource(rid, draw(st.sampled_from(sorted(CALENDARS))), units=draw(st.integers(1, 2)))

    def steps() -> tuple[tuple[str, float, float], ...]:
        return tuple(
            (draw(st.sampled_from(resources)), float(draw(st.integers(5, 60))), float(draw(st.sampled_from([0, 20]))))
            for _ in range(draw(st.integers(1, 2)))
        )

    for raw in ("RAW", "WHEEL"):
        builder.buy(raw, lead_time_days=draw(st.integers(0, 15)), stock=float(draw(st.integers(0, 40))))
        if draw(st.booleans()):
            builder.po(f"PO-{raw}", raw, float(draw(st.integers(1, 60))), day(draw(st.integers(1, 15))))
    builder.make("SUB", *steps(), components=(("RAW", float(draw(st.integers(1, 2)))),),
                 stock=float(draw(st.integers(0, 10))))
    builder.make("TOP", *steps(), components=(("SUB", 1.0),), stock=float(draw(st.integers(0, 10))))
    builder.make("OTHER", *steps(), components=(("WHEEL", 1.0),))
    for k in range(draw(st.integers(0, 4))):
        builder.order(f"SO-{k}", draw(st.sampled_from(["TOP", "OTHER"])), float(draw(st.integers(1, 25))),
                      day(draw(st.integers(1, 20))))
    if draw(st.booleans()):
        start = draw(st.integers(0, 4))
        builder.wo("WO-1", "OTHER", 5, moment(start + 1, 12), resource=draw(st.sampled_from(resources)),
                   start=moment(start, 8))
    return builder.build()


def _closed(snapshot: PlantSnapshot, resource_id: str, when: date) -> bool:
    """The resource's calendar works on that weekday but is closed all that day (these plants
    have no public holidays: a closure is a calendar exception)."""
    calendar = snapshot.calendars[snapshot.resources[resource_id].calendar_id]
    works_that_weekday = any(s.weekday.number == when.weekday() for s in calendar.shifts)
    return works_that_weekday and any(
        e.date == when and e.kind is ExceptionKind.CLOSED and e.start is None for e in calendar.exceptions
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(plants(), st.integers(1, 50), st.booleans())
def test_every_binding_constraint_belongs_to_the_item_and_fits_its_promise(
    snapshot: PlantSnapshot, qty: int, exact: bool,
) -> None:
    q = quote(snapshot, "TOP", qty, exact=exact)
    assert q.promise_date is not None
    closure = set(snapshot.explode("TOP", 1.0))
    routed = {r for step in snapshot.routings if step.item_id in closure for r in step.resource_ids}
    orders = {o.order_id for o in snapshot.open_orders} | {w.wo_id for w in snapshot.work_orders}
    for c in q.constraints:
        assert c.item_id is None or c.item_id in closure, c
        assert c.resource_id is None or c.resource_id in routed, c
        if c.kind is ConstraintKind.PURCHASE_LEAD_TIME:
            assert MONDAY < date.fromisoformat(c.fact("arrival") or "") <= q.promise_date, c
            assert float(c.fact("qty") or 0) >= 1
        if c.kind is ConstraintKind.RECEIPT:
            assert MONDAY < date.fromisoformat(c.fact("date") or "") <= q.promise_date, c
        if c.kind is ConstraintKind.CAPACITY and c.resource_id:
            first, last = date.fromisoformat(c.fact("from") or ""), date.fromisoformat(c.fact("to") or "")
            assert MONDAY <= first <= last <= q.promise_date, c
            assert set((c.fact("busy_with") or "").split(",")) - {""} <= orders, c
        if c.kind is ConstraintKind.CALENDAR:
            for when in (date.fromisoformat(d) for d in (c.fact("dates") or "").split(",")):
                assert when <= q.promise_date, c
                assert _closed(snapshot, c.resource_id or "", when), c
    assert q.promise_date - MONDAY <= timedelta(days=400)


def test_what_holds_the_promise_latest_is_named_first() -> None:
    # RAW arrives Thursday (3-day lead time); from then WO-7 holds M until Wednesday next week, so
    # the 16 gears are made on the next two days: the loaded line binds more than the purchase.
    plant = (one_shift_plant().buy("RAW", lead_time_days=3).make("GEAR", ("M", 60), components=(("RAW", 1),))
             .make("PIN", ("M", 10)).wo("WO-7", "PIN", 288, moment(9, 16), resource="M", start=moment(3, 8)).build())
    q = quote(plant, "GEAR", 16)
    assert q.promise_date == day(11)
    text = quote_explanation(q, plant, "en")
    assert text.index("M is fully loaded Jan 7–15 (busy with WO-7)") < text.index("RAW: 16 pcs must be bought")


def test_a_purchase_weeks_before_the_promise_gives_way_to_the_closures_and_load_that_hold_it() -> None:
    bought = BindingConstraint(ConstraintKind.PURCHASE_LEAD_TIME, "RAW", None, (("arrival", day(5).isoformat()),))
    loaded = BindingConstraint(ConstraintKind.CAPACITY, None, "M", (("from", day(3).isoformat()),
                                                                     ("to", day(30).isoformat())))
    closed = BindingConstraint(ConstraintKind.CALENDAR, None, "M", (("dates", f"{day(1)},{day(33)}"),))
    assert main_constraints((bought, loaded, closed)) == [closed, loaded]
    assert main_constraints((bought, loaded), limit=1) == [loaded]
