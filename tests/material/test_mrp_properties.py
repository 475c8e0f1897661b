"""Properties of any MRP plan, on random small plants (hypothesis)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.model import ItemType, PlantSnapshot
from planning_core.mrp import BucketSize, MrpParams, MrpResult, lot_size, run_mrp
from tests.plants import MONDAY, bench_plant

EPS = 1e-6
MINUTES_A_DAY = 480  # the builder's calendar: Mon–Fri 08:00–16:00


@st.composite
def plants(draw: st.DrawFn) -> PlantSnapshot:
    b = bench_plant()
    lots: st.SearchStrategy[dict[str, float]] = st.fixed_dictionaries({
        "safety_stock": st.sampled_from([0.0, 0.0, 5.0, 20.0]),
        "min_lot": st.sampled_from([0.0, 0.0, 25.0, 60.0]),
        "lot_multiple": st.sampled_from([1.0, 1.0, 5.0, 12.0, 0.5]),
    })
    buys = [f"B{k}" for k in range(draw(st.integers(1, 4)))]
    for item_id in buys:
        lot = draw(lots)
        b.buy(item_id, lead_time_days=draw(st.integers(0, 12)), stock=draw(st.integers(0, 60)),
              safety_stock=lot["safety_stock"], min_lot=lot["min_lot"], lot_multiple=lot["lot_multiple"])
    subs = [f"S{k}" for k in range(draw(st.integers(0, 2)))]
    tops = [f"T{k}" for k in range(draw(st.integers(1, 3)))]
    for item_id in subs + tops:
        lot = draw(lots)
        b.make(item_id, ("BENCH", draw(st.sampled_from([0, 6, 30, 96])), draw(st.sampled_from([0, 60, 500]))),
               stock=draw(st.integers(0, 30)),
               safety_stock=lot["safety_stock"], min_lot=lot["min_lot"], lot_multiple=lot["lot_multiple"])
    for parent in tops + subs:
        below = buys + (subs if parent in tops else [])
        for component in draw(st.lists(st.sampled_from(below), min_size=1, max_size=3, unique=True)):
            b.uses(parent, component, draw(st.sampled_from([1.0, 2.0, 0.5])), draw(st.sampled_from([0.0, 10.0])))
    for k in range(draw(st.integers(0, 8))):
        due = MONDAY + timedelta(days=draw(st.integers(-5, 50)))
        b.order(f"SO-{k}", draw(st.sampled_from(tops + buys)), draw(st.integers(1, 80)), due)
    for k in range(draw(st.integers(0, 3))):
        due = MONDAY + timedelta(days=draw(st.integers(-3, 40)))
        b.po(f"PO-{k}", draw(st.sampled_from(buys)), draw(st.integers(1, 80)), due)
    return b.build()


def earliest_day(snapshot: PlantSnapshot, item_id: str, qty: float) -> int:
    """Days from today until `qty` can be usable, counted independently of the engine."""
    item = snapshot.items[item_id]
    if item.type is ItemType.BUY:
        return item.lead_time_days
    minutes = sum(s.minutes_for(qty) for s in snapshot.routing_of[item_id])
    needed = math.ceil(minutes / MINUTES_A_DAY - 1e-9)
    day = worked = 0
    while worked < needed:
        worked += (MONDAY + timedelta(days=day)).weekday() < 5
        day += 1
    return day


def replay_lots(result: MrpResult, snapshot: PlantSnapshot) -> None:
    m = result.matrices
    for k, item_id in enumerate(result.item_ids):
        item = snapshot.items[item_id]
        available = snapshot.inventory.get(item_id, 0.0)
        for t in range(result.grid.buckets):
            before = available + m.scheduled[k, t] - m.gross[k, t]
            if m.planned_receipts[k, t] > 0:
                net = item.safety_stock - before
                assert net > EPS, (item_id, t)
                expected = lot_size(np.array([net]), min_lot=np.array([item.min_lot]), multiple=np.array([item.lot_multiple]))
                assert np.isclose(m.planned_receipts[k, t], expected[0]), (item_id, t, net)
            available = before + m.planned_receipts[k, t]
            assert np.isclose(m.available[k, t], available)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshot=plants(), bucket=st.sampled_from([BucketSize.DAY, BucketSize.WEEK]))
def test_plan_keeps_safety_stock_after_the_earliest_receipt_and_sizes_lots_by_the_rules(
    snapshot: PlantSnapshot, bucket: BucketSize
) -> None:
    result = run_mrp(snapshot, MrpParams(as_of=MONDAY, horizon_days=56, bucket=bucket))
    m = result.matrices
    grid = result.grid
    replay_lots(result, snapshot)

    short_buckets: set[tuple[str, int]] = set()
    for s in result.shortages:
        stop = grid.buckets if s.until is None else (s.until - MONDAY).days // grid.bucket_days
        short_buckets |= {(s.item_id, t) for t in range((s.date - MONDAY).days // grid.bucket_days, stop)}

    for k, item_id in enumerate(result.item_ids):
        item = snapshot.items[item_id]
        biggest_lot = lot_size(
            np.array([m.gross[k].sum() + item.safety_stock]),
            min_lot=np.array([item.min_lot]), multiple=np.array([item.lot_multiple]),
        )[0]
        first_safe = earliest_day(snapshot, item_id, biggest_lot) // grid.bucket_days
        for t in range(grid.buckets):
            if t >= first_safe:
                assert m.available[k, t] >= item.safety_stock - EPS, (item_id, t)
            if m.available[k, t] < -EPS:
                assert (item_id, t) in short_buckets, (item_id, t)
        # what was planned covers the net requirement, and only by lot rounding more
        net_total = m.gross[k].sum() + item.safety_stock - snapshot.inventory.get(item_id, 0.0) - m.scheduled[k].sum()
        assert m.planned_receipts[k].sum() >= net_total - EPS or first_safe >= grid.buckets
        lot_for_lot = item.min_lot == 0 and item.lot_multiple == 1
        whole = np.allclose(m.gross[k], np.round(m.gross[k]))
        if lot_for_lot and whole and not m.scheduled[k].any() and first_safe < grid.buckets:
            assert np.isclose(m.planned_receipts[k].sum(), max(0.0, net_total))


@settings(max_examples=40, deadline=None)
@given(snapshot=plants())
def test_dependent_demand_is_the_parents_releases_times_quantity_per_with_scrap(snapshot: PlantSnapshot) -> None:
    result = run_mrp(snapshot, MrpParams(as_of=MONDAY, horizon_days=56))
    m = result.matrices
    index = {item_id: k for k, item_id in enumerate(result.item_ids)}
    independent = np.zeros_like(m.gross)
    for o in snapshot.open_orders:
        made = snapshot.items[o.item_id].type is ItemType.MAKE
        day = max((o.due_date - MONDAY).days + made, 0)
        if day < result.grid.days:
            independent[index[o.item_id], day] += o.qty
    dependent = np.zeros_like(m.gross)
    for line in snapshot.bom:
        dependent[index[line.component_id]] += line.gross_qty_per * m.planned_releases[index[line.parent_id]]
    assert np.allclose(m.gross, independent + dependent)
    for p in result.planned_orders:
        assert p.release_date >= MONDAY
        if p.type is ItemType.BUY and not p.past_due:
            assert p.release_date == p.due_date - timedelta(days=snapshot.items[p.item_id].lead_time_days)
        assert p.due_date < MONDAY + timedelta(days=result.grid.days)
    assert isinstance(MONDAY, date)
