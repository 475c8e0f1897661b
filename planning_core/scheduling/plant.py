"""Finite-capacity schedule of a plant: build the problem, solve it, and return a checked-ready `Plan`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from planning_core.calendars import Minutes
from planning_core.model import PlantSnapshot, Priority
from planning_core.plan import Delivery, MergedBatch, Operation, Plan
from planning_core.scheduling.campaigns import NO_CAMPAIGNS, CampaignPolicy, merge_batches
from planning_core.scheduling.cpsat import ProgressFn
from planning_core.scheduling.dispatch import HorizonExceeded, edd
from planning_core.scheduling.plant_problem import Explosion, PlantProblem, assemble, explode, initial_horizon_days
from planning_core.scheduling.problem import Task
from planning_core.scheduling.scheduler import SolveReport, best_dispatch, solve_problem
from planning_core.scheduling.solution import Placement, Schedule, completions, occupied

MAX_HORIZON_DAYS = 4 * 366
T = TypeVar("T")
MIN_SOLVE_SECONDS = 0.5
CAMPAIGN_CHECK_TASKS = 5000  # above this, dispatching twice more would delay the first schedule too much


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """One open order in the schedule: when it completes and how late that is."""

    order_id: str
    customer: str
    item_id: str
    qty: float
    priority: Priority
    promised_date: date
    completion: Minutes | None  # None: it cannot be scheduled (see `reason`)
    completion_date: date | None
    late_days: int | None
    reason: str | None = None


@dataclass(frozen=True)
class PlantSchedule:
    plan: Plan
    orders: tuple[OrderOutcome, ...]
    report: SolveReport
    horizon_days: int


def schedule_plant(
    snapshot: PlantSnapshot,
    as_of: date,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    progress: ProgressFn | None = None,
    campaigns: CampaignPolicy = NO_CAMPAIGNS,
) -> PlantSchedule:
    """Schedule every open order in about `time_limit` seconds, problem building included
    (the EDD baseline if nothing beats it); `campaigns` says which orders' batches to merge."""
    started = time.perf_counter()

    def solve(plant: PlantProblem) -> SolveReport:
        left = max(MIN_SOLVE_SECONDS, time_limit - (time.perf_counter() - started))
        return solve_problem(plant.problem, time_limit=left, workers=workers, seed=seed, progress=progress)

    plant, report, days = _within_horizon(snapshot, as_of, solve, campaigns)
    return PlantSchedule(plan_from_schedule(plant, report.schedule), outcomes(plant, report.schedule), report, days)


def edd_schedule(snapshot: PlantSnapshot, as_of: date, *,
                 campaigns: CampaignPolicy = NO_CAMPAIGNS) -> tuple[PlantProblem, Schedule]:
    """The dispatching baseline alone (earliest due date, rush first)."""
    plant, schedule, _ = _within_horizon(snapshot, as_of, lambda plant: edd(plant.problem), campaigns)
    return plant, schedule


def _within_horizon(snapshot: PlantSnapshot, as_of: date, solve: Callable[[PlantProblem], T],
                    campaigns: CampaignPolicy) -> tuple[PlantProblem, T, int]:
    """Solve over calendars expanded far enough: twice as far each time the work does not fit."""
    explosion = explode(snapshot, as_of)
    days = initial_horizon_days(explosion)
    while True:
        try:
            merged = _with_campaigns(snapshot, explosion, campaigns, days=days)
            plant = assemble(snapshot, merged, days=days)
            return plant, solve(plant), days
        except HorizonExceeded:
            if days >= MAX_HORIZON_DAYS:
                raise
            days = min(2 * days, MAX_HORIZON_DAYS)


