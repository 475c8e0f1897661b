"""Quality data in plant folders and the database: inventory `status`/`release_date`, routing
`yield_pct`, `quality_events.csv`. All optional: folders without them import unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from integrations.csv_import import read_plant_folder, write_plant_folder
from planbridge.services.context import ServiceContext
from planning_core.model import (
    HeldStock,
    PlantSnapshot,
    QualityEvent,
    QualityEventKind,
    QualityEventStatus,
    StockStatus,
)
from planning_core.validation import validate
from tests.conftest import load_folder
from tests.test_import_roundtrip import canonical, import_folder, loaded
from tests.test_import_validation import append, edit, errors, pumps_copy


def with_quality(tmp_path: Path) -> Path:
    folder = pumps_copy(tmp_path)
    append(folder, "inventory.csv", "CASTING,200,hold,2027-01-08,2026-12-28", "CASTING,40,quarantine,", "MOTOR,3,HOLD,")
    edit(folder, "inventory.csv", "item_id,on_hand", "item_id,on_hand,status,release_date,hold_date")
    edit(folder, "routings.csv", "run_minutes_per_unit\n", "run_minutes_per_unit,yield_pct\n")
    edit(folder, "routings.csv", "CASING,10,LATHE,0,12", "CASING,10,LATHE,0,12,90")
    (folder / "quality_events.csv").write_text(
        "event_id,date,kind,item_id,order_id,customer_id,qty,status,note\n"
        "QE-1,2027-01-02,complaint,PUMP-A,A-1,Acme,2,open,leaks at the flange\n"
        "QE-2,2027-01-03,ncr,CASING,,,12,,porosity\n"
        "QE-3,2026-12-20,return,PUMP-A,,Beta Water,1,closed,\n",
        encoding="utf-8",
    )
    return folder


def test_a_folder_without_quality_data_imports_unchanged() -> None:
    pumps = load_folder("pumps")
    assert pumps.held_stock == () and pumps.quality_events == ()
    assert all(step.yield_pct == 100 for step in pumps.routings)
    assert pumps.inventory["CASTING"] == 100


def test_quality_columns_and_file_are_read(tmp_path: Path) -> None:
    reading = read_plant_folder(with_quality(tmp_path))
    assert reading.errors == (), reading.errors
    s = reading.snapshot
    assert s is not None
    assert s.inventory["CASTING"] == 100 and s.inventory["MOTOR"] == 25  # available stock only
    assert s.held_stock == (
        HeldStock("CASTING", 200, StockStatus.HOLD, date(2027, 1, 8), date(2026, 12, 28)),
        HeldStock("CASTING", 40, StockStatus.QUARANTINE),
        HeldStock("MOTOR", 3, StockStatus.HOLD),
    )
    assert s.hold_releases == (HeldStock("CASTING", 200, StockStatus.HOLD, date(2027, 1, 8), date(2026, 12, 28)),)
    assert {(r.item_id, r.step): r.yield_pct for r in s.routings}[("CASING", 10)] == 90
    assert s.quality_events[0] == QualityEvent("QE-1", date(2027, 1, 2), QualityEventKind.COMPLAINT, "PUMP-A", "A-1",
                                               "Acme", 2, QualityEventStatus.OPEN, "leaks at the flange")
    assert s.quality_events[1].status is QualityEventStatus.OPEN and s.quality_events[1].order_id is None
    assert s.quality_events[2].status is QualityEventStatus.CLOSED


def test_quality_data_round_trips_through_folder_and_database(tmp_path: Path, services: ServiceContext) -> None:
    s = read_plant_folder(with_quality(tmp_path)).snapshot
    assert s is not None
    write_plant_folder(s, tmp_path / "written")
    again = read_plant_folder(tmp_path / "written")
    assert again.errors == () and again.snapshot is not None
    assert canonical(again.snapshot) == canonical(s)
    import_folder(tmp_path / "written", services)
    assert canonical(loaded(services)) == canonical(s)


def test_bad_quality_data_is_reported_where_it_is(tmp_path: Path) -> None:
    folder = with_quality(tmp_path)
    append(folder, "inventory.csv", "CASING,5,quarantine,2027-02-01", "BOLTKIT,5,scrapped,", "PUMP-A,1,available,2027-01-09")
    edit(folder, "routings.csv", "PUMP-A,10,ASSY,0,24", "PUMP-A,10,ASSY,0,24,120")
    append(folder, "quality_events.csv", "QE-4,2027-01-04,praise,PUMP-A,,,,,", "QE-5,2027-01-04,ncr,NOPE,,,,,",
           "QE-1,2027-01-04,ncr,PUMP-A,,,,,")
    assert errors(folder) == [
        "inventory.csv:10: release_date: only stock on hold has a release date, not quarantine stock",
        "inventory.csv:11: status: 'scrapped' is not one of available, hold, quarantine",
        "inventory.csv:12: release_date: only stock on hold has a release date, not available stock",
        "quality_events.csv:5: kind: 'praise' is not one of complaint, return, ncr",
        "quality_events.csv:6: item_id: unknown item 'NOPE'",
        "quality_events.csv:7: event_id: duplicate id 'QE-1' (first on line 2)",
        "routings.csv:4: yield_pct: a yield of 120% is more than every unit started",
    ]


def test_the_validator_checks_quality_data_from_any_source() -> None:
    pumps = load_folder("pumps")
    from dataclasses import replace

    bad: PlantSnapshot = replace(
        pumps,
        routings=tuple(replace(r, yield_pct=0.0) if r.step == 10 and r.item_id == "CASING" else r for r in pumps.routings),
        held_stock=(HeldStock("NOPE", 1, StockStatus.HOLD), HeldStock("CASTING", 1, StockStatus.QUARANTINE, date(2027, 1, 1))),
        quality_events=(QualityEvent("Q", date(2027, 1, 1), QualityEventKind.NCR, "CASING", qty=-1),),
    )
    assert [p.message for p in validate(bad)] == [
        "routing step 10 of CASING: a yield of 0% is impossible",
        "hold stock of NOPE: unknown item 'NOPE'",
        "quarantine stock of CASTING: only stock on hold has a release date",
        "quality event Q: negative qty",
    ]
