"""Hand-computed MRP cases. The calendar is Mon–Fri, 480 working minutes a day; day 0 is
Monday 2027-01-04. A made item's order due on D needs the goods by the end of D; a
bought item must have arrived by 00:00 of the day it is needed."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from planning_core.model import ItemType, OrderStatus
from planning_core.mrp import BucketSize, MessageKind, MrpParams, MrpResult, lot_size, run_mrp
from tests.plants import MONDAY, PlantBuilder, bench_plant


def mrp(builder: PlantBuilder, **params: object) -> MrpResult:
    return run_mrp(builder.build(), MrpParams(as_of=MONDAY, **params))  # type: ignore[arg-type]


def planned(result: MrpResult, item_id: str) -> list[tuple[float, str, str, str]]:
    return [
        (p.qty, p.type.value, p.release_date.isoformat(), p.due_date.isoformat())
        for p in result.planned_orders if p.item_id == item_id
    ]


def kinds(result: MrpResult) -> list[tuple[str, str, str | None]]:
    return [(m.kind.value, m.item_id, m.ref) for m in result.messages]


def table_plant(*, top_lead_time: int) -> PlantBuilder:
    # TABLE: 48 min a unit → 20 units take 960 min = 2 working days.
    # LEG: 4 per table plus 5 % scrap, 20 on hand, bought in 5 days. TOP: 1 per table.
    return (
        bench_plant()
        .make("TABLE", ("BENCH", 48))
        .buy("LEG", lead_time_days=5, stock=20)
        .buy("TOP", lead_time_days=top_lead_time)
        .uses("TABLE", "LEG", 4, scrap_pct=5)
        .uses("TABLE", "TOP", 1)
        .order("SO-1", "TABLE", 20, date(2027, 1, 15))
    )


def test_two_level_explosion_offsets_each_level_by_its_lead_time() -> None:
    result = mrp(table_plant(top_lead_time=10))

    # 20 tables due Fri Jan 15: 2 working days → start Thu Jan 14, done Fri Jan 15
    assert planned(result, "TABLE") == [(20, "make", "2027-01-14", "2027-01-15")]
    # legs needed Thu Jan 14: 20 × 4 × 1.05 = 84, less 20 on hand = 64, ordered 5 days earlier
    assert planned(result, "LEG") == [(64, "buy", "2027-01-09", "2027-01-14")]
    # tops: 10 days lead time → order today
    assert planned(result, "TOP") == [(20, "buy", "2027-01-04", "2027-01-14")]
    assert result.shortages == ()
    assert kinds(result) == [("release_now", "TOP", None)]


def test_component_that_cannot_arrive_in_time_is_a_shortage_pegged_to_the_order() -> None:
    result = mrp(table_plant(top_lead_time=12))

    # tops needed Jan 14 but 12 days from today is Jan 16: order now, two days late
    assert planned(result, "TOP") == [(20, "buy", "2027-01-04", "2027-01-16")]
    (top_order,) = [p for p in result.planned_orders if p.item_id == "TOP"]
    assert top_order.past_due and top_order.need_date == date(2027, 1, 14)
    (shortage,) = result.shortages
    assert (shortage.item_id, shortage.date, shortage.qty, shortage.until) == ("TOP", date(2027, 1, 14), 20, date(2027, 1, 16))
    assert shortage.orders == ("SO-1",)
    assert ("past_due", "TOP", None) in kinds(result)


@pytest.mark.parametrize(
    ("min_lot", "multiple", "expected"),
    [
        (0, 1, [(30, "2027-01-05"), (5, "2027-01-06"), (45, "2027-01-07")]),  # lot for lot
        (50, 1, [(50, "2027-01-05"), (50, "2027-01-07")]),  # 20 left after day 1 covers day 2's 5
        (0, 20, [(40, "2027-01-05"), (40, "2027-01-07")]),  # 30→40, 10-5=5 left, 45-5=40
        (50, 20, [(60, "2027-01-05"), (60, "2027-01-07")]),  # max(30, 50)=50→60; 25-45=-20→50→60
    ],
)
def test_lot_sizing_rules(min_lot: float, multiple: float, expected: list[tuple[float, str]]) -> None:
    plant = (
        bench_plant()
        .buy("BOLT", min_lot=min_lot, lot_multiple=multiple)
        .order("SO-1", "BOLT", 30, date(2027, 1, 5))
        .order("SO-2", "BOLT", 5, date(2027, 1, 6))
        .order("SO-3", "BOLT", 45, date(2027, 1, 7))
    )
    result = mrp(plant)
    assert [(p.qty, p.due_date.isoformat()) for p in result.planned_orders] == expected


def test_lot_size_function() -> None:
    net = np.array([0.5, 30.0, 480.0000001, 61.0])
    assert lot_size(net, min_lot=np.zeros(4), multiple=np.ones(4)).tolist() == [1, 30, 480, 61]
    assert lot_size(net, min_lot=np.full(4, 50.0), multiple=np.full(4, 25.0)).tolist() == [50, 50, 500, 75]
    assert lot_size(np.array([0.3]), min_lot=np.zeros(1), multiple=np.array([0.25])).tolist() == [0.5]


def test_safety_stock_is_kept_once_a_receipt_can_arrive() -> None:
    plant = (
        bench_plant()
        .buy("PAINT", lead_time_days=2, stock=25, safety_stock=10)
        .order("SO-1", "PAINT", 30, date(2027, 1, 9))
    )
    result = mrp(plant)
    # Jan 9: 25 - 30 = -5; back to safety stock 10 takes 15, ordered 2 days before
    assert planned(result, "PAINT") == [(15, "buy", "2027-01-07", "2027-01-09")]
    record = result.record_frame()
    assert record[record["bucket_start"] == "2027-01-09"]["projected_available"].tolist() == [10]


def test_stock_under_safety_stock_today_is_replenished_at_the_earliest_arrival() -> None:
    result = mrp(bench_plant().buy("PAINT", lead_time_days=2, stock=4, safety_stock=10))
    assert planned(result, "PAINT") == [(6, "buy", "2027-01-04", "2027-01-06")]
    assert result.shortages == ()  # under safety stock is not a stock-out
    assert [(m.kind.value, m.date) for m in result.messages] == [
        ("past_due", date(2027, 1, 4)),
        ("below_safety_stock", date(2027, 1, 4)),
    ]


def test_open_purchase_orders_are_expedited_pushed_out_or_cancelled() -> None:
    plant = (
        bench_plant()
        .buy("STEEL", lead_time_days=10)
        .buy("WIRE", lead_time_days=1)
        .order("SO-1", "STEEL", 100, date(2027, 1, 8))
        .order("SO-2", "WIRE", 40, date(2027, 1, 19))
        .po("PO-A", "STEEL", 100, date(2027, 1, 12))  # needed Jan 8
        .po("PO-B", "STEEL", 50, date(2027, 1, 20))  # not needed at all
        .po("PO-C", "WIRE", 40, date(2027, 1, 6))  # not needed before Jan 19
    )
    result = mrp(plant, horizon_days=30)
    assert [(m.kind.value, m.ref, m.date) for m in result.messages] == [
        ("expedite", "PO-A", date(2027, 1, 8)),
        ("cancel", "PO-B", None),
        ("push_out", "PO-C", date(2027, 1, 19)),
    ]
    # PO-A arrives before a new purchase could (10 days), so no planned order: a shortage until it comes
    assert result.planned_orders == ()
    (shortage,) = result.shortages
    assert (shortage.item_id, shortage.date, shortage.qty, shortage.until, shortage.orders) == (
        "STEEL", date(2027, 1, 8), 100, date(2027, 1, 12), ("SO-1",)
    )


def test_overdue_purchase_order_counts_as_arriving_today() -> None:
    plant = bench_plant().buy("STEEL", lead_time_days=10).po("PO-OLD", "STEEL", 30, date(2026, 12, 28))
    plant.order("SO-1", "STEEL", 30, date(2027, 1, 5))
    result = mrp(plant)
    assert result.planned_orders == () and result.shortages == ()
    assert [(m.kind.value, m.ref) for m in result.messages] == [("overdue_receipt", "PO-OLD")]


def test_orders_consume_the_forecast_of_their_period() -> None:
    plant = (
        bench_plant()
        .buy("VALVE")
        .forecast_qty("VALVE", date(2026, 12, 28), 500)  # period over: ignored
        .forecast_qty("VALVE", date(2027, 1, 4), 100)
        .forecast_qty("VALVE", date(2027, 1, 11), 100)
        .order("SO-0", "VALVE", 10, date(2027, 1, 5), status=OrderStatus.SHIPPED, shipped=date(2027, 1, 4))
        .order("SO-1", "VALVE", 60, date(2027, 1, 6))
        .order("SO-2", "VALVE", 130, date(2027, 1, 12))
    )
    result = mrp(plant, horizon_days=14)
    gross = result.matrices.gross[result.item_ids.index("VALVE")]
    # week 1: 100 - 10 shipped - 60 open = 30 left, needed now; week 2: 130 > 100, nothing left
    assert gross[0] == 30 and gross[2] == 60 and gross[8] == 130
    assert gross.sum() == 220
    assert mrp(plant, horizon_days=14, use_forecast=False).matrices.gross.sum() == 190


def test_shared_component_is_netted_once_at_its_lowest_level() -> None:
    # A = B + 2 C, B = 3 C: C sits at level 1 under A and level 2 under B
    plant = (
        bench_plant()
        .make("A", ("BENCH", 48))  # 10 units: 1 working day
        .make("B", ("BENCH", 16))  # 10 units: 160 min → 1 working day
        .buy("C", stock=20)
        .uses("A", "B", 1)
        .uses("A", "C", 2)
        .uses("B", "C", 3)
        .order("SO-1", "A", 10, date(2027, 1, 8))
    )
    snapshot = plant.build()
    assert snapshot.low_level_codes == {"A": 0, "B": 1, "C": 2}
    result = run_mrp(snapshot, MrpParams(as_of=MONDAY))
    assert planned(result, "A") == [(10, "make", "2027-01-08", "2027-01-08")]
    assert planned(result, "B") == [(10, "make", "2027-01-07", "2027-01-07")]
    # C: 30 for B on Thu (first, so the 20 on hand go there), 20 for A on Fri
    assert planned(result, "C") == [(10, "buy", "2027-01-07", "2027-01-07"), (20, "buy", "2027-01-08", "2027-01-08")]


def test_released_work_order_is_a_receipt_at_its_end() -> None:
    plant = (
        bench_plant()
        .make("GEAR", ("BENCH", 48))
        .wo("WO-1", "GEAR", 8, datetime(2027, 1, 5, 12, 0))
        .order("SO-1", "GEAR", 10, date(2027, 1, 6))
    )
    result = mrp(plant)
    record = result.record_frame()
    gear = record[record["item_id"] == "GEAR"].set_index("bucket_start")
    assert gear.loc["2027-01-06", "scheduled_receipts"] == 8  # finished during Jan 5: usable Jan 6
    assert planned(result, "GEAR") == [(2, "make", "2027-01-06", "2027-01-06")]


def test_weekly_buckets_sum_the_week() -> None:
    plant = (
        bench_plant()
        .buy("BOLT", lead_time_days=3)
        .order("SO-1", "BOLT", 30, date(2027, 1, 12))
        .order("SO-2", "BOLT", 5, date(2027, 1, 14))
        .order("SO-3", "BOLT", 45, date(2027, 1, 20))
    )
    result = mrp(plant, bucket=BucketSize.WEEK, horizon_days=28)
    assert result.grid.buckets == 4
    assert result.matrices.gross[0].tolist() == [0, 35, 45, 0]
    # each week's lot is due on its first requirement
    assert planned(result, "BOLT") == [(35, "buy", "2027-01-09", "2027-01-12"), (45, "buy", "2027-01-17", "2027-01-20")]


def test_made_item_without_routing_is_flagged() -> None:
    plant = bench_plant().make("KIT").order("SO-1", "KIT", 3, date(2027, 1, 6))
    result = mrp(plant)
    assert planned(result, "KIT") == [(3, "make", "2027-01-07", "2027-01-07")]
    assert ("no_routing", "KIT", None) in kinds(result)


def test_pumps_plan(pumps: object) -> None:
    from planning_core.model import PlantSnapshot

    assert isinstance(pumps, PlantSnapshot)
    result = run_mrp(pumps, MrpParams(as_of=date(2027, 1, 4)))
    # 15 due Jan 5, 5 pumps on hand → 10 (240 assembly minutes: 1 day); A-2: 20 due Jan 8 (480 min)
    assert planned(result, "PUMP-A") == [(10, "make", "2027-01-05", "2027-01-05"), (20, "make", "2027-01-08", "2027-01-08")]
    # motors: 25 on hand cover the 10, P-100 (50) arrives Jan 8 in time for the 20
    assert result.shortages == ()
    assert [p.item_id for p in result.planned_orders] == ["PUMP-A", "PUMP-A"]
    assert result.planned_orders[0].type is ItemType.MAKE
    assert MessageKind.EXPEDITE not in {m.kind for m in result.messages}