def _with_campaigns(snapshot: PlantSnapshot, explosion: Explosion, campaigns: CampaignPolicy, *,
                    days: int) -> Explosion:
    """The explosion with its campaigns merged, judged by the slack an EDD schedule without them
    projects; kept only if the best dispatching schedule (where the solver starts) is no worse with
    them (a merged batch ties orders together, which the other dispatching rules may not like)."""
    if campaigns.window_days == 0:
        return explosion
    plain = assemble(snapshot, explosion, days=days).problem
    done = completions(plain, edd(plain))
    slack = {d.order_id: d.due - end for d, end in zip(plain.demands, done, strict=True)}
    merged = merge_batches(explosion, snapshot, campaigns, slack=slack)
    if merged is explosion or len(plain.tasks) > CAMPAIGN_CHECK_TASKS:
        return merged
    with_campaigns = assemble(snapshot, merged, days=days).problem
    better = best_dispatch(with_campaigns).key(plain.objective) <= best_dispatch(plain).key(plain.objective)
    return merged if better else explosion


def plan_from_schedule(plant: PlantProblem, schedule: Schedule) -> Plan:
    """Operations cut at the calendars' breaks (one per working interval), purchases and deliveries."""
    problem = plant.problem
    operations: list[Operation] = []
    for task, placement in zip(problem.tasks, schedule.placements, strict=True):
        operations.extend(_operations(plant, task, placement))
    deliveries = []
    for order, done in zip(plant.orders, completions(problem, schedule), strict=True):
        deliveries.append(Delivery(order.order_id, order.item_id, order.qty, float(done)))
    return Plan(
        axis=plant.axis,
        operations=tuple(operations),
        purchases=plant.explosion.purchases,
        deliveries=tuple(deliveries),
        supply_uses=plant.explosion.supply_uses,
        merged_batches=tuple(MergedBatch(job.job_id, job.item_id, job.shares) for job in problem.jobs if job.shares),
    )


def _operations(plant: PlantProblem, task: Task, placement: Placement) -> list[Operation]:
    job = plant.problem.jobs[task.job]
    calendar = plant.problem.working_time(placement.resource_id)
    work = occupied(task, placement.setup)
    pieces = calendar.pieces(placement.work_start, work) or [(placement.start, placement.start)]
    setup = task.setup if placement.setup is None else float(placement.setup)
    setup_left = min(setup, float(work))
    run_total = work - setup_left
    operations = []
    assigned = 0.0
    started = job.qty if task.qty is None else task.qty  # units the step starts
    for position, (start, end) in enumerate(pieces):
        setup = min(setup_left, float(end - start))
        setup_left -= setup
        if position == len(pieces) - 1:
            qty = started - assigned
        else:
            qty = started * (end - start - setup) / run_total if run_total > 0 else 0.0
        assigned += qty
        operations.append(Operation(
            item_id=job.item_id, step=task.step, resource_id=placement.resource_id, start=float(start),
            end=float(end), qty=qty, demand_id=job.order_id, setup_minutes=setup, batch_id=job.job_id,
        ))
    return operations


def outcomes(plant: PlantProblem, schedule: Schedule) -> tuple[OrderOutcome, ...]:
    """Per open order: completion, promised date and days late; unschedulable orders last."""
    axis = plant.axis
    rows = []
    for order, demand, done in zip(plant.orders, plant.problem.demands, completions(plant.problem, schedule),
                                   strict=True):
        # Received goods are there from 00:00 of their day; goods made by midnight belong to the day that ends.
        made = [schedule.placements[t].end for t in demand.final_tasks]
        day = max([axis.date_of(float(demand.ready)), *(axis.completion_date(float(end)) for end in made)])
        rows.append(OrderOutcome(order.order_id, order.customer, order.item_id, order.qty, order.priority,
                                 order.due_date, float(done), day, max(0, (day - order.due_date).days)))
    for order, reason in plant.explosion.unschedulable:
        rows.append(OrderOutcome(order.order_id, order.customer, order.item_id, order.qty, order.priority,
                                 order.due_date, None, None, None, reason))
    return tuple(rows)
