"""KPIs on hand-made order histories; as of Monday 2027-01-04, so the 30-day window is Dec 6 – Jan 4."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from planning_core.kpi import (
    delivery_window,
    forecast_accuracy,
    kpi_report,
    rough_cut_utilization,
    saved_utilization,
    weekly_trend,
)
from planning_core.model import OrderStatus, PlantSnapshot, Resource, RoutingStep, WorkOrderStatus
from planning_core.mrp import MrpParams, run_mrp
from tests.plants import MONDAY, PlantBuilder, bench_plant

SHIPPED = OrderStatus.SHIPPED


def history() -> PlantBuilder:
    b = bench_plant().buy("X")
    b.order("SO-1", "X", 10, date(2026, 12, 20), status=SHIPPED, shipped=date(2026, 12, 20))  # on time, in full
    b.order("SO-2", "X", 10, date(2026, 12, 18), status=SHIPPED, shipped=date(2026, 12, 22))  # 4 days late
    b.order("SO-3", "X", 10, date(2026, 12, 30), status=SHIPPED, shipped=date(2026, 12, 28), shipped_qty=8)  # short
    b.order("SO-4", "X", 10, date(2026, 11, 20), status=SHIPPED, shipped=date(2026, 11, 20))  # before the window
    b.order("SO-5", "X", 10, date(2027, 1, 5), status=SHIPPED, shipped=date(2027, 1, 4))  # today: inside
    b.order("SO-6", "X", 10, date(2026, 12, 1), status=SHIPPED, shipped=date(2026, 12, 6))  # first day, late
    b.order("SO-7", "X", 10, date(2026, 12, 5), status=SHIPPED, shipped=date(2026, 12, 5))  # a day too early
    b.order("SO-8", "X", 5, date(2026, 12, 30))  # open, 5 days late
    b.order("SO-9", "X", 5, date(2027, 1, 10))  # open, not late
    b.order("SO-10", "X", 5, date(2027, 1, 10), status=OrderStatus.QUOTED)
    b.order("SO-11", "X", 5, date(2026, 12, 10), status=OrderStatus.CANCELLED)
    return b


def test_otd_and_otif_count_orders_shipped_in_the_window() -> None:
    window = delivery_window(history().build(), last=MONDAY, days=30)
    assert [s.order_id for s in window.shipped] == ["SO-6", "SO-1", "SO-2", "SO-3", "SO-5"]
    # on time: SO-1, SO-3, SO-5 → 3 of 5; in full as well: SO-1, SO-5 → 2 of 5
    assert (window.otd, window.otif) == (0.6, 0.4)
    late = {s.order_id: s.days_late for s in window.shipped if not s.on_time}
    assert late == {"SO-6": 5, "SO-2": 4}


def test_nothing_shipped_gives_null() -> None:
    report = kpi_report(
        bench_plant().buy("X").order("SO-1", "X", 5, date(2027, 1, 10)).build(),
        as_of=MONDAY, shortages=(), utilization=saved_utilization({}, bench_plant().build()),
    )
    document = report.to_json()
    assert document["otd_last_30_days"] is None and document["otif_last_30_days"] is None
    assert document["backlog_orders"] == 1 and document["late_open_orders"] == 0


def test_report_counts_backlog_late_orders_and_shorter_period() -> None:
    snapshot = history().build()
    report = kpi_report(snapshot, as_of=MONDAY, period_days=7, shortages=(),
                        utilization=saved_utilization({}, snapshot)).to_json()
    assert report["otd_last_30_days"] == 0.6
    assert report["otif_last_30_days"] == 0.4
    assert report["backlog_orders"] == 2  # quoted and cancelled orders are not backlog
    assert report["late_open_orders"] == 1
    assert [o["order_id"] for o in report["details"]["late_open"]] == ["SO-8"]
    assert report["details"]["late_open"][0]["days_late"] == 5
    assert [s["order_id"] for s in report["details"]["late_shipments_last_30_days"]] == ["SO-6", "SO-2"]
    # the last 7 days (Dec 29 – Jan 4): only SO-5, on time
    assert (report["period"]["shipped"], report["period"]["otd"]) == (1, 1.0)


def test_weekly_trend_covers_eight_weeks_ending_today() -> None:
    trend = weekly_trend(history().build(), as_of=MONDAY)
    assert len(trend) == 8
    assert (trend[-1].first, trend[-1].last) == (date(2026, 12, 29), date(2027, 1, 4))
    # Dec 1–7: SO-7, SO-6 | Dec 8–14: none | Dec 15–21: SO-1 | Dec 22–28: SO-2, SO-3 | Dec 29–Jan 4: SO-5
    assert [len(w.shipped) for w in trend[-5:]] == [2, 0, 1, 2, 1]
    assert (trend[-2].otd, trend[-2].otif) == (0.5, 0.0)  # SO-2 late, SO-3 on time but short
    assert trend[0].otd is None  # nothing shipped that week


def test_forecast_accuracy_over_completed_periods() -> None:
    b = bench_plant().buy("X")
    for start, qty in [(date(2026, 12, 14), 10), (date(2026, 12, 21), 10), (date(2026, 12, 28), 10), (MONDAY, 10)]:
        b.forecast_qty("X", start, qty)
    b.order("S1", "X", 12, date(2026, 12, 15), status=SHIPPED, shipped=date(2026, 12, 15))
    b.order("S2", "X", 4, date(2026, 12, 23), status=SHIPPED, shipped=date(2026, 12, 23))
    b.order("S3", "X", 6, date(2026, 12, 29), status=SHIPPED, shipped=date(2026, 12, 29), shipped_qty=5)
    accuracy = forecast_accuracy(b.build(), as_of=MONDAY)
    assert accuracy is not None
    # three finished weeks (the one starting today is not): forecast 10/10/10, actual 12/4/5
    assert [(line.period_start, line.forecast, line.actual) for line in accuracy.lines] == [
        (date(2026, 12, 14), 10, 12), (date(2026, 12, 21), 10, 4), (date(2026, 12, 28), 10, 5),
    ]
    assert accuracy.wape == round((2 + 6 + 5) / 21, 4)
    assert accuracy.bias == round((30 - 21) / 21, 4)
    assert forecast_accuracy(bench_plant().buy("X").build(), as_of=MONDAY) is None


def test_orders_pegged_to_shortages_are_at_risk() -> None:
    plant = (
        bench_plant()
        .make("PUMP", ("BENCH", 24))
        .buy("MOTOR", lead_time_days=14)
        .uses("PUMP", "MOTOR", 1)
        .order("SO-1", "PUMP", 10, date(2027, 1, 8))
        .order("SO-2", "PUMP", 10, date(2027, 3, 30))
    )
    snapshot = plant.build()
    plan = run_mrp(snapshot, MrpParams(as_of=MONDAY))
    report = kpi_report(snapshot, as_of=MONDAY, shortages=plan.shortages,
                        utilization=saved_utilization({}, snapshot)).to_json()
    assert report["shortages"] == 1
    assert report["at_risk_orders"] == 1
    assert report["details"]["at_risk"][0]["order_id"] == "SO-1"
    assert report["details"]["at_risk"][0]["short_items"] == ["MOTOR"]


def utilization_plant() -> PlantSnapshot:
    b = (
        bench_plant()
        .make("GEAR", ("BENCH", 48))  # 10 gears = 480 minutes
        .make("SHAFT", ("BENCH", 10))
        .order("SO-1", "GEAR", 10, date(2027, 1, 7))
        .wo("WO-1", "SHAFT", 5, datetime(2027, 1, 5, 16, 0), status=WorkOrderStatus.RUNNING)
    )
    b.work_orders[0] = b.work_orders[0].__class__(
        "WO-1", "SHAFT", 5, "BENCH", datetime(2027, 1, 4, 8, 0), datetime(2027, 1, 5, 16, 0), WorkOrderStatus.RUNNING
    )
    return b.build()


def test_rough_cut_utilization_counts_planned_orders_and_running_work_orders() -> None:
    snapshot = utilization_plant()
    plan = run_mrp(snapshot, MrpParams(as_of=MONDAY))
    (bench,) = rough_cut_utilization(snapshot, as_of=MONDAY, planned=plan.planned_orders).resources
    # 10 weekdays × 480 min available; 480 for the gears + two full days (960) for the running order
    assert bench.available_minutes == 4800
    assert bench.load_minutes == pytest.approx(1440)
    assert bench.utilization == 0.3


def test_rough_cut_splits_alternatives_and_reports_overload_honestly() -> None:
    # 5 gears × 600 min = 3000 min (7 working days), due Thu Jan 14
    b = bench_plant().make("GEAR", ("BENCH", 600)).order("SO-1", "GEAR", 5, date(2027, 1, 14))
    b.resources["LATHE"] = Resource("LATHE", "Lathe", "DAY")
    b.routings[0] = RoutingStep("GEAR", 10, ("BENCH", "LATHE"), 0, 600)
    snapshot = b.build()
    plan = run_mrp(snapshot, MrpParams(as_of=MONDAY))
    loads = {r.resource_id: r for r in rough_cut_utilization(snapshot, as_of=MONDAY, planned=plan.planned_orders).resources}
    # shared by two resources with the same working time: 1500 of 4800 each
    assert loads["BENCH"].load_minutes == pytest.approx(1500) and loads["LATHE"].utilization == 0.3125

    # the same again for COG, both on BENCH only: 6000 of 4800 minutes
    b.routings[0] = RoutingStep("GEAR", 10, ("BENCH",), 0, 600)
    b.make("COG", ("BENCH", 600)).order("SO-2", "COG", 5, date(2027, 1, 14))
    snapshot = b.build()
    plan = run_mrp(snapshot, MrpParams(as_of=MONDAY))
    loads = {r.resource_id: r for r in rough_cut_utilization(snapshot, as_of=MONDAY, planned=plan.planned_orders).resources}
    bench = loads["BENCH"]
    assert (bench.utilization, bench.load_ratio, bench.to_json()["overloaded"]) == (1.0, 1.25, True)


def test_saved_schedule_utilization_is_read_per_resource() -> None:
    snapshot = utilization_plant()
    util = saved_utilization({"resources": [{"resource_id": "BENCH", "utilization_next_14_days": 0.4231}]}, snapshot)
    assert util.source == "schedule" and util.by_resource() == {"BENCH": 0.4231}
