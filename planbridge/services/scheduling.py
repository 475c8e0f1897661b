"""Finite-capacity scheduling of the loaded plant, saved schedules, and the job-shop benchmark."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from planbridge.errors import BadRequest, NotFound, PlanbridgeError
from planbridge.services.context import ServiceContext
from planbridge.services.quoting import order_outlook
from planning_core.checker import CheckReport, check_plan
from planning_core.model import PlantSnapshot
from planning_core.scheduling.benchmark import BenchRow, BenchSummary, run_bench
from planning_core.scheduling.campaigns import MAX_WINDOW_DAYS, CampaignPolicy
from planning_core.scheduling.cpsat import ProgressFn
from planning_core.scheduling.dispatch import HorizonExceeded
from planning_core.scheduling.jobshop import UnknownInstance, load_instances
from planning_core.scheduling.plant import PlantSchedule, schedule_plant
from planning_core.scheduling.saved import SavedSchedule
from planning_core.scheduling.utilization import utilization

UTILIZATION_DAYS = 14
DEFAULT_JSPLIB = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench" / "jsplib_public.json"


@dataclass(frozen=True)
class MakeSchedule:
    as_of: date | None = None
    time_limit: float = 30.0
    workers: int = 2
    save: bool = False
    seed: int = 0
    campaign_window_days: int = CampaignPolicy().window_days  # 0: no batches merged across orders


@dataclass(frozen=True)
class ScheduleResult:
    as_of: date
    schedule: PlantSchedule
    check: CheckReport
    document: dict[str, Any]
    snapshot: PlantSnapshot
    saved_id: int | None = None
    projected_late: tuple[str, ...] | None = None  # late on finite capacity by the promise engine, to compare

    @property
    def late_orders(self) -> list[str]:
        return [o.order_id for o in self.schedule.orders if o.late_days]


def make_schedule(cmd: MakeSchedule, ctx: ServiceContext, *, progress: ProgressFn | None = None) -> ScheduleResult:
    """Schedule all open orders; every schedule goes through the independent checker before it is returned."""
    if cmd.time_limit <= 0:
        raise BadRequest(f"--time-limit must be positive, not {cmd.time_limit:g}")
    if cmd.workers < 1:
        raise BadRequest(f"--workers must be at least 1, not {cmd.workers}")
    if not 0 <= cmd.campaign_window_days <= MAX_WINDOW_DAYS:
        raise BadRequest(f"--campaign-window must be 0 to {MAX_WINDOW_DAYS} days, not {cmd.campaign_window_days}")
    snapshot = ctx.snapshot()
    as_of = ctx.as_of(cmd.as_of, snapshot)
    try:
        schedule = schedule_plant(snapshot, as_of, time_limit=cmd.time_limit, workers=cmd.workers, seed=cmd.seed,
                                  progress=progress, campaigns=CampaignPolicy(window_days=cmd.campaign_window_days))
    except HorizonExceeded as exc:
        raise PlanbridgeError(f"the open orders do not fit into four years of working time ({exc})") from None
    check = check_plan(schedule.plan, snapshot, precedence="strict")
    document = schedule_document(schedule, snapshot, as_of=as_of, check=check)
    projected = tuple(sorted(o.order_id for o in order_outlook(ctx, as_of=as_of)
                             if o.projected_date is None or o.projected_date > o.promised_date))
    document["projected_late_orders"] = list(projected)
    result = ScheduleResult(as_of, schedule, check, document, snapshot, projected_late=projected)
    if cmd.save:
        result = save(result, ctx)
    return result


def save(result: ScheduleResult, ctx: ServiceContext) -> ScheduleResult:
    """Store the schedule's document so the digest and utilisation KPIs read it."""
    with ctx.uow_factory() as uow:
        version = uow.plant.version()
        saved_id = uow.schedules.add(as_of=result.as_of, plant_version=version, at=ctx.clock.now(),
                                     status=str(result.document["solver"]["status"]), document=result.document)
        uow.commit()
    return ScheduleResult(result.as_of, result.schedule, result.check, {**result.document, "saved_id": saved_id},
                          result.snapshot, saved_id, result.projected_late)


def latest_saved_schedule(ctx: ServiceContext) -> SavedSchedule | None:
    """The newest saved schedule (any plant version: compare `plant_version` to know if it is current)."""
    with ctx.uow_factory() as uow:
        return uow.schedules.latest()


