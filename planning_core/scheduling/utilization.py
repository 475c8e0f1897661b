"""Resource utilisation of a plan: working minutes used / working minutes available."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import timedelta

from planning_core.calendars import Interval, Minutes, TimeAxis, working_minutes
from planning_core.model import PlantSnapshot, WorkOrderStatus
from planning_core.plan import Plan


def utilization(plan: Plan, snapshot: PlantSnapshot, *, days: int = 14) -> dict[str, float]:
    """Share (0..1) of each resource's working time in the next `days` days that the plan
    (and running or released work orders) keeps busy; 0.0 for a resource with no working time then."""
    axis = TimeAxis(plan.axis.origin_day, plan.axis.timezone, days)
    end = axis.day_start(axis.origin_day + timedelta(days=days))
    busy: dict[str, list[tuple[Minutes, Minutes, float]]] = defaultdict(list)  # (start, end, share of a unit)
    for op in plan.operations:
        span = op.end - op.start
        if span > 0:
            busy[op.resource_id].append((op.start, op.end, min(1.0, op.minutes / span)))
    for wo in snapshot.work_orders:
        if wo.status is not WorkOrderStatus.DONE and wo.resource_id in snapshot.resources:
            busy[wo.resource_id].append((axis.to_minutes(wo.start), axis.to_minutes(wo.end), 1.0))
    shares = {}
    for resource_id, resource in snapshot.resources.items():
        windows = [(s, min(e, end)) for s, e in working_minutes(snapshot.calendars[resource.calendar_id],
                                                                 plant=snapshot.plant, axis=axis) if s < end]
        available = resource.units * sum(e - s for s, e in windows)
        starts = [s for s, _ in windows]
        used = sum(share * _overlap(start, stop, windows, starts) for start, stop, share in busy.get(resource_id, ()))
        shares[resource_id] = min(1.0, used / available) if available > 0 else 0.0
    return shares


def _overlap(start: Minutes, end: Minutes, windows: list[Interval], starts: list[Minutes]) -> Minutes:
    """Working minutes of `windows` (sorted, disjoint) inside [start, end)."""
    total = 0.0
    i = max(0, bisect.bisect_right(starts, start) - 1)
    while i < len(windows) and windows[i][0] < end:
        s, e = windows[i]
        total += max(0.0, min(end, e) - max(start, s))
        i += 1
    return total
