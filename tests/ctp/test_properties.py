"""Properties of capable-to-promise on random small plants (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planning_core.checker import check_plan
from planning_core.ctp.promising import PromiseEngine
from planning_core.model import Calendar, PlantSnapshot, Weekday
from tests.plants import MONDAY, PlantBuilder, day, weekly

CALENDARS: dict[str, Calendar] = {
    "DAY": weekly("DAY", ("08:00", "16:00")),
    "LUNCH": weekly("LUNCH", ("08:00", "12:00"), ("13:00", "17:00"), closed=(day(2),)),
    "TWO": weekly("TWO", ("06:00", "14:00"), ("14:00", "22:00"), days=(*list(Weekday)[:6],)),
}


@st.composite
def plants(draw: st.DrawFn) -> PlantSnapshot:
    builder = PlantBuilder()
    for calendar in CALENDARS.values():
        builder.calendar(calendar)
    resources = [f"R{k}" for k in range(draw(st.integers(1, 3)))]
    for rid in resources:
        builder.resource(rid, draw(st.sampled_from(sorted(CALENDARS))), units=draw(st.integers(1, 2)))

    def steps() -> tuple[tuple[str, float, float], ...]:
        count = draw(st.integers(1, 2))
        result = []
        for _ in range(count):
            alternatives = draw(st.lists(st.sampled_from(resources), min_size=1, max_size=2, unique=True))
            result.append(("|".join(alternatives), float(draw(st.integers(5, 90))), float(draw(st.sampled_from([0, 0, 30])))))
        return tuple(result)

    builder.buy("RAW", lead_time_days=draw(st.integers(0, 12)), stock=float(draw(st.integers(0, 60))))
    if draw(st.booleans()):
        builder.po("PO-1", "RAW", float(draw(st.integers(1, 60))), day(draw(st.integers(1, 15))))
    top_components: tuple[tuple[str, float], ...] = (("RAW", float(draw(st.integers(1, 3)))),)
    if draw(st.booleans()):
        builder.make("SUB", *steps(), components=top_components, stock=float(draw(st.integers(0, 20))))
        top_components = (("SUB", float(draw(st.integers(1, 2)))),)
    builder.make("TOP", *steps(), components=top_components, stock=float(draw(st.integers(0, 20))))
    for k in range(draw(st.integers(0, 3))):
        builder.order(f"SO-{k}", "TOP", float(draw(st.integers(1, 25))), day(draw(st.integers(2, 25))))
    return builder.build()


def _promise(snapshot: PlantSnapshot, qty: float) -> tuple[int | None, bool]:
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    quote = engine.quote(item_id="TOP", qty=qty)
    assert quote.plan is not None
    report = check_plan(quote.plan, snapshot)
    assert report.ok, str(report)
    on_time = all(engine.projection.projected_day[o.order_id] == (o.due_date - MONDAY).days for o in snapshot.open_orders)
    return (None if quote.promise_date is None else (quote.promise_date - MONDAY).days), on_time


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@FAST
@given(plants(), st.integers(2, 60))
def test_one_unit_less_is_never_promised_later(snapshot: PlantSnapshot, qty: int) -> None:
    more, _ = _promise(snapshot, qty)
    less, _ = _promise(snapshot, qty - 1)
    assert more is not None and less is not None
    assert less <= more


@FAST
@given(plants(), st.integers(1, 60), st.data())
def test_more_capacity_is_never_promised_later(snapshot: PlantSnapshot, qty: int, data: st.DataObject) -> None:
    before, on_time = _promise(snapshot, qty)
    assume(on_time)  # with late orders, more capacity also tightens what they are held to
    rid = data.draw(st.sampled_from(sorted(snapshot.resources)))
    bigger = replace(snapshot, resources={**snapshot.resources, rid: replace(snapshot.resources[rid], units=snapshot.resources[rid].units + 1)})
    after, _ = _promise(bigger, qty)
    assert before is not None and after is not None
    assert after <= before


@FAST
@given(plants(), st.integers(1, 60))
def test_a_quote_never_makes_a_confirmed_order_late(snapshot: PlantSnapshot, qty: int) -> None:
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    quote = engine.quote(item_id="TOP", qty=qty)
    assert quote.plan is not None
    promised = {p.order_id: p.due for p in quote.plan.promises}
    for order in snapshot.open_orders:
        projected = engine.projection.projected_day[order.order_id]
        assert projected is not None
        # Held to its promise, or — if it was late before the quote — to where it already stood.
        assert promised[order.order_id] == max(order.due_date, day(projected))
    assert check_plan(quote.plan, snapshot).ok


@FAST
@given(plants(), st.booleans())
def test_where_confirmed_orders_are_held_is_a_plan_the_plant_can_keep(snapshot: PlantSnapshot, split: bool) -> None:
    """Orders are projected one at a time; together, at their projected days, they must fit
    (whole plant, or loaded order by order and cut per item for large plants)."""
    engine = PromiseEngine(snapshot, as_of=MONDAY, exact_limit=0 if split else 10**9)
    quote = engine.quote(item_id="TOP", qty=1)
    assert quote.plan is not None and quote.promise_date is not None
    kept = {p.order_id for p in quote.plan.promises}
    for order in snapshot.open_orders:
        if engine.projection.projected_day[order.order_id] is not None:
            assert order.order_id in kept
    assert check_plan(quote.plan, snapshot).ok


@FAST
@given(plants(), st.integers(1, 40))
def test_split_by_item_is_never_promised_earlier_than_the_whole_plant(snapshot: PlantSnapshot, qty: int) -> None:
    """Cutting a large plant per item may cost resequencing freedom, never physical truth.

    (Orders already late are held to where each method projects them, which may differ,
    so the comparison is made where every confirmed order is on time.)"""
    engine = PromiseEngine(snapshot, as_of=MONDAY)
    assume(all(engine.projection.projected_day[o.order_id] == (o.due_date - MONDAY).days for o in snapshot.open_orders))
    whole = engine.quote(item_id="TOP", qty=qty)
    split = PromiseEngine(snapshot, as_of=MONDAY, exact_limit=0).quote(item_id="TOP", qty=qty)
    assert whole.promise_date is not None and split.promise_date is not None
    assert split.promise_date >= whole.promise_date