def schedule_document(schedule: PlantSchedule, snapshot: PlantSnapshot, *, as_of: date,
                      check: CheckReport) -> dict[str, Any]:
    """The `planbridge schedule --json` document (CONTRACT section 2, with extra keys)."""
    axis = schedule.plan.axis
    shares = utilization(schedule.plan, snapshot, days=UTILIZATION_DAYS)
    load: dict[str, float] = {}
    for op in schedule.plan.operations:
        load[op.resource_id] = load.get(op.resource_id, 0.0) + op.minutes
    report = schedule.report
    main = report.objectives
    bound = report.bound
    return {
        "as_of": as_of.isoformat(),
        "operations": [
            {"order_id": op.demand_id, "item_id": op.item_id, "step": op.step, "resource_id": op.resource_id,
             "start": axis.to_datetime(op.start).isoformat(), "end": axis.to_datetime(op.end).isoformat(),
             "qty": round(op.qty, 6), "batch_id": op.batch_id, "setup_minutes": round(op.setup_minutes, 3)}
            for op in sorted(schedule.plan.operations, key=lambda o: (o.start, o.resource_id))
        ],
        "orders": [
            {"order_id": o.order_id, "customer": o.customer, "item_id": o.item_id, "qty": o.qty,
             "priority": o.priority.value, "promised_date": o.promised_date.isoformat(),
             "completion": axis.to_datetime(o.completion).isoformat() if o.completion is not None else None,
             "completion_date": o.completion_date.isoformat() if o.completion_date else None,
             "late_days": o.late_days, "reason": o.reason}
            for o in schedule.orders
        ],
        "resources": [
            {"resource_id": r.resource_id, "name": r.name, "units": r.units,
             "utilization_next_14_days": round(shares.get(r.resource_id, 0.0), 4),
             "load_minutes": round(load.get(r.resource_id, 0.0), 1)}
            for r in sorted(snapshot.resources.values(), key=lambda r: r.resource_id)
        ],
        "purchases": [
            {"item_id": p.item_id, "qty": p.qty, "arrival": axis.to_datetime(p.arrival).date().isoformat()}
            for p in schedule.plan.purchases
        ],
        "merged_batches": [
            {"batch_id": b.batch_id, "item_id": b.item_id,
             "orders": [{"order_id": order_id, "qty": qty} for order_id, qty in b.shares]}
            for b in schedule.plan.merged_batches
        ],
        "solver": {
            "status": report.status.value,
            "method": report.method,
            "objective": main.weighted_tardiness,
            "bound": bound,
            "gap": _gap(main.weighted_tardiness, bound),
            "seconds": round(report.seconds, 3),
            "first_feasible_seconds": round(report.first_feasible_seconds, 3),
            "objectives": {"rush_tardiness_minutes": main.rush_tardiness,
                           "weighted_tardiness_minutes": main.weighted_tardiness,
                           "flow_time_minutes": main.flow_time},
            "baseline": {"method": "edd", "rush_tardiness_minutes": report.baseline.rush_tardiness,
                         "weighted_tardiness_minutes": report.baseline.weighted_tardiness,
                         "flow_time_minutes": report.baseline.flow_time},
            "warm_start": None if report.warm_start is None else {
                "weighted_tardiness_minutes": report.warm_start.weighted_tardiness,
                "flow_time_minutes": report.warm_start.flow_time},
            "stages": [{"name": s.name, "status": s.status.value, "value": s.value, "bound": s.bound,
                        "seconds": round(s.seconds, 3)} for s in report.stages],
            "windows": report.windows,
            "setup_minutes": round(sum(op.setup_minutes for op in schedule.plan.operations), 1),
            "checked": check.ok,
            "violations": [str(v) for v in check.violations],
        },
        "summary": {
            "orders": len(schedule.orders),
            "late_orders": sum(1 for o in schedule.orders if o.late_days),
            "unscheduled_orders": sum(1 for o in schedule.orders if o.completion is None),
        },
    }


def _gap(objective: int, bound: int | None) -> float | None:
    if bound is None:
        return None
    if objective == 0:
        return 0.0
    return round(max(0.0, (objective - bound) / objective), 6)


@dataclass(frozen=True)
class RunJsplibBench:
    file: Path | None = None
    time_limit: float = 10.0
    workers: int = 2
    only: Sequence[str] = ()
    seed: int = 0


def run_jsplib_bench(cmd: RunJsplibBench, *, on_row: Callable[[BenchRow], None] | None = None) -> BenchSummary:
    """Both models on every instance of the file; no database needed."""
    if cmd.time_limit <= 0:
        raise BadRequest(f"--time-limit must be positive, not {cmd.time_limit:g}")
    if cmd.workers < 1:
        raise BadRequest(f"--workers must be at least 1, not {cmd.workers}")
    path = (cmd.file or DEFAULT_JSPLIB).resolve()
    if not path.is_file():
        raise NotFound(f"no benchmark file at {path}")
    try:
        instances = load_instances(path, only=cmd.only)
    except UnknownInstance as exc:
        raise NotFound(str(exc)) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise BadRequest(f"{path}: not a job-shop benchmark file ({exc})") from None
    return run_bench(instances, time_limit=cmd.time_limit, workers=cmd.workers, seed=cmd.seed, on_row=on_row)
