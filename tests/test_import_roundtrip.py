"""Import → database → snapshot round trips, and the all-or-nothing `--replace`, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from integrations.csv_import import read_plant_folder, write_plant_folder
from integrations.db import plant_repository
from integrations.db.models import SalesOrderRow
from planbridge.demo import demo_plant
from planbridge.errors import Conflict, DataValidationError
from planbridge.services import plant as plant_service
from planbridge.services.context import ServiceContext
from planbridge.synthetic import generate_plant
from planning_core.model import (
    Calendar,
    PlantInfo,
    PlantSnapshot,
    ShiftInterval,
    Weekday,
    WorkOrder,
    WorkOrderStatus,
)
from tests.conftest import DATA, load_folder

ANCHOR = date(2026, 11, 26)


def canonical(s: PlantSnapshot) -> dict[str, Any]:
    """Everything in a snapshot, with the order of rows left out (databases return them sorted by key)."""
    return {
        "plant": s.plant,
        "items": s.items,
        "bom": Counter(s.bom),
        "routings": Counter(s.routings),
        "calendars": {cid: (c.calendar_id, Counter(c.shifts), Counter(c.exceptions)) for cid, c in s.calendars.items()},
        "resources": s.resources,
        "inventory": s.inventory,
        "purchase_orders": Counter(s.purchase_orders),
        "work_orders": Counter(s.work_orders),
        "sales_orders": Counter(s.sales_orders),
        "forecast": Counter(s.forecast),
        "users": s.users,
        "setup_matrix": Counter(s.setup_matrix),
        "held_stock": Counter(s.held_stock),
        "quality_events": Counter(s.quality_events),
    }


def import_folder(folder: Path, services: ServiceContext, *, replace: bool = False) -> plant_service.ImportReport:
    return plant_service.import_plant(plant_service.ImportPlant(folder=folder, replace=replace), services)


def version(services: ServiceContext) -> int:
    with services.uow_factory() as uow:
        return uow.plant.version()


def loaded(services: ServiceContext) -> PlantSnapshot:
    """The plant as stored, read without the cache."""
    with services.uow_factory() as uow:
        return uow.plant.load()


# -- round trips ---------------------------------------------------------------------------


def test_imported_plant_loads_back_equal_to_the_folder(services: ServiceContext) -> None:
    report = import_folder(DATA / "pumps", services)
    assert report.plant_name == "Example pump works"
    assert report.warnings == ()
    assert canonical(loaded(services)) == canonical(load_folder("pumps"))


def test_demo_plant_round_trips_through_folder_and_database(tmp_path: Path, services: ServiceContext) -> None:
    demo = demo_plant(ANCHOR)
    write_plant_folder(demo, tmp_path / "demo")
    report = import_folder(tmp_path / "demo", services)
    assert report.warnings == ()
    assert canonical(loaded(services)) == canonical(demo)


def test_generated_plant_round_trips_through_folder_and_database(tmp_path: Path, services: ServiceContext) -> None:
    plant = generate_plant(items=150, orders=200, resources=12, levels=4, seed=7, anchor=ANCHOR)
    write_plant_folder(plant, tmp_path / "generated")
    import_folder(tmp_path / "generated", services)
    assert canonical(loaded(services)) == canonical(plant)


def test_replace_swaps_the_whole_plant(tmp_path: Path, services: ServiceContext) -> None:
    import_folder(DATA / "pumps", services)
    first = version(services)
    write_plant_folder(demo_plant(ANCHOR), tmp_path / "demo")
    import_folder(tmp_path / "demo", services, replace=True)
    assert version(services) == first + 1
    stored = loaded(services)
    assert canonical(stored) == canonical(demo_plant(ANCHOR))
    assert "PUMP-A" not in stored.items


# -- all or nothing ------------------------------------------------------------------------


def test_import_over_a_loaded_plant_without_replace_is_refused(tmp_path: Path, services: ServiceContext) -> None:
    import_folder(DATA / "pumps", services)
    write_plant_folder(demo_plant(ANCHOR), tmp_path / "demo")
    with pytest.raises(Conflict, match="a plant is already loaded: use --replace"):
        import_folder(tmp_path / "demo", services)
    assert canonical(loaded(services)) == canonical(load_folder("pumps"))


def test_replace_with_a_bad_folder_leaves_the_old_plant(tmp_path: Path, services: ServiceContext) -> None:
    import_folder(DATA / "pumps", services)
    before = version(services)
    folder = tmp_path / "bad"
    shutil.copytree(DATA / "pumps", folder)
    with (folder / "bom.csv").open("a", encoding="utf-8") as handle:
        handle.write("CASING,PUMP-A,1\n")
    with pytest.raises(DataValidationError) as failure:
        import_folder(folder, services, replace=True)
    assert failure.value.exit_code == 3
    assert failure.value.details == ("bom.csv:2: component_id: BOM cycle: CASING → PUMP-A → CASING",)
    assert version(services) == before
    assert canonical(loaded(services)) == canonical(load_folder("pumps"))


def test_database_failure_after_deleting_leaves_the_old_plant(
    tmp_path: Path, services: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replace deletes every plant table, then the first insert fails: all rolled back."""
    import_folder(DATA / "pumps", services)
    before = version(services)
    write_plant_folder(demo_plant(ANCHOR), tmp_path / "demo")

    def failing_insert(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(plant_repository, "insert", failing_insert)
    with pytest.raises(OSError, match="disk full"):
        import_folder(tmp_path / "demo", services, replace=True)
    monkeypatch.undo()
    assert version(services) == before
    assert canonical(loaded(services)) == canonical(load_folder("pumps"))


def test_constraint_violation_half_way_through_the_inserts_leaves_the_old_plant(
    tmp_path: Path, services: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real database error after most tables were already rewritten: a duplicate sales order key."""
    import_folder(DATA / "pumps", services)
    before = version(services)
    write_plant_folder(demo_plant(ANCHOR), tmp_path / "demo")
    real_rows_of = plant_repository._rows_of

    def rows_with_a_duplicate(snapshot: PlantSnapshot) -> list[tuple[Any, list[dict[str, Any]]]]:
        tables = real_rows_of(snapshot)
        return [(model, rows + rows[:1] if model is SalesOrderRow else rows) for model, rows in tables]

    monkeypatch.setattr(plant_repository, "_rows_of", rows_with_a_duplicate)
    with pytest.raises(IntegrityError):
        import_folder(tmp_path / "demo", services, replace=True)
    monkeypatch.undo()
    assert version(services) == before
    assert canonical(loaded(services)) == canonical(load_folder("pumps"))


# -- the writer ----------------------------------------------------------------------------


def test_writer_keeps_large_and_fractional_numbers_exact(tmp_path: Path) -> None:
    """Regression: `:g` formatting wrote 1234567 as 1.23457e+06, which read back as 1234570."""
    plant = load_folder("pumps")
    bigger = PlantSnapshot(**{**plant.__dict__, "inventory": {**plant.inventory, "BOLTKIT": 1234567.0, "MOTOR": 0.1 + 0.2}})
    write_plant_folder(bigger, tmp_path / "out")
    reading = read_plant_folder(tmp_path / "out")
    assert reading.errors == ()
    assert reading.snapshot is not None
    assert reading.snapshot.inventory["BOLTKIT"] == 1234567.0
    assert reading.snapshot.inventory["MOTOR"] == 0.1 + 0.2


def test_writer_quotes_plant_names_and_keeps_seconds(tmp_path: Path) -> None:
    """Regression: a quote-and-backslash name or a newline made plant.toml invalid; seconds of work orders were dropped."""
    plant = load_folder("pumps")
    odd = PlantSnapshot(**{
        **plant.__dict__,
        "plant": PlantInfo(name='Pump "Nord" works \\ line\n2', timezone="Asia/Shanghai", country="CN"),
        "work_orders": (WorkOrder("W1", "CASING", 5.0, "LATHE", datetime(2027, 1, 4, 6, 0, 30),
                                  datetime(2027, 1, 4, 9, 15), WorkOrderStatus.RUNNING),),
    })
    write_plant_folder(odd, tmp_path / "out")
    reading = read_plant_folder(tmp_path / "out")
    assert reading.errors == ()
    assert reading.snapshot is not None
    assert canonical(reading.snapshot) == canonical(odd)


def test_writing_over_an_older_folder_leaves_no_stale_file(tmp_path: Path) -> None:
    """Regression: optional files were only written when non-empty, so an older plant's
    work orders stayed behind and no longer matched the new plant's items."""
    folder = tmp_path / "out"
    write_plant_folder(demo_plant(ANCHOR), folder)
    pumps = load_folder("pumps")
    write_plant_folder(pumps, folder)
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert reading.snapshot is not None
    assert canonical(reading.snapshot) == canonical(pumps)


def test_a_night_shift_past_midnight_round_trips(tmp_path: Path, services: ServiceContext) -> None:
    plant = load_folder("pumps")
    night = Calendar("NIGHT", (ShiftInterval(Weekday.MON, time(22), time(6)), ShiftInterval(Weekday.TUE, time(16), time(0))))
    with_night = PlantSnapshot(**{**plant.__dict__, "calendars": {**plant.calendars, "NIGHT": night}})
    write_plant_folder(with_night, tmp_path / "out")
    import_folder(tmp_path / "out", services)
    stored = loaded(services)
    assert stored.calendars["NIGHT"] == night


def test_the_schema_head_read_from_the_migration_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from integrations.db.migrate import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
