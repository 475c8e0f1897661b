"""Validation of plant folders: each rule has a real bad folder (the pumps example with one
thing broken), and the exact `file:line: column: message` line it must produce."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from integrations.csv_import import read_plant_folder
from planbridge.services import plant as plant_service
from planning_core.model import ItemType, OrderStatus, PlantSnapshot, Priority
from tests.conftest import DATA, load_folder, make_services
from tests.test_demo_and_generator import run_in_process
from tests.test_import_roundtrip import canonical

# -- helpers -------------------------------------------------------------------------------


def pumps_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "plant"
    shutil.copytree(DATA / "pumps", folder)
    return folder


def append(folder: Path, file: str, *rows: str) -> None:
    path = folder / file
    content = path.read_text(encoding="utf-8")
    if not content.endswith("\n"):
        content += "\n"
    path.write_text(content + "".join(row + "\n" for row in rows), encoding="utf-8")


def edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {file}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def errors(folder: Path) -> list[str]:
    return [str(problem) for problem in read_plant_folder(folder).errors]


def warnings(folder: Path) -> list[str]:
    return [str(problem) for problem in read_plant_folder(folder).warnings]


# -- one rule, one bad file ------------------------------------------------------------------


def test_the_untouched_example_plant_is_valid(tmp_path: Path) -> None:
    reading = read_plant_folder(pumps_copy(tmp_path))
    assert reading.errors == ()
    assert reading.warnings == ()
    assert reading.snapshot is not None


def test_unknown_item_in_a_bom_line(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "bom.csv", "PUMP-A,GHOST,1")
    assert errors(folder) == ["bom.csv:6: component_id: unknown item 'GHOST'"]


def test_unknown_item_in_sales_orders_and_inventory(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "sales_orders.csv", "A-2,Beta Water,PUMP-A", "A-2,Beta Water,PUMP-Z")
    append(folder, "inventory.csv", "NOPE,3")
    assert errors(folder) == [
        "inventory.csv:7: item_id: unknown item 'NOPE'",
        "sales_orders.csv:3: item_id: unknown item 'PUMP-Z'",
    ]


def test_unknown_resource_in_a_routing(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "routings.csv", "PUMP-A,20,PAINTER,0,5")
    assert errors(folder) == ["routings.csv:5: resource_id: unknown resource 'PAINTER'"]


def test_unknown_calendar_of_a_resource(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "resources.csv", "OVEN,Curing oven,NIGHT,1,")
    assert errors(folder) == ["resources.csv:6: calendar_id: unknown calendar 'NIGHT'"]


def test_unknown_calendar_of_an_exception(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    (folder / "calendar_exceptions.csv").write_text(
        "calendar_id,date,kind,start,end\nONE,2027-01-04,closed,,\nWEEKEND,2027-01-09,open,08:00,12:00\n",
        encoding="utf-8",
    )
    assert errors(folder) == ["calendar_exceptions.csv:3: calendar_id: unknown calendar 'WEEKEND'"]


def test_bom_cycle_is_named(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "bom.csv", "CASING,PUMP-A,1")
    # the search starts at CASING (alphabetical) and closes the cycle on line 2, PUMP-A → CASING
    assert errors(folder) == ["bom.csv:2: component_id: BOM cycle: CASING → PUMP-A → CASING"]


def test_bom_cycle_through_three_items_names_all_three(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "items.csv", "KIT,Seal kit,make,pcs,0,", "SEAL,Seal,make,pcs,0,")
    append(folder, "bom.csv", "CASING,KIT,1", "KIT,SEAL,2", "SEAL,CASING,1")
    assert errors(folder) == ["bom.csv:8: component_id: BOM cycle: CASING → KIT → SEAL → CASING"]


def test_item_made_from_itself_is_a_cycle(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "bom.csv", "CASING,CASING,1")
    assert errors(folder) == ["bom.csv:6: component_id: BOM cycle: CASING → CASING"]


def test_negative_on_hand_quantity(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "inventory.csv", "MOTOR,25", "MOTOR,-5")
    assert errors(folder) == ["inventory.csv:4: on_hand: negative quantity -5 is not allowed"]


def test_negative_and_zero_order_quantities(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "sales_orders.csv", "A-1,Acme,PUMP-A,15,", "A-1,Acme,PUMP-A,-15,")
    edit(folder, "bom.csv", "CASING,CASTING,1", "CASING,CASTING,0")
    assert errors(folder) == [
        "bom.csv:5: qty_per: must be greater than 0, got 0",
        "sales_orders.csv:2: qty: must be greater than 0, got -15",
    ]


def test_non_numeric_quantity(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "bom.csv", "PUMP-A,MOTOR,1", "PUMP-A,MOTOR,one")
    assert errors(folder) == ["bom.csv:3: qty_per: 'one' is not a number"]


def test_malformed_dates(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "sales_orders.csv", "2027-01-05,2027-01-05", "05/01/2027,2027-01-05")
    edit(folder, "purchase_orders.csv", "2027-01-08", "2027-13-08")
    assert errors(folder) == [
        "purchase_orders.csv:2: due_date: '2027-13-08' is not a valid calendar date",
        "sales_orders.csv:2: requested_date: '05/01/2027' is not a date (YYYY-MM-DD)",
    ]


def test_malformed_time_in_a_calendar(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "calendars.csv", "ONE,mon,08:00,12:00", "ONE,mon,8am,12:00")
    assert errors(folder) == ["calendars.csv:2: start: '8am' is not a time (HH:MM)"]


def test_duplicate_ids(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "items.csv", "MOTOR,Motor 7.5 kW,buy,pcs,14,")
    append(folder, "sales_orders.csv", "A-1,Acme,PUMP-A,3,2027-01-20,,normal,confirmed,,")
    assert errors(folder) == [
        "items.csv:7: item_id: duplicate id 'MOTOR' (first on line 4)",
        "sales_orders.csv:7: order_id: duplicate id 'A-1' (first on line 2)",
    ]


def test_missing_required_column_is_the_only_error(tmp_path: Path) -> None:
    """Without the `type` column no item can be read, but the BOM, routings and orders that
    name those items are not reported again: one mistake, one line."""
    folder = pumps_copy(tmp_path)
    (folder / "items.csv").write_text(
        "item_id,name,uom\nPUMP-A,Pump,pcs\nCASING,Casing,pcs\nMOTOR,Motor,pcs\nCASTING,Casting,pcs\nBOLTKIT,Bolts,pcs\n",
        encoding="utf-8",
    )
    assert errors(folder) == ["items.csv:1: type: required column is missing"]


def test_missing_required_file(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    (folder / "routings.csv").unlink()
    (folder / "users.csv").unlink()
    assert errors(folder) == ["routings.csv: required file is missing", "users.csv: required file is missing"]


def test_missing_items_file_does_not_flood_the_other_files(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    (folder / "items.csv").unlink()
    assert errors(folder) == ["items.csv: required file is missing"]


def test_optional_files_may_be_absent(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    (folder / "purchase_orders.csv").unlink()
    (folder / "plant.toml").unlink()
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert reading.snapshot is not None
    assert reading.snapshot.purchase_orders == ()
    assert reading.snapshot.plant.name == "plant"  # the folder's name
    assert reading.snapshot.plant.timezone == "UTC"


def test_alternative_naming_an_unknown_resource(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "routings.csv", "CASING,20,DRILL1|DRILL2", "CASING,20,DRILL1|DRILL3")
    assert errors(folder) == ["routings.csv:3: resource_id: unknown resource 'DRILL3'"]


def test_empty_alternative_in_a_resource_list(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "routings.csv", "CASING,20,DRILL1|DRILL2", "CASING,20,DRILL1|")
    assert errors(folder) == ["routings.csv:3: resource_id: empty alternative in resource list"]


def test_step_defined_twice(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "routings.csv", "CASING,10,DRILL1,0,5")
    assert errors(folder) == ["routings.csv:5: step: step 10 of CASING is defined twice (first on line 2)"]


def test_bad_enum_values(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "items.csv", "MOTOR,Motor 5.5 kW,buy", "MOTOR,Motor 5.5 kW,bought")
    edit(folder, "sales_orders.csv", "normal,confirmed,,U2SALES", "urgent,confirmed,,U2SALES")
    edit(folder, "users.csv", "U4PLAN,Sam Planner,planner,en", "U4PLAN,Sam Planner,planner,fr")
    edit(folder, "calendars.csv", "TWO,fri,06:00,14:00", "TWO,friday,06:00,14:00")
    assert errors(folder) == [
        "calendars.csv:20: weekday: 'friday' is not one of mon, tue, wed, thu, fri, sat, sun",
        "items.csv:4: type: 'bought' is not one of make, buy",
        "sales_orders.csv:3: priority: 'urgent' is not one of normal, high, rush",
        "users.csv:5: language: 'fr' is not one of en, zh",
    ]


def test_unknown_extra_column_is_only_a_warning(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    lines = (folder / "items.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",colour"] + [line + ",blue" for line in lines[1:]]
    (folder / "items.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert [str(w) for w in reading.warnings] == ["items.csv:1: colour: unknown column is ignored"]
    assert _same(reading.snapshot, load_folder("pumps"))


def test_one_run_reports_every_bad_row(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "bom.csv", "PUMP-A,GHOST,1")
    edit(folder, "inventory.csv", "CASTING,100", "CASTING,lots")
    edit(folder, "sales_orders.csv", "2027-01-08,2027-01-08", "2027-01-08,2027-02-30")
    assert errors(folder) == [
        "bom.csv:6: component_id: unknown item 'GHOST'",
        "inventory.csv:5: on_hand: 'lots' is not a number",
        "sales_orders.csv:3: promised_date: '2027-02-30' is not a valid calendar date",
    ]


def test_several_bad_rows_in_one_file_are_all_reported(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "bom.csv", "PUMP-A,GHOST,1", "CASING,PHANTOM,2", "BOLTKIT,CASTING,x")
    assert errors(folder) == [
        "bom.csv:6: component_id: unknown item 'GHOST'",
        "bom.csv:7: component_id: unknown item 'PHANTOM'",
        "bom.csv:8: qty_per: 'x' is not a number",
    ]


# -- consequential errors are not repeated -------------------------------------------------


def test_a_bad_item_row_is_reported_once_not_at_every_use(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "items.csv", "CASING,Pump casing,make,pcs,0", "CASING,Pump casing,make,pcs,soon")
    assert errors(folder) == ["items.csv:3: lead_time_days: 'soon' is not a whole number"]


def test_a_resource_on_an_unknown_calendar_is_reported_once(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "resources.csv", "LATHE,CNC lathe,TWO", "LATHE,CNC lathe,THREE")
    assert errors(folder) == ["resources.csv:2: calendar_id: unknown calendar 'THREE'"]


# -- what is accepted ----------------------------------------------------------------------


def test_utf8_bom_and_chinese_names_import(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    items = (folder / "items.csv").read_text(encoding="utf-8").replace("Centrifugal pump A", "离心泵 A型")
    (folder / "items.csv").write_bytes(b"\xef\xbb\xbf" + items.encode("utf-8"))
    users = (folder / "users.csv").read_text(encoding="utf-8")
    (folder / "users.csv").write_text(users, encoding="utf-8-sig")
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert reading.snapshot is not None
    pump = reading.snapshot.items["PUMP-A"]
    assert pump.name == "离心泵 A型"
    assert pump.aliases == ("pump A", "A型离心泵", "离心泵A")
    assert reading.snapshot.users["U2SALES"].name == "李娜"


def test_columns_in_any_order(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    for file in ("items.csv", "bom.csv", "routings.csv", "sales_orders.csv"):
        lines = [line.split(",") for line in (folder / file).read_text(encoding="utf-8").splitlines()]
        (folder / file).write_text("\n".join(",".join(reversed(cells)) for cells in lines) + "\n", encoding="utf-8")
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert _same(reading.snapshot, load_folder("pumps"))


def test_optional_columns_absent_take_defaults(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    (folder / "items.csv").write_text(
        "type,item_id\nmake,PUMP-A\nmake,CASING\nbuy,MOTOR\nbuy,CASTING\nbuy,BOLTKIT\n", encoding="utf-8"
    )
    (folder / "sales_orders.csv").write_text(
        "order_id,customer,item_id,qty,requested_date\nA-1,Acme,PUMP-A,15,2027-01-05\n", encoding="utf-8"
    )
    (folder / "resources.csv").write_text(
        "resource_id,calendar_id\nLATHE,TWO\nDRILL1,ONE\nDRILL2,ONE\nASSY,ONE\n", encoding="utf-8"
    )
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    snapshot = reading.snapshot
    assert snapshot is not None
    motor = snapshot.items["MOTOR"]
    assert (motor.name, motor.type, motor.uom, motor.lead_time_days) == ("MOTOR", ItemType.BUY, "pcs", 0)
    assert (motor.safety_stock, motor.min_lot, motor.lot_multiple, motor.aliases) == (0.0, 0.0, 1.0, ())
    order = snapshot.orders_by_id["A-1"]
    assert (order.promised_date, order.priority, order.status) == (None, Priority.NORMAL, OrderStatus.CONFIRMED)
    assert (order.shipped_date, order.shipped_qty, order.owner) == (None, None, None)
    lathe = snapshot.resources["LATHE"]
    assert (lathe.name, lathe.units, lathe.aliases) == ("LATHE", 1, ())


def test_empty_optional_cells_take_defaults(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    edit(folder, "items.csv", "MOTOR,Motor 5.5 kW,buy,pcs,14,电机", "MOTOR,,buy,,,")
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert reading.snapshot is not None
    motor = reading.snapshot.items["MOTOR"]
    assert (motor.name, motor.uom, motor.lead_time_days, motor.aliases) == ("MOTOR", "pcs", 0, ())


def test_thousands_separators_are_read_and_a_decimal_comma_is_refused(tmp_path: Path) -> None:
    """Regression: "1,5" used to be read silently as 15."""
    folder = pumps_copy(tmp_path)
    edit(folder, "inventory.csv", "BOLTKIT,200", 'BOLTKIT,"1,200"')
    edit(folder, "bom.csv", "PUMP-A,BOLTKIT,1", 'PUMP-A,BOLTKIT,"1,5"')
    assert errors(folder) == ["bom.csv:4: qty_per: '1,5' is not a number (use a point for decimals, e.g. 1.5)"]
    edit(folder, "bom.csv", 'PUMP-A,BOLTKIT,"1,5"', "PUMP-A,BOLTKIT,1.5")
    snapshot = read_plant_folder(folder).snapshot
    assert snapshot is not None
    assert snapshot.inventory["BOLTKIT"] == 1200.0
    assert [b.qty_per for b in snapshot.bom if b.component_id == "BOLTKIT"] == [1.5]


def test_ids_longer_than_the_database_column_are_refused(tmp_path: Path) -> None:
    """Regression: a 101-character id imported into SQLite but failed mid-import on PostgreSQL."""
    folder = pumps_copy(tmp_path)
    long_id = "X" * 101
    append(folder, "items.csv", f"{long_id},Long,buy,pcs,1,")
    assert errors(folder) == ["items.csv:7: item_id: is 101 characters long, at most 100 are allowed"]
    append(folder, "resources.csv", "BIG,Big press,ONE,3000000000,")
    assert errors(folder)[-1] == "resources.csv:6: units: must be at most 2147483647, got 3000000000"


def test_a_very_deep_bom_is_checked_without_recursion_limits(tmp_path: Path) -> None:
    """Regression: the cycle search was recursive and crashed on a chain of a few thousand levels."""
    folder = pumps_copy(tmp_path)
    depth = 3000
    append(folder, "items.csv", *(f"L{k},Level {k},make,pcs,0," for k in range(depth)))
    append(folder, "routings.csv", *(f"L{k},10,LATHE,0,1" for k in range(depth)))
    append(folder, "bom.csv", *(f"L{k},L{k + 1},1" for k in range(depth - 1)))
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    append(folder, "bom.csv", f"L{depth - 1},L0,1")
    problems = errors(folder)
    assert len(problems) == 1
    assert problems[0].startswith(f"bom.csv:{5 + depth}: component_id: BOM cycle: L0 → L1 → ")
    assert problems[0].endswith(f"→ L{depth - 1} → L0")


def test_made_item_without_routing_is_a_warning(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    append(folder, "items.csv", "SPARE,Spare casing,make,pcs,0,")
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert [str(w) for w in reading.warnings] == [
        "items.csv:7: item_id: SPARE is made but has no routing: it can only come from stock"
    ]


# -- through the command line --------------------------------------------------------------


def test_cli_exits_3_lists_every_problem_and_leaves_the_database_as_it_was(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plant_service.import_plant(plant_service.ImportPlant(folder=DATA / "pumps"), make_services(db_url))
    folder = pumps_copy(tmp_path)
    append(folder, "bom.csv", "PUMP-A,GHOST,1")
    edit(folder, "inventory.csv", "MOTOR,25", "MOTOR,-5")
    edit(folder, "sales_orders.csv", "2027-01-05,2027-01-05", "2027-01-05,2027-1-5")
    code, out, err = run_in_process(capsys, "import", str(folder), "--replace", "--db", db_url)
    assert (code, out) == (3, "")
    lines = err.splitlines()
    assert lines[0] == f"error: {folder}: 3 problems found, nothing was imported"
    assert [line.strip() for line in lines[1:]] == [
        "bom.csv:6: component_id: unknown item 'GHOST'",
        "inventory.csv:4: on_hand: negative quantity -5 is not allowed",
        "sales_orders.csv:2: promised_date: '2027-1-5' is not a date (YYYY-MM-DD)",
    ]
    assert "Traceback" not in err
    assert _same(make_services(db_url).snapshot(), load_folder("pumps"))


def test_import_over_a_loaded_plant_without_replace_is_refused(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_in_process(capsys, "import", str(DATA / "pumps"), "--db", sqlite_url)[0] == 0
    code, out, err = run_in_process(capsys, "import", str(DATA / "pumps"), "--db", sqlite_url)
    assert (code, out) == (1, "")
    assert err.strip() == "error: a plant is already loaded: use --replace to swap it for the new one"


def _same(a: PlantSnapshot | None, b: PlantSnapshot) -> bool:
    return a is not None and canonical(a) == canonical(b)


def test_users_may_name_their_feishu_id_and_it_round_trips(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    users = (folder / "users.csv").read_text(encoding="utf-8").splitlines()
    feishu = {"U2SALES": "ou_li_na", "U3PROD": "ou_wang"}
    rows = [users[0] + ",feishu_id"] + [f"{line},{feishu.get(line.split(',')[0], '')}" for line in users[1:]]
    (folder / "users.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    reading = read_plant_folder(folder)
    assert reading.errors == () and reading.snapshot is not None
    assert {u.user_id: u.feishu_id for u in reading.snapshot.users.values()} == {
        "U1SALES": None, "U2SALES": "ou_li_na", "U3PROD": "ou_wang", "U4PLAN": None}
    services = make_services(f"sqlite:///{tmp_path / 'feishu.sqlite'}")
    plant_service.import_plant(plant_service.ImportPlant(folder=folder), services)
    with services.uow_factory() as uow:
        assert uow.plant.load().users["U3PROD"].feishu_id == "ou_wang"
    out = tmp_path / "out"
    plant_service.export_plant(out, services)
    assert "U3PROD,Wang Production,production,zh,ou_wang" in (out / "users.csv").read_text(encoding="utf-8")
    again = read_plant_folder(out).snapshot
    assert again is not None and again.users == reading.snapshot.users


def test_a_feishu_id_given_to_two_users_is_refused(tmp_path: Path) -> None:
    folder = pumps_copy(tmp_path)
    users = (folder / "users.csv").read_text(encoding="utf-8").splitlines()
    rows = [users[0] + ",feishu_id"] + [line + ",ou_same" for line in users[1:3]] + [line + "," for line in users[3:]]
    (folder / "users.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert errors(folder) == ["users.csv:3: feishu_id: duplicate id 'ou_same' (first on line 2)"]
