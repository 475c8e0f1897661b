"""Material planning, KPIs and the statistical forecast: what the CLI, REST API, bot and digest call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from planbridge.errors import BadRequest
from planbridge.services.context import ServiceContext
from planbridge.services.quoting import order_outlook
from planning_core.forecasting import ForecastRun, ForecastSettings, SavedForecast, forecast_demand
from planning_core.kpi import (
    KpiReport,
    Utilization,
    delivery_window,
    kpi_report,
    rough_cut_utilization,
    saved_utilization,
)
from planning_core.model import PlantSnapshot
from planning_core.mrp import BucketSize, MrpParams, MrpResult, run_mrp, shortage_line

MAX_HORIZON_DAYS = 3 * 366
MAX_PERIOD_DAYS = 10 * 366
MAX_FORECAST_WEEKS = 156


# -- MRP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MrpCommand:
    horizon_days: int = 90
    bucket: str = "day"  # "day" or "week"
    as_of: date | None = None
    use_forecast: bool = True


@dataclass(frozen=True)
class MrpAnswer:
    result: MrpResult
    snapshot: PlantSnapshot

    @property
    def shortage_lines(self) -> list[str]:
        """"Motor 5.5 kW short 5 pcs on 2027-01-07 → A-2 Beta Water", one per shortage."""
        return [shortage_line(s, self.snapshot) for s in self.result.shortages]

    def write_csv(self, folder: Path) -> list[Path]:
        """planned_orders.csv, shortages.csv, exceptions.csv and mrp_record.csv (the MRP grid)."""
        folder.mkdir(parents=True, exist_ok=True)
        tables = {
            "planned_orders.csv": self.result.planned_orders_frame(),
            "shortages.csv": self.result.shortages_frame(),
            "exceptions.csv": self.result.messages_frame(),
            "mrp_record.csv": self.result.record_frame(),
        }
        written = []
        for name, frame in tables.items():
            path = folder / name
            frame.to_csv(path, index=False)
            written.append(path)
        return written


def mrp_params(cmd: MrpCommand, as_of: date) -> MrpParams:
    if cmd.horizon_days <= 0:
        raise BadRequest(f"--horizon-days must be a positive number of days, not {cmd.horizon_days}")
    if cmd.horizon_days > MAX_HORIZON_DAYS:
        raise BadRequest(f"--horizon-days {cmd.horizon_days} is too long: at most {MAX_HORIZON_DAYS} days")
    try:
        bucket = BucketSize(cmd.bucket.strip().lower())
    except ValueError:
        raise BadRequest(f"--bucket must be 'day' or 'week', not {cmd.bucket!r}") from None
    return MrpParams(as_of=as_of, horizon_days=cmd.horizon_days, bucket=bucket, use_forecast=cmd.use_forecast)


def material_plan(cmd: MrpCommand, ctx: ServiceContext) -> MrpAnswer:
    """Time-phased MRP of the loaded plant."""
    snapshot = ctx.snapshot()
    params = mrp_params(cmd, ctx.as_of(cmd.as_of, snapshot))
    return MrpAnswer(run_mrp(snapshot, params), snapshot)


# -- KPIs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiCommand:
    period_days: int = 30
    as_of: date | None = None
    first: date | None = None  # a window asked about ("this month"): deliveries in it, and its load
    last: date | None = None


@dataclass(frozen=True)
class KpiAnswer:
    report: KpiReport
    snapshot: PlantSnapshot


def kpis(cmd: KpiCommand, ctx: ServiceContext) -> KpiAnswer:
    """Every KPI of CONTRACT §2 and the lists behind them.

    Shortages come from the same MRP run as `planbridge mrp` with its defaults (90 days,
    day buckets, forecast included). Utilisation comes from the newest saved schedule when
    it was made for this plant version and as-of date, else from a rough-cut load.
    """
    if cmd.period_days <= 0:
        raise BadRequest(f"--period-days must be a positive number of days, not {cmd.period_days}")
    if cmd.period_days > MAX_PERIOD_DAYS:  # the history window (and its trend) goes back this far
        raise BadRequest(f"--period-days {cmd.period_days} is too long: at most {MAX_PERIOD_DAYS} days")
    snapshot = ctx.snapshot()
    as_of = ctx.as_of(cmd.as_of, snapshot)
    plan = run_mrp(snapshot, MrpParams(as_of=as_of))
    utilization = _utilization(ctx, snapshot, as_of=as_of, plan=plan)
    report = kpi_report(snapshot, as_of=as_of, period_days=cmd.period_days, shortages=plan.shortages,
                        utilization=utilization)
    if cmd.first is not None and cmd.last is not None:
        report = _in_window(report, snapshot, as_of=as_of, first=cmd.first, last=cmd.last, plan=plan)
    late = [o for o in order_outlook(ctx, as_of=as_of) if o.projected_date is None or o.projected_date > o.promised_date]
    report = replace(report, extra={**report.extra, "projected_late_orders": len(late), "projected_late": [
        {"order_id": o.order_id, "promised_date": o.promised_date.isoformat(),
         "projected_date": o.projected_date.isoformat() if o.projected_date else None} for o in late]})
    return KpiAnswer(report, snapshot)


def _in_window(report: KpiReport, snapshot: PlantSnapshot, *, as_of: date, first: date, last: date,
               plan: MrpResult) -> KpiReport:
    """The report for a window asked about: deliveries shipped in it (up to today), and the rough-cut
    load of what of it lies ahead (a window already over keeps the next 14 days and says so)."""
    if last < first:
        raise BadRequest(f"the window ends ({last}) before it starts ({first})")
    shipped_until = min(last, as_of)
    period = delivery_window(snapshot, last=shipped_until, days=max((shipped_until - first).days + 1, 0))
    extra: dict[str, object] = {"window": {"from": first.isoformat(), "to": last.isoformat()}}
    utilization = report.utilization
    if last >= as_of:
        start = max(first, as_of)
        rough = rough_cut_utilization(snapshot, as_of=start, planned=plan.planned_orders,
                                      days=(last - start).days + 1, skip_due_before=start)
        utilization = Utilization(rough.source, rough.resources, f"rough-cut load {start} to {last}")
        extra["load_window"] = {"from": start.isoformat(), "to": last.isoformat()}
    else:
        extra["asked_window"] = {"from": first.isoformat(), "to": last.isoformat()}
    return replace(report, period=period, period_days=(last - first).days + 1, utilization=utilization,
                   extra={**report.extra, **extra})


def _utilization(ctx: ServiceContext, snapshot: PlantSnapshot, *, as_of: date, plan: MrpResult) -> Utilization:
    with ctx.uow_factory() as uow:
        saved = uow.schedules.latest()
        version = uow.plant.version()
    if saved is not None and saved.plant_version == version and saved.as_of == as_of:
        return saved_utilization(saved.document, snapshot,
                                 note=f"saved schedule #{saved.schedule_id} of {saved.created_at:%Y-%m-%d %H:%M} UTC")
    rough = rough_cut_utilization(snapshot, as_of=as_of, planned=plan.planned_orders)
    if saved is None:
        reason = "no saved schedule"
    else:
        reason = f"the saved schedule #{saved.schedule_id} is for as-of {saved.as_of} and plant version {saved.plant_version}"
    return Utilization(rough.source, rough.resources, f"rough-cut load ({reason}; run `planbridge schedule --save`)")


# -- statistical forecast --------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastCommand:
    horizon_weeks: int = 12
    holdout_weeks: int = 8
    save: bool = False
    override_imported: bool = False
    as_of: date | None = None


@dataclass(frozen=True)
class ForecastAnswer:
    run: ForecastRun
    saved: SavedForecast | None = None


def statistical_forecast(cmd: ForecastCommand, ctx: ServiceContext) -> ForecastAnswer:
    """Forecast weekly demand per item from shipments; with `save`, store it where MRP reads it."""
    for name, value in (("--horizon-weeks", cmd.horizon_weeks), ("--holdout-weeks", cmd.holdout_weeks)):
        if value <= 0:
            raise BadRequest(f"{name} must be a positive number of weeks, not {value}")
        if value > MAX_FORECAST_WEEKS:
            raise BadRequest(f"{name} {value} is too long: at most {MAX_FORECAST_WEEKS} weeks")
    snapshot = ctx.snapshot()
    as_of = ctx.as_of(cmd.as_of, snapshot)
    run = forecast_demand(snapshot, as_of=as_of,
                          settings=ForecastSettings(horizon_weeks=cmd.horizon_weeks, holdout_weeks=cmd.holdout_weeks))
    if not cmd.save:
        return ForecastAnswer(run)
    with ctx.uow_factory() as uow:
        saved = uow.forecasts.save_statistical(run.entries(), first_period=run.first_period,
                                               override_imported=cmd.override_imported)
        uow.plant.bump_version()  # cached snapshots reload with the new forecast
        uow.commit()
    return ForecastAnswer(run, saved)
