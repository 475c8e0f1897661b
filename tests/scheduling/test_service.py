"""The scheduling service and CLI: JSON document, saving, utilisation, Gantt chart, benchmark command."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from planbridge.errors import BadRequest, NotFound
from planbridge.presentation.charts import draw_gantt
from planbridge.services.board import BarStatus, gantt_chart
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planbridge.services.scheduling import (
    MakeSchedule,
    RunJsplibBench,
    latest_saved_schedule,
    make_schedule,
    run_jsplib_bench,
    schedule_document,
)
from planning_core.checker import check_plan
from planning_core.model import PlantSnapshot, WorkOrder, WorkOrderStatus
from planning_core.scheduling.plant import schedule_plant
from planning_core.scheduling.utilization import utilization
from tests.plants import DAY_WITH_LUNCH, moment, plant, sales_order, step
from tests.scheduling.test_plant_cases import solve

PUMPS_AS_OF = date(2027, 1, 4)
PLANBRIDGE = Path(sys.executable).parent / "planbridge"
TINY = Path(__file__).parent / "data" / "tiny_jobshop.json"


def test_utilization_counts_scheduled_work_and_work_orders_against_working_time() -> None:
    snapshot = plant(
        orders=[sales_order("A", "X", 2, due_day=2)],
        routings=[step("X", 10, "M", run=60)],
        resources={"M": (DAY_WITH_LUNCH, 1), "IDLE": (DAY_WITH_LUNCH, 2)},
        work_orders=[WorkOrder("WO1", "Z", 3, "M", moment(0, 8), moment(0, 12), WorkOrderStatus.RUNNING)],
    )
    plan = solve(snapshot).plan
    # 120 minutes scheduled + 240 of the work order; ten 480-minute days in two weeks, one day in one
    assert utilization(plan, snapshot, days=14) == {"M": pytest.approx(360 / 4800), "IDLE": 0.0}
    assert utilization(plan, snapshot, days=1)["M"] == pytest.approx(360 / 480)


def test_the_gantt_chart_is_a_png(tmp_path: Path, pumps: PlantSnapshot) -> None:
    result = schedule_plant(pumps, PUMPS_AS_OF, time_limit=2, workers=1)
    document = schedule_document(result, pumps, as_of=PUMPS_AS_OF, check=check_plan(result.plan, pumps))
    chart = gantt_chart(document, pumps)
    # every operation of the plan is a segment of one bar on its resource's row
    drawn = sorted((b.resource_id, s) for b in chart.bars if b.status is not BarStatus.WORK_ORDER for s in b.segments)
    assert drawn == sorted((op.resource_id, (result.plan.axis.to_datetime(op.start), result.plan.axis.to_datetime(op.end)))
                           for op in result.plan.operations if op.end > op.start)
    path = draw_gantt(chart, tmp_path / "chart" / "gantt.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_schedule_is_checked_and_saved_for_the_digest(services: ServiceContext, pumps: PlantSnapshot) -> None:
    store_plant(pumps, services, replace=False)
    assert latest_saved_schedule(services) is None
    result = make_schedule(MakeSchedule(as_of=PUMPS_AS_OF, time_limit=2, workers=1, save=True), services)
    document = result.document
    assert result.check.ok and document["solver"]["checked"]
    assert {o["order_id"]: o["late_days"] for o in document["orders"]} == {"A-1": 0, "A-2": 0}
    assert set(document["operations"][0]) >= {"order_id", "item_id", "step", "resource_id", "start", "end"}
    assert document["operations"][0]["start"] == "2027-01-04T08:00:00+08:00"
    assert {r["resource_id"] for r in document["resources"]} == {"LATHE", "DRILL1", "DRILL2", "ASSY"}
    assert set(document["solver"]) >= {"status", "objective", "bound", "seconds", "gap"}
    saved = latest_saved_schedule(services)
    assert saved is not None and saved.schedule_id == result.saved_id
    assert (saved.as_of, saved.plant_version, saved.status) == (PUMPS_AS_OF, 1, document["solver"]["status"])
    assert saved.document["orders"] == document["orders"]


def test_a_non_positive_time_limit_is_a_bad_request(sqlite_services: ServiceContext, pumps: PlantSnapshot) -> None:
    store_plant(pumps, sqlite_services, replace=False)
    with pytest.raises(BadRequest, match="time-limit"):
        make_schedule(MakeSchedule(as_of=PUMPS_AS_OF, time_limit=0), sqlite_services)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PLANBRIDGE), *args], capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_prints_one_json_document_and_draws_the_chart(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.sqlite'}"
    examples = Path(__file__).parents[1] / "data" / "pumps"
    assert run("import", str(examples), "--db", db).returncode == 0
    chart = tmp_path / "g.png"
    done = run("schedule", "--db", db, "--as-of", "2027-01-04", "--time-limit", "2", "--json", "--gantt", str(chart),
               "--save")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [o["order_id"] for o in document["orders"]] == ["A-1", "A-2"]
    assert chart.stat().st_size > 1000
    bad = run("schedule", "--db", db, "--time-limit", "-1")
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


def test_the_benchmark_command_compares_both_models() -> None:
    done = run("bench", "jsplib", "--file", str(TINY), "--time-limit", "1", "--workers", "1", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [r["name"] for r in document["instances"]] == ["tiny3", "tiny3b"]
    assert document["instances"][0]["product"] == {**document["instances"][0]["product"], "makespan": 11,
                                                   "optimal": True}
    assert document["plain_mean_gap_percent"] == pytest.approx(-100 / 12)
    text = run("bench", "jsplib", "--file", str(TINY), "--only", "tiny3", "--time-limit", "1")
    assert "tiny3" in text.stdout and "mean gap" in text.stdout


def test_an_unknown_benchmark_instance_or_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="ft99"):
        run_jsplib_bench(RunJsplibBench(file=TINY, only=("ft99",)))
    with pytest.raises(NotFound, match="no benchmark file"):
        run_jsplib_bench(RunJsplibBench(file=tmp_path / "none.json"))
