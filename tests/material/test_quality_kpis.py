"""Quality KPIs recomputed by hand on a small plant (definitions in planning_core/quality.py and docs/kpi.md)."""

from __future__ import annotations

import pytest

from planning_core.model import OrderStatus, PlantSnapshot, QualityEventKind, QualityEventStatus, StockStatus
from planning_core.quality import quality_kpis
from tests.plants import DAY_SHIFT, MONDAY, PlantBuilder, day, one_shift_plant

NCR, COMPLAINT, RETURN = QualityEventKind.NCR, QualityEventKind.COMPLAINT, QualityEventKind.RETURN
SHIPPED, CLOSED = OrderStatus.SHIPPED, QualityEventStatus.CLOSED


def small_plant() -> PlantSnapshot:
    return (
        PlantBuilder().calendar(DAY_SHIFT).resource("M", "DAY").resource("N", "DAY")
        .buy("BLANK", lead_time_days=5)
        .make("GEAR", ("M", 1.0), ("N", 1.0), components=(("BLANK", 1),)).step_yield("GEAR", 10, 90)
        .make("SHAFT", ("M", 1.0)).step_yield("SHAFT", 10, 80)
        # open: 90 gears and 40 shafts to make
        .order("SO-1", "GEAR", 90, day(10)).order("SO-2", "SHAFT", 40, day(12), customer="Beta")
        # shipped in the 90 days before Monday: 500 gears to Acme, 200 shafts to Beta; 300 shafts long before
        .order("S-1", "GEAR", 500, day(-12), customer="Acme", status=SHIPPED, shipped=day(-10))
        .order("S-2", "SHAFT", 200, day(-20), customer="Beta", status=SHIPPED, shipped=day(-20), shipped_qty=200)
        .order("S-3", "SHAFT", 300, day(-100), customer="Acme", status=SHIPPED, shipped=day(-100))
        .quality("C1", COMPLAINT, "GEAR", day(-5), order_id="S-1")  # Acme's, through its order
        .quality("R1", RETURN, "GEAR", day(-3), customer="ACME", status=CLOSED)
        .quality("C2", COMPLAINT, "SHAFT", day(-95), customer="Beta")  # before the window
        .quality("N1", NCR, "SHAFT", day(-7), qty=12)
        .quality("N2", NCR, "GEAR", day(-2), status=CLOSED)
        .hold("BLANK", 30, since=day(-6)).hold("BLANK", 10, status=StockStatus.QUARANTINE)
        .hold("SHAFT", 5, release=day(3))  # no hold date: aged from the open NCR N1 on SHAFT
        .build()
    )


def test_quality_kpis_by_hand() -> None:
    k = quality_kpis(small_plant(), as_of=MONDAY)
    # first-pass yield: GEAR 0.9 x 1.0, SHAFT 0.8
    assert k.item_yield == {"GEAR": 0.9, "SHAFT": 0.8}
    # M starts 90 / 0.9 = 100 gears (90 good) and 40 / 0.8 = 50 shafts (40 good): 130 / 150; N: 90 of 90
    assert k.resource_yield == {"M": pytest.approx(0.8667), "N": 1.0}
    # Acme: complaint C1 and return R1 (closed, still raised in the window) against 500 shipped: 4 per 1,000
    [acme] = k.by_customer
    assert (acme.key, acme.complaints, acme.returns, acme.shipped_qty, acme.per_1000) == ("Acme", 1, 1, 500, 4.0)
    [gear] = k.by_item
    assert (gear.key, gear.per_1000) == ("GEAR", 4.0)
    # held: 30 on hold since 6 days and 10 in quarantine of BLANK; 5 shafts held since the NCR 7 days ago
    assert [(h.item_id, h.qty, h.status, h.oldest_days, h.release_date) for h in k.held] == [
        ("BLANK", 40, "hold+quarantine", 6, None), ("SHAFT", 5, "hold", 7, day(3))]
    assert k.held_qty == 45
    assert [e.event_id for e in k.open_ncrs] == ["N1"]
    assert [e.event_id for e in k.open_complaints] == ["C2", "C1"]  # open, whatever their age, oldest first
    document = k.to_json()
    assert document["open_ncrs"] == 1 and document["held_stock_qty"] == 45
    assert document["complaints_per_1000_shipped"]["customers"][0]["per_1000_shipped"] == 4.0  # type: ignore[index]


def test_a_plant_without_quality_data_has_full_yields_and_nothing_else() -> None:
    plant = one_shift_plant().make("GEAR", ("M", 1.0)).build()
    k = quality_kpis(plant, as_of=MONDAY)
    assert k.item_yield == {"GEAR": 1.0} and k.resource_yield == {"M": 1.0}
    assert (k.by_customer, k.by_item, k.held, k.open_ncrs) == ((), (), (), ())
