"""The material services on a real database (SQLite, and PostgreSQL when configured), and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planbridge.cli import app
from planbridge.errors import BadRequest
from planbridge.presentation.documents import kpi_document
from planbridge.services import material
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planning_core.model import OrderStatus, PlantSnapshot
from tests.conftest import make_services
from tests.plants import MONDAY, bench_plant

PUMPS_AS_OF = date(2027, 1, 4)


def demand_history() -> PlantSnapshot:
    """BOLT: 12 a week for 30 weeks, shipped; NUT has an imported forecast; nothing is open."""
    b = bench_plant().buy("BOLT", lead_time_days=3).buy("NUT", lead_time_days=3)
    for k in range(1, 31):
        day = MONDAY - timedelta(weeks=k) + timedelta(days=1)
        b.order(f"B-{k}", "BOLT", 12, day, status=OrderStatus.SHIPPED, shipped=day)
        b.order(f"N-{k}", "NUT", 5, day, status=OrderStatus.SHIPPED, shipped=day)
    for k in range(4):
        b.forecast_qty("NUT", MONDAY + timedelta(weeks=k), 7)
    return b.build()


@pytest.fixture
def history_services(db_url: str) -> ServiceContext:
    services = make_services(db_url)
    store_plant(demand_history(), services, replace=False)
    return services


@pytest.fixture
def pumps_services(sqlite_url: str, pumps: PlantSnapshot) -> ServiceContext:
    services = make_services(sqlite_url)
    store_plant(pumps, services, replace=False)
    return services


def test_saved_forecast_is_what_mrp_plans_with(history_services: ServiceContext) -> None:
    ctx = history_services
    version = _version(ctx)
    answer = material.statistical_forecast(
        material.ForecastCommand(horizon_weeks=4, save=True, as_of=MONDAY), ctx
    )
    assert answer.saved is not None
    # BOLT gets 4 statistical weeks; NUT keeps the 4 imported weeks (7 a week)
    assert (answer.saved.written, answer.saved.items, answer.saved.kept_imported) == (4, 1, ("NUT",))
    assert _version(ctx) == version + 1
    with ctx.uow_factory() as uow:
        rows = uow.forecasts.all()
    assert sorted({(e.item_id, source) for e, source in rows}) == [("BOLT", "statistical"), ("NUT", "import")]
    bolt = [e.qty for e, _ in rows if e.item_id == "BOLT"]
    assert bolt == pytest.approx([12] * 4, abs=0.01)

    plan = material.material_plan(material.MrpCommand(horizon_days=28, as_of=MONDAY), ctx)
    ordered = {p.item_id: sum(q.qty for q in plan.result.planned_orders if q.item_id == p.item_id)
               for p in plan.result.planned_orders}
    assert ordered == {"BOLT": 48, "NUT": 28}

    # saving again replaces the statistical rows; overriding replaces NUT's imported ones too
    again = material.statistical_forecast(
        material.ForecastCommand(horizon_weeks=4, save=True, override_imported=True, as_of=MONDAY), ctx
    )
    assert again.saved is not None and (again.saved.written, again.saved.replaced_imported) == (8, 4)
    with ctx.uow_factory() as uow:
        rows = uow.forecasts.all()
    assert len(rows) == 8 and {source for _, source in rows} == {"statistical"}


def _version(ctx: ServiceContext) -> int:
    with ctx.uow_factory() as uow:
        return uow.plant.version()


def test_kpi_reads_a_saved_schedule_for_the_same_day_and_plant(pumps_services: ServiceContext) -> None:
    ctx = pumps_services
    rough = kpi_document(material.kpis(material.KpiCommand(as_of=PUMPS_AS_OF), ctx)).to_dict()
    assert rough["utilization_source"] == "rough_cut"
    assert rough["utilization_next_14_days"]["ASSY"] == 0.15  # 30 pumps × 24 min of 10 × 480 min
    with ctx.uow_factory() as uow:
        document = {"resources": [{"resource_id": "ASSY", "utilization_next_14_days": 0.2}]}
        uow.schedules.add(as_of=PUMPS_AS_OF, plant_version=uow.plant.version(), status="OPTIMAL", document=document,
                          at=datetime.now(UTC))
        uow.commit()
    saved = kpi_document(material.kpis(material.KpiCommand(as_of=PUMPS_AS_OF), ctx)).to_dict()
    assert saved["utilization_source"] == "schedule"
    assert saved["utilization_next_14_days"] == {"ASSY": 0.2, "DRILL1": None, "DRILL2": None, "LATHE": None}
    other_day = kpi_document(material.kpis(material.KpiCommand(as_of=PUMPS_AS_OF + timedelta(days=1)), ctx)).to_dict()
    assert other_day["utilization_source"] == "rough_cut"


def test_pumps_kpis_match_the_public_cases(pumps_services: ServiceContext) -> None:
    report = kpi_document(material.kpis(material.KpiCommand(as_of=PUMPS_AS_OF), pumps_services)).to_dict()
    # shipped Dec 18 (due Dec 15: late), Dec 21 and Dec 28 (on time): 2 of 3
    assert report["otd_last_30_days"] == 0.6667
    assert report["otif_last_30_days"] == 0.6667
    assert report["backlog_orders"] == 2 and report["late_open_orders"] == 0
    assert report["shortages"] == 0
    for key in ("otd_last_30_days", "otif_last_30_days", "backlog_orders", "late_open_orders",
                "utilization_next_14_days", "shortages"):
        assert key in report


@pytest.mark.parametrize(
    "command",
    [
        material.MrpCommand(horizon_days=0),
        material.MrpCommand(horizon_days=-7),
        material.MrpCommand(bucket="month"),
        material.MrpCommand(horizon_days=100_000),
    ],
)
def test_bad_mrp_requests_are_refused(pumps_services: ServiceContext, command: material.MrpCommand) -> None:
    with pytest.raises(BadRequest):
        material.material_plan(command, pumps_services)


def test_bad_kpi_and_forecast_requests_are_refused(pumps_services: ServiceContext) -> None:
    with pytest.raises(BadRequest):
        material.kpis(material.KpiCommand(period_days=0), pumps_services)
    with pytest.raises(BadRequest):
        material.statistical_forecast(material.ForecastCommand(horizon_weeks=0), pumps_services)


# -- the command line ------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def pumps_db(pumps_services: ServiceContext, sqlite_url: str) -> str:
    return sqlite_url


def test_cli_kpi_json(pumps_db: str) -> None:
    code, out, _ = cli("kpi", "--db", pumps_db, "--as-of", "2027-01-04", "--json")
    assert code == 0
    document = json.loads(out)
    assert (document["otd_last_30_days"], document["backlog_orders"]) == (0.6667, 2)


def test_cli_mrp_json_and_csv(pumps_db: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "mrp"
    code, out, err = cli("mrp", "--db", pumps_db, "--as-of", "2027-01-04", "--json", "--csv", str(out_dir))
    assert code == 0, err
    document = json.loads(out)
    assert {"planned_orders", "shortages", "exceptions"} <= set(document)
    assert set(document["planned_orders"][0]) >= {"item_id", "qty", "type", "release_date", "due_date"}
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "exceptions.csv", "mrp_record.csv", "planned_orders.csv", "shortages.csv",
    ]
    assert (out_dir / "planned_orders.csv").read_text().splitlines()[1].startswith("PUMP-A,10,make,")


def test_cli_mrp_text(pumps_db: str) -> None:
    code, out, _ = cli("mrp", "--db", pumps_db, "--as-of", "2027-01-04", "--bucket", "week")
    assert code == 0
    assert "1 planned orders" in out and "PUMP-A" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mrp", "--horizon-days", "0"], "--horizon-days must be a positive number of days"),
        (["mrp", "--horizon-days", "-5"], "--horizon-days must be a positive number of days"),
        (["mrp", "--horizon-days", "ten"], "is not a whole number"),
        (["mrp", "--bucket", "month"], "--bucket must be 'day' or 'week'"),
        (["kpi", "--period-days", "0"], "--period-days must be a positive number of days"),
        (["forecast", "--horizon-weeks", "0"], "--horizon-weeks must be a positive number of weeks"),
        (["forecast", "--override-imported"], "--override-imported only makes sense with --save"),
    ],
)
def test_cli_bad_input_exits_2_with_one_clear_line(pumps_db: str, args: list[str], message: str) -> None:
    code, out, err = cli(*args, "--db", pumps_db, "--as-of", "2027-01-04")
    assert code == 2
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err
