"""Independent validation of any `Plan` against the plant it claims to fit.

This module shares no code with the engines that build plans: it recomputes working
time, capacity use, precedence and material balance from the snapshot alone. Every
quote, rush and schedule the test suite produces is passed through `check_plan`.

Two precedence models, matching the planning semantics:
- `fluid` (capable-to-promise): steps overlap unit by unit, so output of an
  operation accrues evenly over its duration, and so does what it consumes;
- `strict` (batch schedules): a step's units are all started at the start of its
  operation and all finished at its end.

Step yields: an operation's `qty` is the units it *starts*; only `yield_pct` of them come out good,
so the next step (or the item's stock, after the last step) gets `qty × yield`. Stock on quality
hold or in quarantine is no supply at all, except a hold with a release date, from that date.

Set-up families (sequence-dependent set-ups) and merged batches are checked for strict
plans by `_family_setups` and `_merged_batches`: a family step's operations declare the
set-up they include, and the sequence on each machine decides how much they need.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Literal

from planning_core.calendars import Minutes, TimeAxis, working_minutes
from planning_core.model import ItemType, PlantSnapshot, RoutingStep, StockStatus, WorkOrderStatus
from planning_core.plan import Operation, Plan

TOLERANCE = 1e-6


class ViolationKind(StrEnum):
    CALENDAR = "calendar"
    CAPACITY = "capacity"
    ROUTING = "routing"
    WORK_CONTENT = "work_content"
    PRECEDENCE = "precedence"
    MATERIAL = "material"
    PURCHASE = "purchase"
    DELIVERY = "delivery"
    PROMISE = "promise"
    SETUP = "setup"
    MERGED_BATCH = "merged_batch"


@dataclass(frozen=True, slots=True)
class Violation:
    kind: ViolationKind
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations

    def __str__(self) -> str:
        return "plan is valid" if self.ok else "\n".join(str(v) for v in self.violations)


def check_plan(
    plan: Plan,
    snapshot: PlantSnapshot,
    *,
    precedence: Literal["fluid", "strict"] = "fluid",
    max_violations: int = 50,
) -> CheckReport:
    strict = precedence == "strict"
    checks = (
        _routing_and_calendar(plan, snapshot),
        _capacity(plan, snapshot),
        # in a batch schedule a family step's set-up depends on the sequence: `_family_setups` checks it
        _work_content(_without_family_steps(plan, snapshot) if strict else plan, snapshot),
        _precedence(plan, snapshot, strict=precedence == "strict"),
        _material(plan, snapshot, strict=precedence == "strict"),
        _deliveries_and_promises(plan, snapshot),
        *((_family_setups(plan, snapshot), _merged_batches(plan, snapshot)) if strict else ()),
    )
    found: list[Violation] = []
    for check in checks:
        for violation in check:
            found.append(violation)
            if len(found) >= max_violations:
                return CheckReport(tuple(found))
    return CheckReport(tuple(found))


def _fmt(axis: TimeAxis, minutes: Minutes) -> str:
    return axis.to_datetime(minutes).strftime("%Y-%m-%d %H:%M")


def _horizon_days(plan: Plan) -> int:
    last = max((op.end for op in plan.operations), default=0.0)
    last = max([last, *(d.at for d in plan.deliveries), *(p.arrival for p in plan.purchases)])
    return int(last // (24 * 60)) + 3


def _routing_and_calendar(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    axis = TimeAxis(plan.axis.origin_day, plan.axis.timezone, _horizon_days(plan))
    windows: dict[str, list[tuple[Minutes, Minutes]]] = {}
    for op in plan.operations:
        steps = {s.step: s for s in snapshot.routing_of.get(op.item_id, ())}
        step = steps.get(op.step)
        if step is None:
            yield Violation(ViolationKind.ROUTING, f"{op.item_id} has no routing step {op.step}")
            continue
        if op.resource_id not in step.resource_ids:
            yield Violation(ViolationKind.ROUTING, f"{op.item_id} step {op.step} cannot run on {op.resource_id}")
            continue
        if op.end < op.start - TOLERANCE or op.qty < -TOLERANCE:
            yield Violation(ViolationKind.ROUTING, f"{op.item_id} step {op.step}: negative duration or quantity")
            continue
        if op.start < -TOLERANCE:
            yield Violation(ViolationKind.CALENDAR, f"{op.item_id} step {op.step} on {op.resource_id} starts before the plan's origin")
            continue
        if op.resource_id not in windows:
            resource = snapshot.resources[op.resource_id]
            windows[op.resource_id] = working_minutes(snapshot.calendars[resource.calendar_id], plant=snapshot.plant, axis=axis)
        if op.end - op.start > TOLERANCE and not _inside_one(windows[op.resource_id], op.start, op.end):
            yield Violation(
                ViolationKind.CALENDAR,
                f"{op.item_id} step {op.step} on {op.resource_id} {_fmt(plan.axis, op.start)}–{_fmt(plan.axis, op.end)} "
                "is not inside one working interval",
            )


def _inside_one(windows: list[tuple[Minutes, Minutes]], start: Minutes, end: Minutes) -> bool:
    index = bisect.bisect_right(windows, (start + TOLERANCE, float("inf"))) - 1
    return index >= 0 and windows[index][0] - TOLERANCE <= start and end <= windows[index][1] + TOLERANCE


def _capacity(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    """At no moment may a resource hold more than its units (a batch holds one whole unit;
    bucketed work holds its busy share of the window)."""
    busy: dict[str, list[tuple[Minutes, Minutes, float, str]]] = defaultdict(list)
    for op in plan.operations:
        span = op.end - op.start
        if span <= TOLERANCE:
            continue
        if op.minutes > span + 1e-3:
            yield Violation(ViolationKind.CAPACITY, f"{op.item_id}/{op.step} on {op.resource_id} is busy longer than its window")
        busy[op.resource_id].append((op.start, op.end, op.minutes / span, f"{op.item_id}/{op.step}"))
    for wo in snapshot.work_orders:
        if wo.status is not WorkOrderStatus.DONE and wo.resource_id in busy:
            start, end = max(plan.axis.to_minutes(wo.start), 0.0), plan.axis.to_minutes(wo.end)
            if end > start:
                busy[wo.resource_id].append((start, end, 1.0, wo.wo_id))
    for resource_id, spans in busy.items():
        units = snapshot.resources[resource_id].units
        changes: dict[Minutes, float] = defaultdict(float)
        names: dict[Minutes, str] = {}
        for start, end, load, name in spans:
            changes[start] += load
            changes[end] -= load
            names.setdefault(start, name)
        running = 0.0
        for at in sorted(changes):
            running += changes[at]
            if running > units + 1e-6:
                yield Violation(
                    ViolationKind.CAPACITY,
                    f"{resource_id} holds {running:.3g} units at {_fmt(plan.axis, at)} but has {units} ({names.get(at, '')})",
                )
                break


def _largest_batches(snapshot: PlantSnapshot) -> dict[str, float]:
    """The most of each item one open order needs, all the way down its bill of materials."""
    largest: dict[str, float] = {}
    for order in snapshot.sales_orders:
        if order.is_open:
            left = max(order.qty - (order.shipped_qty or 0.0), 0.0)
            for item_id, qty in snapshot.explode(order.item_id, left).items():
                largest[item_id] = max(largest.get(item_id, 0.0), qty)
    return largest


def _work_content(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    largest = _largest_batches(snapshot)
    groups: dict[tuple[str | None, str, int, str], list[Operation]] = defaultdict(list)
    for op in plan.operations:
        key = op.batch_id or op.demand_id
        groups[(key, op.item_id, op.step, op.resource_id)].append(op)
    for (key, item_id, step_no, resource_id), ops in groups.items():
        step = next((s for s in snapshot.routing_of.get(item_id, ()) if s.step == step_no), None)
        if step is None:
            continue
        qty = sum(op.qty for op in ops)
        if qty <= TOLERANCE:
            continue
        # A pegged batch (demand or batch id) pays the routing's whole set-up on each resource it
        # uses. Production pooled for several confirmed orders pays at least one set-up for every
        # largest batch's worth of units it makes there: what it declares is not taken on trust.
        batch = qty if key is not None else largest.get(item_id) or qty  # no open order needs it: one batch
        if key is None and item_id in largest:  # the largest batch in units started at this step
            batch *= _starts_per_good(snapshot, item_id, step_no)
        setup = step.setup_minutes * qty / batch
        needed = setup + step.run_minutes_per_unit * qty
        worked = sum(op.minutes for op in ops)
        if worked + 1e-3 < needed:
            yield Violation(
                ViolationKind.WORK_CONTENT,
                f"{item_id} step {step_no} on {resource_id} for {key or 'stock'}: {qty:g} units need "
                f"{needed:.1f} min but get {worked:.1f}",
            )


Accrual = tuple[Minutes, Minutes, float]  # (start, end, qty): qty accrues evenly over [start, end]


def _first_excess(used: list[Accrual], available: list[Accrual], slack: float = 1e-4) -> tuple[Minutes, float, float] | None:
    """The first moment cumulative `used` exceeds cumulative `available`, with both amounts.

    Both curves are piecewise linear with jumps, so comparing them at every breakpoint
    is exact. Linear in the number of events after sorting.
    """
    changes: dict[Minutes, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])  # slope/jump of used, available
    for offset, events in ((0, used), (2, available)):
        for start, end, qty in events:
            if end - start > TOLERANCE:
                rate = qty / (end - start)
                changes[start][offset] += rate
                changes[end][offset] -= rate
            else:
                changes[start][offset + 1] += qty
    used_total = avail_total = used_slope = avail_slope = 0.0
    last = None
    for t in sorted(changes):
        if last is not None:
            used_total += used_slope * (t - last)
            avail_total += avail_slope * (t - last)
        d_used_slope, used_jump, d_avail_slope, avail_jump = changes[t]
        used_total += used_jump
        avail_total += avail_jump
        used_slope += d_used_slope
        avail_slope += d_avail_slope
        last = t
        if used_total - avail_total > slack * max(1.0, used_total):
            return t, used_total, avail_total
    return None


def _precedence(plan: Plan, snapshot: PlantSnapshot, *, strict: bool) -> Iterable[Violation]:
    by_step: dict[tuple[str, int], list[Operation]] = defaultdict(list)
    for op in plan.operations:
        by_step[(op.item_id, op.step)].append(op)
    for item_id, steps in snapshot.routing_of.items():
        for before, after in itertools.pairwise(steps):
            good = before.yield_pct / 100.0  # what the step before passes on of what it started
            done = [(op.end, op.end, op.qty * good) if strict else (op.start, op.end, op.qty * good)
                    for op in by_step.get((item_id, before.step), ())]
            started = [(op.start, op.start, op.qty) if strict else (op.start, op.end, op.qty) for op in by_step.get((item_id, after.step), ())]
            excess = _first_excess(started, done) if started else None
            if excess is not None:
                at, through, ready = excess
                yield Violation(
                    ViolationKind.PRECEDENCE,
                    f"{item_id}: step {after.step} has {through:g} units through at {_fmt(plan.axis, at)} "
                    f"but step {before.step} only {ready:g}",
                )


def _material(plan: Plan, snapshot: PlantSnapshot, *, strict: bool) -> Iterable[Violation]:
    axis = plan.axis
    supply: dict[str, list[Accrual]] = defaultdict(list)
    demand: dict[str, list[Accrual]] = defaultdict(list)
    for item_id, qty in snapshot.inventory.items():  # available stock only: held stock is never supply as it stands
        supply[item_id].append((0.0, 0.0, qty))
    for po in snapshot.purchase_orders:
        at = max(axis.day_start(po.due_date), 0.0)
        supply[po.item_id].append((at, at, po.qty))
    for held in snapshot.held_stock:  # a hold quality expects to clear: from 00:00 of its release date
        if held.status is StockStatus.HOLD and held.release_date is not None:
            at = max(axis.day_start(held.release_date), 0.0)
            supply[held.item_id].append((at, at, held.qty))
    for wo in snapshot.work_orders:
        if wo.status is not WorkOrderStatus.DONE:
            at = max(axis.to_minutes(wo.end), 0.0)
            supply[wo.item_id].append((at, at, wo.qty))
    for purchase in plan.purchases:
        item = snapshot.items.get(purchase.item_id)
        if item is None or item.type is not ItemType.BUY:
            yield Violation(ViolationKind.PURCHASE, f"{purchase.item_id} is not a bought item")
            continue
        earliest = axis.day_start(axis.origin_day + timedelta(days=item.lead_time_days))
        if purchase.arrival < earliest - TOLERANCE:
            yield Violation(
                ViolationKind.PURCHASE,
                f"{purchase.qty:g} {purchase.item_id} arrive {_fmt(axis, purchase.arrival)}, before the "
                f"{item.lead_time_days}-day lead time allows",
            )
        supply[purchase.item_id].append((purchase.arrival, purchase.arrival, purchase.qty))
    for op in plan.operations:
        steps = snapshot.routing_of.get(op.item_id, ())
        if steps and op.step == steps[-1].step:
            good = op.qty * steps[-1].yield_pct / 100.0
            supply[op.item_id].append((op.end, op.end, good) if strict else (op.start, op.end, good))
        if steps and op.step == steps[0].step:
            for line in snapshot.components_of.get(op.item_id, ()):
                need = op.qty * line.gross_qty_per
                demand[line.component_id].append((op.start, op.start, need) if strict else (op.start, op.end, need))
    for delivery in plan.deliveries:
        demand[delivery.item_id].append((delivery.at, delivery.at, delivery.qty))
    for item_id, used in demand.items():
        excess = _first_excess(used, supply.get(item_id, []))
        if excess is not None:
            at, needed, available = excess
            yield Violation(
                ViolationKind.MATERIAL,
                f"{item_id}: {needed:g} used by {_fmt(axis, at)} but only {available:g} available",
            )


def _deliveries_and_promises(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    delivered: dict[str, list[tuple[Minutes, float]]] = defaultdict(list)
    for d in plan.deliveries:
        delivered[d.order_id].append((d.at, d.qty))
        order = snapshot.orders_by_id.get(d.order_id)
        if order is not None and order.item_id != d.item_id:
            yield Violation(ViolationKind.DELIVERY, f"{d.order_id} is for {order.item_id}, not {d.item_id}")
    for promise in plan.promises:
        deadline = plan.axis.day_end(promise.due)
        on_time = sum(q for at, q in delivered.get(promise.order_id, ()) if at <= deadline + TOLERANCE)
        if on_time + 1e-4 * max(1.0, promise.qty) < promise.qty:
            yield Violation(
                ViolationKind.PROMISE,
                f"{promise.order_id}: {on_time:g} of {promise.qty:g} {promise.item_id} delivered by {promise.due}",
            )


def _without_family_steps(plan: Plan, snapshot: PlantSnapshot) -> Plan:
    if not any(step.setup_family for step in snapshot.routings):
        return plan
    return replace(plan, operations=tuple(op for op in plan.operations if _family(snapshot, op) is None))


def _family(snapshot: PlantSnapshot, op: Operation) -> str | None:
    step = _routing_step(snapshot, op)
    return step.setup_family if step is not None else None


def _family_setups(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    yield from _family_work_content(plan, snapshot)
    yield from _family_sequences(plan, snapshot)


def _family_work_content(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    """A family step's batch works on each resource at least the set-up it declares and its run time."""
    groups: dict[tuple[str | None, str, int, str], list[Operation]] = defaultdict(list)
    for op in plan.operations:
        if _family(snapshot, op) is not None:
            groups[(op.batch_id or op.demand_id, op.item_id, op.step, op.resource_id)].append(op)
    for (key, item_id, step_no, resource_id), ops in groups.items():
        step = _routing_step(snapshot, ops[0])
        assert step is not None
        qty = sum(op.qty for op in ops)
        needed = sum(op.setup_minutes for op in ops) + step.run_minutes_per_unit * qty
        worked = sum(op.minutes for op in ops)
        if qty > TOLERANCE and worked + 1e-3 < needed:
            yield Violation(
                ViolationKind.WORK_CONTENT,
                f"{item_id} step {step_no} on {resource_id} for {key or 'stock'}: {qty:g} units and the set-up "
                f"they declare need {needed:.1f} min but get {worked:.1f}",
            )


