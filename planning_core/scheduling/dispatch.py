"""Dispatching: forward loading of tasks in priority order (earliest due date for plants).

A serial schedule-generation scheme: repeatedly take the most urgent task whose
predecessors are all placed, and put it at the earliest moment one of its resources
has a long enough gap (in working time, so gaps left earlier are filled too). Fast,
always feasible, and the yardstick and warm start for the CP-SAT schedulers.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Sequence
from typing import Any

from planning_core.scheduling.problem import SchedulingProblem, Task
from planning_core.scheduling.solution import Placement, Schedule, completions


class HorizonExceeded(Exception):
    """A task does not fit before the calendars end: the caller should plan further ahead."""


class UnitTimeline:
    """Busy spans of one resource unit in working minutes, sorted and merged."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def earliest_gap(self, ready: int, length: int) -> int:
        """The first working minute >= `ready` from which `length` minutes are free."""
        at = ready
        i = bisect.bisect_right(self.ends, at)
        while i < len(self.starts) and self.starts[i] < at + length:
            at = max(at, self.ends[i])
            i += 1
        return at

    def is_free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.ends, start)
        return i >= len(self.starts) or self.starts[i] >= end

    def add(self, start: int, end: int) -> None:
        if end <= start:
            return
        i = bisect.bisect_left(self.ends, start)  # first span that ends at or after `start`
        j = i
        while j < len(self.starts) and self.starts[j] <= end:
            start, end = min(start, self.starts[j]), max(end, self.ends[j])
            j += 1
        self.starts[i:j] = [start]
        self.ends[i:j] = [end]


class Loader:
    """Resource timelines (one per unit) that tasks are loaded onto, blocked spans included."""

    def __init__(self, problem: SchedulingProblem) -> None:
        self.problem = problem
        self.units = {r.resource_id: [UnitTimeline() for _ in range(r.units)] for r in problem.resources.values()}
        for block in problem.blocked:
            calendar = problem.working_time(block.resource_id)
            start, end = calendar.work_before(block.start), calendar.work_before(block.end)
            timelines = self.units[block.resource_id]
            free = next((u for u in timelines if u.is_free(start, end)), timelines[0])
            free.add(start, end)

    def best_placement(self, task: Task, ready: int) -> tuple[Placement, UnitTimeline]:
        """Where the task finishes first (ties: earlier start, then the order of its resources)."""
        best: tuple[tuple[int, int], Placement, UnitTimeline] | None = None
        for resource_id in task.resource_ids:
            calendar = self.problem.working_time(resource_id)
            earliest = calendar.work_before(ready)
            for unit in self.units[resource_id]:
                work_start = unit.earliest_gap(earliest, task.work)
                if work_start + max(task.work, 1) > calendar.total:
                    continue
                start, end = calendar.real_span(work_start, task.work)
                if best is None or (end, start) < best[0]:
                    best = ((end, start), Placement(resource_id, start, end, work_start), unit)
        if best is None:
            raise HorizonExceeded(f"task {task.index} does not fit before the end of the planning horizon")
        return best[1], best[2]

    def load(self, task: Task, ready: int) -> Placement:
        placement, unit = self.best_placement(task, ready)
        unit.add(placement.work_start, placement.work_start + task.work)
        return placement


def dispatch(problem: SchedulingProblem, priority: Callable[[Task], Any]) -> Schedule:
    """Serial forward loading: the eligible task with the smallest `priority(task)` goes next."""
    loader = Loader(problem)
    waiting = [len(p) for p in problem.predecessors]
    ready = [t.release for t in problem.tasks]
    placements: list[Placement | None] = [None] * len(problem.tasks)
    heap = [(priority(t), t.index) for t in problem.tasks if waiting[t.index] == 0]
    heapq.heapify(heap)
    while heap:
        _, index = heapq.heappop(heap)
        placement = loader.load(problem.tasks[index], ready[index])
        placements[index] = placement
        for nxt in problem.successors[index]:
            ready[nxt] = max(ready[nxt], placement.end)
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(heap, (priority(problem.tasks[nxt]), nxt))
    if any(p is None for p in placements):
        raise ValueError("the task precedences have a cycle")
    return Schedule(tuple(p for p in placements if p is not None))


def by_demand(problem: SchedulingProblem, rank: Sequence[tuple[float, ...]]) -> Callable[[Task], tuple[Any, ...]]:
    """Tasks in the order of their demand: rush first, then `rank[demand]` (smaller first); tasks of
    one demand in precedence order; tasks of no demand last."""
    position = {task: i for i, task in enumerate(problem.topological_order)}
    keys = [(0 if d.rush else 1, *rank[i], i) for i, d in enumerate(problem.demands)]
    demand_of = problem.demand_of_task

    def key(task: Task) -> tuple[Any, ...]:
        d = demand_of[task.index]
        return (*keys[d], position[task.index]) if d is not None else (2, position[task.index])

    return key


def edd_priority(problem: SchedulingProblem) -> Callable[[Task], tuple[Any, ...]]:
    """Rush orders first, then earliest due date, then heavier weight."""
    return by_demand(problem, [(d.due, -d.weight) for d in problem.demands])


def edd(problem: SchedulingProblem) -> Schedule:
    """The earliest-due-date baseline (rush orders first)."""
    return dispatch(problem, edd_priority(problem))


def apparent_tardiness_priority(
    problem: SchedulingProblem, completions: Sequence[int], *, look_ahead: float
) -> Callable[[Task], tuple[Any, ...]]:
    """Apparent tardiness cost with the slack a previous schedule projects for each order.

    An order projected late is ranked by weight per minute of work (the best order for
    orders that are late anyway); one with slack is discounted exponentially in its slack,
    measured in `look_ahead` times the mean work of an order."""
    work = [0] * len(problem.demands)
    for task, d in zip(problem.tasks, problem.demand_of_task, strict=True):
        if d is not None:
            work[d] += task.work
    mean_work = max(1.0, sum(work) / max(1, len(work)))
    rank = []
    for demand, done, minutes in zip(problem.demands, completions, work, strict=True):
        slack = max(0, demand.due - done)
        rank.append((-demand.weight / max(minutes, 1) * math.exp(-slack / (look_ahead * mean_work)), demand.due))
    return by_demand(problem, rank)


def tardiness_dispatches(problem: SchedulingProblem, baseline: Schedule, *, rounds: int = 2) -> list[Schedule]:
    """Apparent-tardiness dispatches, each seeded with the completions its predecessor projects."""
    found = []
    previous = baseline
    for _ in range(rounds):
        try:
            priority = apparent_tardiness_priority(problem, completions(problem, previous), look_ahead=LOOK_AHEAD)
            previous = dispatch(problem, priority)
        except HorizonExceeded:  # this order of work runs past the calendars: no candidate
            break
        found.append(previous)
    return found


LOOK_AHEAD = 64.0  # in mean order work: close to weight per minute of work, mildly deferring orders with slack


def makespan_dispatches(problem: SchedulingProblem) -> Sequence[Schedule]:
    """A few classic priority rules for makespan problems (the caller keeps the best)."""
    tail = problem.tails
    rules: list[Callable[[Task], Any]] = [
        lambda t: (-tail[t.index], t.index),  # most work remaining
        lambda t: (t.work, -tail[t.index]),  # shortest processing time
        lambda t: (-t.work, -tail[t.index]),  # longest processing time
    ]
    return [dispatch(problem, rule) for rule in rules]
