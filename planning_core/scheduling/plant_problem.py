"""From a plant snapshot to a `SchedulingProblem`: open orders exploded through the BOM.

Every open (confirmed) sales order becomes a demand. Its item, and then level by level
its components, are first netted against existing supply (`netting.SupplyPool`); what
is still missing of a made item becomes a batch of that order (one per order and
item), whose routing steps are the tasks. A batch starts after its components' batches
have finished and after the bought or received components it uses have arrived.
Released and running work orders keep their places and block their resource.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from planning_core.calendars import TimeAxis, working_minutes
from planning_core.model import ExceptionKind, ItemType, PlantSnapshot, Priority, SalesOrder, WorkOrderStatus
from planning_core.plan import Purchase, SupplyUse
from planning_core.scheduling.netting import EPSILON, SupplyPool
from planning_core.scheduling.problem import (
    Blocked,
    Demand,
    Job,
    ObjectiveKind,
    ResourceSpec,
    SchedulingProblem,
    Task,
)
from planning_core.scheduling.timeline import WorkingTime


@dataclass(frozen=True, slots=True)
class BatchSpec:
    batch_id: str
    order_id: str
    item_id: str
    qty: float
    release: int  # when its bought and stocked components are all there
    after: tuple[str, ...]  # batches (of its components) that must finish first
    shares: tuple[tuple[str, float], ...] = ()  # a merged batch: each order it serves, with its quantity


@dataclass(frozen=True)
class OrderExplosion:
    order: SalesOrder
    batches: tuple[BatchSpec, ...]  # components before parents
    final_batch: str | None  # the batch of the ordered item itself, if any is made
    ready: int  # when the stock, receipts or purchases allocated to the order itself are there


@dataclass(frozen=True)
class Explosion:
    as_of: date
    orders: tuple[OrderExplosion, ...]  # in netting sequence: rush first, then by due date
    unschedulable: tuple[tuple[SalesOrder, str], ...]
    purchases: tuple[Purchase, ...]
    supply_uses: tuple[SupplyUse, ...]


@dataclass(frozen=True)
class PlantProblem:
    """The solver-neutral problem plus what is needed to turn its solution back into a `Plan`."""

    problem: SchedulingProblem
    axis: TimeAxis
    explosion: Explosion

    @property
    def orders(self) -> tuple[SalesOrder, ...]:
        """The sales order of each demand, by demand index."""
        return tuple(o.order for o in self.explosion.orders)


def netting_sequence(orders: tuple[SalesOrder, ...]) -> list[SalesOrder]:
    return sorted(orders, key=lambda o: (o.priority is not Priority.RUSH, o.due_date, -o.priority.weight, o.order_id))


def explode(snapshot: PlantSnapshot, as_of: date) -> Explosion:
    """Net every open order against supply and make the batches for what is missing."""
    axis = TimeAxis(as_of, snapshot.plant.timezone, 1)
    pool = SupplyPool(snapshot, axis)
    working = _resources_that_work(snapshot, as_of)
    rank = {item_id: i for i, item_id in enumerate(snapshot.topological_order)}
    exploded: list[OrderExplosion] = []
    failed: list[tuple[SalesOrder, str]] = []
    uses: list[SupplyUse] = []
    for order in netting_sequence(snapshot.open_orders):
        result, order_uses, problem = _explode_order(order, snapshot, pool, rank, working)
        if problem is not None:
            pool.give_back(order_uses)
            failed.append((order, problem))
            continue
        assert result is not None
        exploded.append(result)
        uses.extend(order_uses)
    return Explosion(as_of, tuple(exploded), tuple(failed), pool.new_purchases(), tuple(uses))


def _explode_order(
    order: SalesOrder, snapshot: PlantSnapshot, pool: SupplyPool, rank: dict[str, int], working: set[str]
) -> tuple[OrderExplosion | None, list[SupplyUse], str | None]:
    needed: dict[str, float] = defaultdict(float)
    needed[order.item_id] = order.qty
    queue = [(rank[order.item_id], order.item_id)]
    uses: list[SupplyUse] = []
    arrived: dict[str, int] = {}  # latest arrival of the supply allocated, per item
    batch_qty: dict[str, float] = {}
    while queue:
        _, item_id = heapq.heappop(queue)  # parents come first: an item's need is complete when it is reached
        taken, missing = pool.take(item_id, needed[item_id], order.order_id)
        uses.extend(taken)
        arrived[item_id] = max((round(u.available_at) for u in taken), default=0)
        if missing <= EPSILON:
            continue
        problem = _why_unmakeable(item_id, snapshot, working)
        if problem is not None:
            return None, uses, problem
        batch_qty[item_id] = missing
        for line in snapshot.components_of.get(item_id, ()):
            if line.component_id not in needed:
                heapq.heappush(queue, (rank[line.component_id], line.component_id))
            # components go into every unit the first step starts (more than the batch, below 100% yield)
            needed[line.component_id] += missing * snapshot.started_per_good(item_id) * line.gross_qty_per
    batches = []
    for item_id in sorted(batch_qty, key=lambda i: -rank[i]):  # components before parents
        lines = snapshot.components_of.get(item_id, ())
        batches.append(BatchSpec(
            batch_id=f"{order.order_id}/{item_id}",
            order_id=order.order_id,
            item_id=item_id,
            qty=batch_qty[item_id],
            release=max((arrived[line.component_id] for line in lines), default=0),
            after=tuple(f"{order.order_id}/{line.component_id}" for line in lines if line.component_id in batch_qty),
        ))
    final = f"{order.order_id}/{order.item_id}" if order.item_id in batch_qty else None
    return OrderExplosion(order, tuple(batches), final, arrived[order.item_id]), uses, None


def _why_unmakeable(item_id: str, snapshot: PlantSnapshot, working: set[str]) -> str | None:
    item = snapshot.items[item_id]
    if item.type is ItemType.BUY:
        return None
    steps = snapshot.routing_of.get(item_id, ())
    if not steps:
        return f"{item_id} is a made item without a routing"
    for step in steps:
        if not any(r in working for r in step.resource_ids):
            return f"{item_id} step {step.step} has no resource with working time ({', '.join(step.resource_ids)})"
    return None


def _resources_that_work(snapshot: PlantSnapshot, as_of: date) -> set[str]:
    """Resources whose calendar has a weekly shift or a future extra shift."""
    result = set()
    for resource in snapshot.resources.values():
        calendar = snapshot.calendars[resource.calendar_id]
        if calendar.shifts or any(e.kind is ExceptionKind.OPEN and e.date >= as_of and e.start is not None
                                  for e in calendar.exceptions):
            result.add(resource.resource_id)
    return result


def initial_horizon_days(explosion: Explosion) -> int:
    """A first guess of how far ahead to expand calendars (the scheduler doubles it if needed)."""
    days = [(o.order.due_date - explosion.as_of).days for o in explosion.orders]
    days += [o.ready // (24 * 60) for o in explosion.orders]
    days += [b.release // (24 * 60) for o in explosion.orders for b in o.batches]
    return max(60, max(days, default=0) + 30)


def assemble(snapshot: PlantSnapshot, explosion: Explosion, *, days: int) -> PlantProblem:
    """The scheduling problem with calendars expanded over `days` days from the as-of date."""
    axis = TimeAxis(explosion.as_of, snapshot.plant.timezone, days)
    horizon = round(axis.day_start(explosion.as_of + timedelta(days=days)))
    calendars = {
        cid: WorkingTime.from_minutes(working_minutes(calendar, plant=snapshot.plant, axis=axis))
        for cid, calendar in snapshot.calendars.items()
    }
    resources = {r.resource_id: ResourceSpec(r.resource_id, r.calendar_id, r.units) for r in snapshot.resources.values()}
    tasks: list[Task] = []
    jobs: list[Job] = []
    precedences: list[tuple[int, int]] = []
    demands: list[Demand] = []
    last_task: dict[str, int] = {}
    changeovers = {(c.from_family, c.to_family): math.ceil(c.setup_minutes - 1e-9) for c in snapshot.setup_matrix}
    for batch in _in_build_order(explosion):
        first = len(tasks)
        job = _add_job(batch, snapshot, tasks, len(jobs), changeovers)
        jobs.append(job)
        precedences.extend(zip(job.tasks, job.tasks[1:], strict=False))
        precedences.extend((last_task[b], first) for b in batch.after)
        last_task[batch.batch_id] = job.tasks[-1]
    for exploded in explosion.orders:
        order = exploded.order
        final = (last_task[exploded.final_batch],) if exploded.final_batch is not None else ()
        demands.append(Demand(order.order_id, round(axis.day_end(order.due_date)), order.priority.weight,
                              order.priority is Priority.RUSH, final, exploded.ready))
    problem = SchedulingProblem(
        resources=resources,
        calendars=calendars,
        tasks=tuple(tasks),
        jobs=tuple(jobs),
        precedences=tuple(precedences),
        demands=tuple(demands),
        blocked=_blocked(snapshot, axis, resources),
        objective=ObjectiveKind.TARDINESS,
        horizon=horizon,
        changeovers=changeovers,
    )
    return PlantProblem(problem, axis, explosion)


def _in_build_order(explosion: Explosion) -> list[BatchSpec]:
    """Every batch once (a merged batch serves several orders), order by order in netting sequence,
    each after the batches it waits for (a merged batch may wait for another order's component)."""
    by_id = {batch.batch_id: batch for exploded in explosion.orders for batch in exploded.batches}
    ordered: dict[str, BatchSpec] = {}

    def visit(batch: BatchSpec) -> None:
        pending = [(batch, False)]  # explicit stack: BOMs may be deep
        while pending:
            current, expanded = pending.pop()
            if current.batch_id in ordered:
                continue
            if expanded:
                ordered[current.batch_id] = current
                continue
            pending.append((current, True))
            pending.extend((by_id[b], False) for b in reversed(current.after) if b not in ordered)

    for exploded in explosion.orders:
        for batch in exploded.batches:
            visit(batch)
    return list(ordered.values())


def _add_job(batch: BatchSpec, snapshot: PlantSnapshot, tasks: list[Task], job_index: int,
             changeovers: dict[tuple[str, str], int]) -> Job:
    indexes = []
    for position, step in enumerate(snapshot.routing_of[batch.item_id]):
        index = len(tasks)
        release = batch.release if position == 0 else 0
        started = batch.qty * snapshot.started_per_good(batch.item_id, step.step)  # what the step must start
        if step.setup_family is None:
            work = math.ceil(step.minutes_for(started) - 1e-9)
            tasks.append(Task(index, job_index, step.step, max(work, 0), step.resource_ids, release=release,
                              setup=step.setup_minutes, qty=started))
        else:
            # whole minutes of set-up, so that a shorter set-up shortens the task by exactly that much
            own = math.ceil(step.setup_minutes - 1e-9)
            longest = max([own, *(m for (_, to), m in changeovers.items() if to == step.setup_family)])
            run = math.ceil(started * step.run_minutes_per_unit - 1e-9)
            tasks.append(Task(index, job_index, step.step, longest + run, step.resource_ids, release=release,
                              setup=float(longest), family=step.setup_family, own_setup=own, qty=started))
        indexes.append(index)
    return Job(job_index, batch.batch_id, batch.item_id, batch.qty, tuple(indexes), batch.order_id, batch.shares)


def _blocked(snapshot: PlantSnapshot, axis: TimeAxis, resources: dict[str, ResourceSpec]) -> tuple[Blocked, ...]:
    blocks = []
    for wo in snapshot.work_orders:
        if wo.status is WorkOrderStatus.DONE or wo.resource_id not in resources:
            continue
        start = max(math.floor(axis.to_minutes(wo.start) + 1e-6), 0)
        end = math.ceil(axis.to_minutes(wo.end) - 1e-6)
        if end > start:
            blocks.append(Blocked(wo.resource_id, start, end, wo.wo_id))
    return tuple(blocks)
