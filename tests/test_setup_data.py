"""Set-up families and the set-up matrix in plant folders: reading, validation, storage and export."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from integrations.csv_import import read_plant_folder, write_plant_folder
from planbridge.errors import DataValidationError
from planbridge.services import plant as plant_service
from planbridge.services.context import ServiceContext
from planning_core.model import RoutingStep, SetupChange
from tests.conftest import DATA, load_folder, make_services
from tests.test_demo_and_generator import run_in_process
from tests.test_import_roundtrip import canonical

ROUTINGS = (
    "item_id,step,resource_id,setup_minutes,run_minutes_per_unit,setup_family\n"
    "CASING,10,LATHE,30,12,turned\n"
    "CASING,20,DRILL1|DRILL2,0,10,\n"
    "PUMP-A,10,ASSY,0,24,\n"
)


def pumps_with_families(tmp_path: Path, matrix: str | None) -> Path:
    folder = tmp_path / "plant"
    shutil.copytree(DATA / "pumps", folder)
    (folder / "routings.csv").write_text(ROUTINGS, encoding="utf-8")
    if matrix is not None:
        (folder / "setup_matrix.csv").write_text(matrix, encoding="utf-8")
    return folder


def test_a_family_column_and_a_matrix_are_read_into_the_snapshot(tmp_path: Path) -> None:
    folder = pumps_with_families(tmp_path, "from_family,to_family,setup_minutes\nturned,turned,5\n")
    reading = read_plant_folder(folder)
    assert reading.errors == ()
    assert reading.snapshot is not None
    steps = {(s.item_id, s.step): s for s in reading.snapshot.routings}
    assert steps[("CASING", 10)].setup_family == "turned"
    assert steps[("CASING", 20)].setup_family is None
    assert reading.snapshot.setup_matrix == (SetupChange("turned", "turned", 5.0),)


def test_a_folder_without_families_or_matrix_reads_as_before() -> None:
    plant = load_folder("pumps")
    assert all(step.setup_family is None for step in plant.routings)
    assert plant.setup_matrix == ()
    assert not (DATA / "pumps" / "setup_matrix.csv").exists()


def test_a_matrix_naming_a_family_no_routing_step_has_is_rejected_at_its_cell(tmp_path: Path) -> None:
    folder = pumps_with_families(tmp_path, "from_family,to_family,setup_minutes\nturned,milled,20\nturnd,turned,5\n")
    reading = read_plant_folder(folder)
    assert reading.snapshot is None
    assert [str(e) for e in reading.errors] == [
        "setup_matrix.csv:2: to_family: unknown set-up family 'milled' (no step in routings.csv has it)",
        "setup_matrix.csv:3: from_family: unknown set-up family 'turnd' (no step in routings.csv has it)",
    ]


def test_a_matrix_with_a_pair_twice_or_negative_minutes_is_rejected(tmp_path: Path) -> None:
    folder = pumps_with_families(
        tmp_path, "from_family,to_family,setup_minutes\nturned,turned,5\nturned,turned,6\nturned,turned,-1\n")
    reading = read_plant_folder(folder)
    assert [str(e) for e in reading.errors] == [
        "setup_matrix.csv:3: to_family: duplicate change turned → turned (first on line 2)",
        "setup_matrix.csv:4: setup_minutes: negative quantity -1 is not allowed",
    ]


def test_a_bad_matrix_imports_nothing(tmp_path: Path) -> None:
    services = make_services(f"sqlite:///{tmp_path / 'db.sqlite'}")
    folder = pumps_with_families(tmp_path, "from_family,to_family,setup_minutes\nturned,nowhere,5\n")
    with pytest.raises(DataValidationError):
        plant_service.import_plant(plant_service.ImportPlant(folder=folder), services)
    with services.uow_factory() as uow:
        assert not uow.plant.exists()


@pytest.mark.parametrize("matrix", [None, "from_family,to_family,setup_minutes\nturned,turned,5\n"])
def test_families_and_matrix_round_trip_through_folder_and_database(
    tmp_path: Path, services: ServiceContext, matrix: str | None
) -> None:
    reading = read_plant_folder(pumps_with_families(tmp_path, matrix))
    assert reading.snapshot is not None
    write_plant_folder(reading.snapshot, tmp_path / "out")
    again = read_plant_folder(tmp_path / "out")
    assert again.snapshot is not None
    assert canonical(again.snapshot) == canonical(reading.snapshot)
    plant_service.import_plant(plant_service.ImportPlant(folder=tmp_path / "out"), services)
    with services.uow_factory() as uow:
        stored = uow.plant.load()
    assert canonical(stored) == canonical(reading.snapshot)
    assert stored.setup_matrix == reading.snapshot.setup_matrix


def test_the_writer_always_writes_the_family_column_and_the_matrix_file(tmp_path: Path) -> None:
    plant = load_folder("pumps")
    plant = replace(plant, routings=tuple(
        replace(s, setup_family="cast") if s.item_id == "CASING" else s for s in plant.routings))
    write_plant_folder(plant, tmp_path / "out")
    with (tmp_path / "out" / "routings.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["item_id"], r["setup_family"]) for r in rows} == {("CASING", "cast"), ("PUMP-A", "")}
    assert (tmp_path / "out" / "setup_matrix.csv").read_text(encoding="utf-8") == "from_family,to_family,setup_minutes\n"


def test_demo_export_writes_the_new_column_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_in_process(capsys, "demo", "--export", str(tmp_path / "demo"),
                                  "--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "--as-of", "2026-11-26")
    assert code == 0, err
    header = (tmp_path / "demo" / "routings.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",setup_family,yield_pct")  # issue 16 added the step's yield after it
    assert (tmp_path / "demo" / "setup_matrix.csv").exists()
    assert read_plant_folder(tmp_path / "demo").errors == ()


def test_a_routing_step_without_a_family_needs_its_own_set_up_whatever_ran_before() -> None:
    plant = replace(load_folder("pumps"), setup_matrix=(SetupChange("a", "b", 3.0),))
    plain = RoutingStep("X", 10, ("M",), 40.0, 1.0)
    family_b = replace(plain, setup_family="b")
    assert plant.setup_after(plain, "a") == 40.0
    assert plant.setup_after(family_b, "a") == 3.0  # the matrix
    assert plant.setup_after(family_b, "b") == 0.0  # the same family, no entry
    assert plant.setup_after(family_b, "c") == 40.0  # another family, no entry
    assert plant.setup_after(family_b, None) == 40.0  # nothing known before
