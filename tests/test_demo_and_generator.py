"""The built-in demo plant, the synthetic plant generator, and the rough-cut load estimate they are tuned with."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from integrations.csv_import import read_plant_folder, write_plant_folder
from planbridge.demo import demo_plant, working_day
from planbridge.synthetic import estimate_load, generate_plant, net_requirements
from planning_core.model import (
    BomLine,
    Calendar,
    ExceptionKind,
    Item,
    ItemType,
    Language,
    OrderStatus,
    PlantInfo,
    PlantSnapshot,
    Priority,
    Resource,
    Role,
    RoutingStep,
    SalesOrder,
    ShiftInterval,
    Weekday,
)
from tests.test_import_roundtrip import canonical

ANCHOR = date(2026, 11, 26)  # a Thursday
PLANBRIDGE = Path(sys.executable).parent / "planbridge"


# -- the rough-cut load estimate, by hand ----------------------------------------------------


def tiny_plant() -> PlantSnapshot:
    """V is made on R then R|P from 2 C (50 % scrap); C is made on P. 10 V are due, 4 are in stock."""
    day = tuple(
        ShiftInterval(d, a, b) for d in list(Weekday)[:5] for a, b in ((time(8), time(12)), (time(13), time(17)))
    )
    return PlantSnapshot(
        plant=PlantInfo("Tiny", "UTC"),
        items={"V": Item("V", "Valve", ItemType.MAKE), "C": Item("C", "Casing", ItemType.MAKE)},
        bom=(BomLine("V", "C", 2.0, 50.0),),
        routings=(
            RoutingStep("V", 10, ("R",), 30.0, 24.0),
            RoutingStep("V", 20, ("R", "P"), 0.0, 10.0),
            RoutingStep("C", 10, ("P",), 0.0, 5.0),
        ),
        calendars={"DAY": Calendar("DAY", day)},
        resources={"R": Resource("R", "Lathe", "DAY"), "P": Resource("P", "Paint", "DAY", units=2)},
        inventory={"V": 4.0},
        sales_orders=(SalesOrder("S1", "ACME", "V", 10.0, date(2026, 12, 4)),),
    )


def test_load_estimate_nets_stock_explodes_the_bom_and_splits_alternatives() -> None:
    monday, sunday = date(2026, 11, 30), date(2026, 12, 6)
    # 6 V to make: R gets 30 + 6 × 24 = 174 min and half of 6 × 10 = 30 min; P gets the other 30 min
    # and 6 × 2 × 1.5 = 18 C × 5 min = 90 min. R has 5 × 480 = 2400 min, P twice that.
    load = estimate_load(tiny_plant(), start=monday, end=sunday)
    assert load["R"] == pytest.approx((174 + 30) / 2400)
    assert load["P"] == pytest.approx((30 + 90) / 4800)


def test_load_estimate_ignores_orders_due_after_the_window() -> None:
    load = estimate_load(tiny_plant(), start=date(2026, 11, 30), end=date(2026, 12, 3))
    assert load == {"R": 0.0, "P": 0.0}


# -- the demo plant ------------------------------------------------------------------------


def test_demo_passes_validation_and_round_trips(tmp_path: Path) -> None:
    demo = demo_plant(ANCHOR)
    write_plant_folder(demo, tmp_path / "demo")
    reading = read_plant_folder(tmp_path / "demo")
    assert [str(e) for e in reading.errors] == []
    assert [str(w) for w in reading.warnings] == []
    assert reading.snapshot is not None
    assert canonical(reading.snapshot) == canonical(demo)


def test_demo_finished_valves_other_parts_rely_on() -> None:
    items = demo_plant(ANCHOR).items
    expected = {
        "DN100-GATE": ("DN100 gate valve", "DN100闸阀"),
        "DN80-BALL": ("DN80 ball valve", "球阀"),
        "DN50-CHECK": ("DN50 check valve", "止回阀"),
        "DN150-BUTTERFLY": ("DN150 butterfly valve", "蝶阀"),
    }
    for item_id, (name, alias) in expected.items():
        assert items[item_id].name == name
        assert alias in items[item_id].aliases
        assert items[item_id].type is ItemType.MAKE
    assert items["DN100-GATE"].aliases[:3] == ("gate valve DN100", "DN100闸阀", "闸阀")


def test_demo_bill_of_materials_is_deep_with_scrap_decimals_and_lot_rules() -> None:
    demo = demo_plant(ANCHOR)
    assert len(demo.items) >= 15
    assert max(demo.low_level_codes.values()) == 3  # valve → bonnet assembly → stem → bar stock
    assert demo.low_level_codes["BAR-SS420"] == 3
    assert any(line.scrap_pct > 0 for line in demo.bom)
    assert any(line.qty_per != int(line.qty_per) for line in demo.bom)  # e.g. 1.8 kg of bar per stem
    assert any(i.min_lot > 0 for i in demo.items.values())
    assert any(i.lot_multiple > 1 for i in demo.items.values())
    assert any(i.safety_stock > 0 for i in demo.items.values())
    bought = [i for i in demo.items.values() if i.type is ItemType.BUY]
    assert all(5 <= i.lead_time_days <= 30 for i in bought)
    assert all(demo.is_makeable(item_id) for item_id in demo.items)


def test_demo_resources_and_calendars() -> None:
    demo = demo_plant(ANCHOR)
    assert len(demo.resources) >= 5
    assert set(demo.calendars) == {"DAY", "TWO-SHIFT"}
    day, two = demo.calendars["DAY"], demo.calendars["TWO-SHIFT"]
    monday_day = sorted((s.start, s.end) for s in day.shifts if s.weekday is Weekday.MON)
    assert monday_day == [(time(8), time(12)), (time(13), time(17))]  # lunch 12:00–13:00
    saturday_two = sorted((s.start, s.end) for s in two.shifts if s.weekday is Weekday.SAT)
    assert saturday_two == [(time(6), time(14)), (time(14), time(22))]
    assert {e.kind for e in day.exceptions} == {ExceptionKind.CLOSED, ExceptionKind.OPEN}
    overtime = [e for e in day.exceptions if e.kind is ExceptionKind.OPEN]
    assert all(e.date.weekday() == 5 for e in overtime)
    cnc = demo.resources["CNC-1"]
    assert (cnc.name, cnc.aliases[:3]) == ("CNC lathe 1", ("CNC", "lathe 1", "数控车床"))
    assert "装配线" in demo.resources["ASSY"].aliases
    assert "试压台" in demo.resources["TEST"].aliases
    assert demo.resources["PAINT"].units == 2
    assert any(step.resource_ids == ("CNC-1", "CNC-2") for step in demo.routings)


def test_demo_orders_cover_every_status_and_situation() -> None:
    demo = demo_plant(ANCHOR)
    orders = demo.sales_orders
    assert len(orders) >= 20
    statuses = Counter(o.status for o in orders)
    assert statuses[OrderStatus.SHIPPED] >= 8 and statuses[OrderStatus.CONFIRMED] >= 8
    assert statuses[OrderStatus.QUOTED] == 1 and statuses[OrderStatus.CANCELLED] == 1
    shipped = [o for o in orders if o.status is OrderStatus.SHIPPED]
    assert all(o.shipped_date is not None and o.shipped_date < ANCHOR for o in shipped)
    assert all(o.shipped_date >= ANCHOR - timedelta(weeks=11) for o in shipped if o.shipped_date)
    late = [o.order_id for o in shipped if o.shipped_date and o.promised_date and o.shipped_date > o.promised_date]
    assert late == ["SO-2403", "SO-2406", "SO-2409", "SO-2412"]
    short = [o for o in shipped if o.shipped_qty is not None and o.shipped_qty < o.qty]
    assert [(o.order_id, o.qty, o.shipped_qty) for o in short] == [("SO-2407", 200.0, 180.0)]
    past_due = [o.order_id for o in demo.open_orders if o.due_date < ANCHOR]
    assert past_due == ["SO-2414"]
    assert {o.priority for o in demo.open_orders} == {Priority.NORMAL, Priority.HIGH, Priority.RUSH}
    assert {"ACME", "Globex", "Initech", "华东水务", "中石化"} <= {o.customer for o in orders}
    assert all(o.owner in demo.users for o in orders)


def test_demo_purchase_work_orders_and_forecast_are_around_today() -> None:
    demo = demo_plant(ANCHOR)
    assert all(po.due_date > ANCHOR for po in demo.purchase_orders)
    assert 2 <= len(demo.work_orders) <= 3
    running = [w for w in demo.work_orders if w.status.value == "running"]
    assert len(running) == 1 and running[0].start.date() < ANCHOR <= running[0].end.date()
    weeks = Counter(f.item_id for f in demo.forecast)
    assert weeks == {"DN100-GATE": 8, "DN80-BALL": 8, "DN50-CHECK": 8, "DN150-BUTTERFLY": 8}
    assert min(f.period_start for f in demo.forecast) == date(2026, 11, 30)  # the Monday after
    assert all(f.period_start.weekday() == 0 for f in demo.forecast)


def test_demo_users_speak_both_languages_in_every_role() -> None:
    users = demo_plant(ANCHOR).users.values()
    assert {(u.role, u.language) for u in users} == {(r, lang) for r in Role for lang in Language}
    assert all(u.user_id.startswith("U01") for u in users)


def test_demo_dates_move_with_the_anchor() -> None:
    now, next_week = demo_plant(ANCHOR), demo_plant(ANCHOR + timedelta(days=7))
    for a, b in zip(now.sales_orders, next_week.sales_orders, strict=True):
        assert b.requested_date - a.requested_date == timedelta(days=7)
        if a.shipped_date and b.shipped_date:
            assert b.shipped_date - a.shipped_date == timedelta(days=7)
    assert [p.due_date + timedelta(days=7) for p in now.purchase_orders] == [p.due_date for p in next_week.purchase_orders]


def test_working_days_skip_weekends() -> None:
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    assert working_day(friday, 1) == date(2026, 11, 30)
    assert working_day(saturday, 0) == date(2026, 11, 30)
    assert working_day(date(2026, 11, 30), -1) == friday


def test_demo_net_requirements_by_hand() -> None:
    # DN100-GATE: open orders 30 + 60 + 40 + 30 = 160, 12 in stock → 148 to make;
    # bonnet assemblies 148 − 10 in stock = 138; gate stems 138 − 30 in stock = 108
    demand = net_requirements(demo_plant(ANCHOR), start=ANCHOR, end=ANCHOR + timedelta(weeks=5))
    assert demand["DN100-GATE"].qty == 148
    assert demand["BONNET-ASSY-100"].qty == 138
    assert demand["STEM-GATE"].qty == 108


def test_demo_stock_and_purchase_orders_cover_the_open_orders_materials() -> None:
    """Material risk in the demo is about timing (castings and gearboxes arriving just in time), not quantity."""
    demo = demo_plant(ANCHOR)
    needed: dict[str, float] = defaultdict(float)
    for item_id, demand in net_requirements(demo, start=ANCHOR, end=ANCHOR + timedelta(weeks=6)).items():
        for line in demo.components_of.get(item_id, ()):
            if demo.items[line.component_id].type is ItemType.BUY:
                needed[line.component_id] += demand.qty * line.gross_qty_per
    incoming = Counter({p.item_id: p.qty for p in demo.purchase_orders})
    for item_id, qty in needed.items():
        assert demo.inventory.get(item_id, 0) + incoming[item_id] >= qty, item_id
    # 148 gate valves to make need 148 − 15 bodies in stock = 133 castings (+3 % scrap): 20 on hand + 130 arriving
    assert needed["CAST-BODY-DN100"] == pytest.approx(133 * 1.03)


@pytest.mark.parametrize("anchor", [ANCHOR, date(2027, 3, 10), date(2027, 6, 2)])
def test_demo_keeps_the_busiest_resources_60_to_90_percent_loaded(anchor: date) -> None:
    load = estimate_load(demo_plant(anchor), start=anchor, end=anchor + timedelta(weeks=4))
    assert 0.6 <= max(load.values()) <= 0.9
    assert min(load.values()) < 0.6  # not every machine is a bottleneck


# -- the generator -------------------------------------------------------------------------

SMALL: dict[str, Any] = {"items": 300, "orders": 400, "resources": 12, "levels": 4}


@pytest.fixture(scope="module")
def small() -> PlantSnapshot:
    return generate_plant(**SMALL, seed=1, anchor=ANCHOR)


def test_generator_is_deterministic_for_a_seed(small: PlantSnapshot) -> None:
    assert generate_plant(**SMALL, seed=1, anchor=ANCHOR) == small
    assert generate_plant(**SMALL, seed=2, anchor=ANCHOR) != small


def test_generated_plant_passes_validation_and_round_trips(small: PlantSnapshot, tmp_path: Path) -> None:
    write_plant_folder(small, tmp_path / "plant")
    reading = read_plant_folder(tmp_path / "plant")
    assert [str(e) for e in reading.errors] == []
    assert [str(w) for w in reading.warnings] == []
    assert reading.snapshot is not None
    assert canonical(reading.snapshot) == canonical(small)


@pytest.mark.parametrize("levels", [2, 3, 5])
def test_generated_bom_has_exactly_the_requested_levels(levels: int) -> None:
    plant = generate_plant(items=120, orders=60, resources=8, levels=levels, seed=3, anchor=ANCHOR)
    codes = plant.low_level_codes
    assert max(codes.values()) == levels - 1
    assert all(plant.items[i].type is ItemType.BUY for i, c in codes.items() if c == levels - 1)
    assert all(codes[o.item_id] == 0 for o in plant.sales_orders)
    made = [i for i in plant.items.values() if i.type is ItemType.MAKE]
    assert all(plant.components_of.get(i.item_id) for i in made)
    assert all(plant.parents_of.get(i) for i, c in codes.items() if c > 0)  # nothing orphaned
    assert len(plant.topological_order) == len(plant.items)  # acyclic


def test_every_made_item_has_a_routing_of_one_to_three_steps(small: PlantSnapshot) -> None:
    made = [i.item_id for i in small.items.values() if i.type is ItemType.MAKE]
    assert all(1 <= len(small.routing_of[i]) <= 3 for i in made)
    assert all([s.step for s in small.routing_of[i]] == [10, 20, 30][: len(small.routing_of[i])] for i in made)
    share = sum(len(s.resource_ids) > 1 for s in small.routings) / len(small.routings)
    assert 0.2 <= share <= 0.4


def test_generated_calendars_resources_and_bought_items(small: PlantSnapshot) -> None:
    assert 3 <= len(small.calendars) <= 5
    day = sorted((s.start, s.end) for s in small.calendars["DAY"].shifts if s.weekday is Weekday.MON)
    assert day == [(time(8), time(12)), (time(13), time(17))]
    assert len([s for s in small.calendars["TWO-SHIFT"].shifts if s.weekday is Weekday.SAT]) == 2
    assert any(c.exceptions for c in small.calendars.values())
    assert len(small.resources) == 12
    assert {r.calendar_id for r in small.resources.values()} <= set(small.calendars)
    bought = [i for i in small.items.values() if i.type is ItemType.BUY]
    assert all(5 <= i.lead_time_days <= 30 for i in bought)
    assert small.purchase_orders and all(p.due_date > ANCHOR for p in small.purchase_orders)
    assert small.inventory and set(small.inventory) <= set(small.items)


def test_generated_orders_open_book_and_history(small: PlantSnapshot) -> None:
    open_orders = small.open_orders
    assert len(open_orders) == 400
    assert all(o.promised_date is not None for o in open_orders)
    assert all(ANCHOR < o.requested_date <= o.due_date <= ANCHOR + timedelta(weeks=12) for o in open_orders)
    assert all(o.due_date.weekday() < 5 for o in open_orders)
    shipped = [o for o in small.sales_orders if o.status is OrderStatus.SHIPPED]
    assert len(shipped) == 600
    assert all(o.shipped_date and ANCHOR - timedelta(weeks=53) <= o.shipped_date < ANCHOR for o in shipped)
    on_time = sum(1 for o in shipped if o.shipped_date and o.promised_date and o.shipped_date <= o.promised_date)
    assert 0.7 <= on_time / len(shipped) <= 0.95
    assert len({o.order_id for o in small.sales_orders}) == len(small.sales_orders)


def test_generated_load_is_busy_but_not_hopeless(small: PlantSnapshot) -> None:
    # Each open order is its own batch, as the promise engine and the scheduler plan it.
    load = estimate_load(small, start=ANCHOR, end=ANCHOR + timedelta(days=70), batch_per_order=True)
    busiest = sorted(load.values(), reverse=True)
    assert 0.7 <= busiest[0] <= 0.9
    assert busiest[3] >= 0.7  # about a third of the resources are busy
    assert busiest[-1] < 0.7  # and the rest have room


def test_a_lower_target_load_leaves_more_room(small: PlantSnapshot) -> None:
    lighter = generate_plant(**SMALL, seed=1, anchor=ANCHOR, load=0.5)
    load = estimate_load(lighter, start=ANCHOR, end=ANCHOR + timedelta(days=70), batch_per_order=True)
    assert 0.4 <= max(load.values()) <= 0.55


def test_bought_materials_are_stocked_for_their_lead_time(small: PlantSnapshot) -> None:
    bought = [i for i in small.items.values() if i.type is ItemType.BUY]
    weekly = {o.item_id for o in small.open_orders}
    stocked = [i for i in bought if small.inventory.get(i.item_id, 0.0) > 0]
    assert weekly and len(stocked) / len(bought) > 0.9  # all that any open order needs; a few are never used


def test_the_overload_preset_is_much_tighter(small: PlantSnapshot) -> None:
    tight = generate_plant(**SMALL, seed=1, anchor=ANCHOR, overload=True)
    end = ANCHOR + timedelta(days=70)
    # Sized with set-ups once a week, so per-order batches load it more than the default plant…
    assert 0.7 <= max(estimate_load(tight, start=ANCHOR, end=end).values()) <= 0.95
    assert max(estimate_load(tight, start=ANCHOR, end=end, batch_per_order=True).values()) > max(
        estimate_load(small, start=ANCHOR, end=end, batch_per_order=True).values())
    # …and some bought materials are not in stock at all.
    bought = [i for i in tight.items.values() if i.type is ItemType.BUY]
    assert sum(1 for i in bought if tight.inventory.get(i.item_id, 0.0) == 0) / len(bought) > 0.1


def test_generator_copes_with_few_resources_and_no_orders(tmp_path: Path) -> None:
    for plant in (generate_plant(items=40, orders=0, resources=3, levels=2, seed=0, anchor=ANCHOR),
                  generate_plant(items=40, orders=20, resources=1, levels=3, seed=0, anchor=ANCHOR)):
        write_plant_folder(plant, tmp_path / "tiny")
        assert read_plant_folder(tmp_path / "tiny").errors == ()


@pytest.mark.parametrize(("arguments", "message"), [
    ({"levels": 1}, "levels must be at least 2"),
    ({"items": 5, "levels": 3}, "items must be at least 6 for 3 levels"),
    ({"resources": 0}, "resources must be at least 1"),
    ({"load": 0.0}, "load must be between 0.05 and 1.5"),
])
def test_generator_refuses_impossible_sizes(arguments: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_plant(anchor=ANCHOR, **arguments)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PLANBRIDGE), *args], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})})


def test_generate_command_writes_the_seeded_plant(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    result = run_cli("generate", str(out), "--items", "120", "--orders", "50", "--resources", "8", "--levels", "3",
                     "--seed", "4", "--json", env={"PLANBRIDGE_AS_OF": "2026-11-26"})
    assert result.returncode == 0, result.stderr
    assert '"anchor": "2026-11-26"' in result.stdout and '"open_orders": 50' in result.stdout
    reading = read_plant_folder(out)
    assert reading.snapshot is not None
    expected = generate_plant(items=120, orders=50, resources=8, levels=3, seed=4, anchor=ANCHOR)
    assert canonical(reading.snapshot) == canonical(expected)


def run_in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`planbridge ARGS` without starting a new interpreter: exit code, stdout, stderr."""
    from planbridge import cli

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["planbridge", *args])
        with pytest.raises(SystemExit) as exit_:
            cli.main()
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_generate_command_anchor_and_bad_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(capsys, "generate", str(tmp_path / "a"), "--items", "60", "--orders", "10",
                                    "--resources", "5", "--anchor", "2027-03-01")
    assert code == 0, err
    assert "as of 2027-03-01" in out
    assert read_plant_folder(tmp_path / "a").errors == ()
    code, out, err = run_in_process(capsys, "generate", str(tmp_path / "b"), "--levels", "1")
    assert (code, out) == (2, "")
    assert err.strip() == "error: levels must be at least 2 (end items and the materials they are made from)"
    code, _, err = run_in_process(capsys, "generate", str(tmp_path / "c"), "--anchor", "next week")
    assert code == 2
    assert err.strip() == "error: --anchor: 'next week' is not a date (YYYY-MM-DD)"
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()