def _family_sequences(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    """Each run of a family step's batch on a machine declares at least the set-up that what ran just
    before it there calls for (`PlantSnapshot.setup_after`: nothing known, a running work order or a
    step without a family leave the step's own set-up); on a machine with several units, where
    nobody knows which unit ran what, always the step's own set-up."""
    for resource_id, runs in _machine_runs(plan, snapshot).items():
        several = snapshot.resources[resource_id].units > 1
        previous: str | None = None  # family the machine is set up for
        for run in runs:
            step = _routing_step(snapshot, run[0]) if run else None
            if step is not None and step.setup_family is not None:
                needed = step.setup_minutes if several else snapshot.setup_after(step, previous)
                declared = sum(op.setup_minutes for op in run)
                if declared + 1e-6 < needed:
                    after = f"after {previous}" if previous is not None else "with nothing known before it"
                    yield Violation(
                        ViolationKind.SETUP,
                        f"{run[0].item_id} step {run[0].step} on {resource_id} at {_fmt(plan.axis, run[0].start)} "
                        f"({step.setup_family} {after}) needs {needed:g} min of set-up but has {declared:g}",
                    )
            previous = step.setup_family if step is not None else None


def _machine_runs(plan: Plan, snapshot: PlantSnapshot) -> dict[str, list[list[Operation]]]:
    """Per resource, in time order, the runs of consecutive operations of one batch and step
    (an empty run: a running work order)."""
    entries: dict[str, list[tuple[Minutes, Operation | None]]] = defaultdict(list)
    for op in plan.operations:
        if op.end - op.start > TOLERANCE:
            entries[op.resource_id].append((op.start, op))
    for wo in snapshot.work_orders:
        if wo.status is not WorkOrderStatus.DONE and wo.resource_id in entries:
            entries[wo.resource_id].append((plan.axis.to_minutes(wo.start), None))
    runs: dict[str, list[list[Operation]]] = {}
    for resource_id, timed in entries.items():
        timed.sort(key=lambda e: (e[0], e[1] is not None))
        sequence: list[list[Operation]] = []
        for _, entry in timed:
            if entry is not None and sequence and sequence[-1] and _run_key(sequence[-1][-1]) == _run_key(entry):
                sequence[-1].append(entry)
            else:
                sequence.append([entry] if entry is not None else [])
        runs[resource_id] = sequence
    return runs


def _run_key(op: Operation) -> tuple[str | None, str, int]:
    return (op.batch_id or op.demand_id, op.item_id, op.step)


def _routing_step(snapshot: PlantSnapshot, op: Operation) -> RoutingStep | None:
    return next((s for s in snapshot.routing_of.get(op.item_id, ()) if s.step == op.step), None)


def _merged_batches(plan: Plan, snapshot: PlantSnapshot) -> Iterable[Violation]:
    """A batch that serves several orders serves open orders that need its item, makes their whole
    quantity at every step of its routing, and none of them is delivered before it is done."""
    ops_of: dict[str, list[Operation]] = defaultdict(list)
    for op in plan.operations:
        if op.batch_id is not None:
            ops_of[op.batch_id].append(op)
    delivered = {d.order_id: d.at for d in plan.deliveries}
    for batch in plan.merged_batches:
        ops = ops_of.get(batch.batch_id, [])
        for order_id, _ in batch.shares:
            order = snapshot.orders_by_id.get(order_id)
            if order is None or not order.is_open:
                yield Violation(ViolationKind.MERGED_BATCH, f"{batch.batch_id} serves {order_id}, which is not an open order")
            elif batch.item_id not in snapshot.explode(order.item_id):
                yield Violation(ViolationKind.MERGED_BATCH,
                                f"{batch.batch_id} makes {batch.item_id}, which {order_id} ({order.item_id}) does not need")
            elif order.item_id == batch.item_id and ops and order_id in delivered:
                done = max(op.end for op in ops)
                if delivered[order_id] < done - TOLERANCE:
                    yield Violation(ViolationKind.MERGED_BATCH,
                                    f"{order_id} is delivered {_fmt(plan.axis, delivered[order_id])}, before its batch "
                                    f"{batch.batch_id} is done {_fmt(plan.axis, done)}")
        for step in snapshot.routing_of.get(batch.item_id, ()):
            made = sum(op.qty for op in ops if op.step == step.step)
            wanted = batch.qty * _starts_per_good(snapshot, batch.item_id, step.step)
            if abs(made - wanted) > 1e-4 * max(1.0, wanted):
                yield Violation(ViolationKind.MERGED_BATCH,
                                f"{batch.batch_id} step {step.step} starts {made:g} {batch.item_id}, "
                                f"not the {wanted:g} the {batch.qty:g} its orders share need")


def _starts_per_good(snapshot: PlantSnapshot, item_id: str, step_no: int) -> float:
    """Units to start at a step per good unit of the item finished (the yields from there on)."""
    good = 1.0
    for step in snapshot.routing_of.get(item_id, ()):
        if step.step >= step_no:
            good *= step.yield_pct / 100.0
    return 1.0 / good
