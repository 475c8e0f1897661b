"""Dispatching: forward loading of tasks in priority order (earliest due date for plants).

A serial schedule-generation scheme: repeatedly take the most urgent task whose
predecessors are all placed, and put it at the earliest moment one of its resources
has a long enough gap (in working time, so gaps left earlier are filled too). Fast,
always feasible, and the yardstick and warm start for the CP-SAT schedulers.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Sequence
from typing import Any

from planning_core.scheduling.problem import SchedulingProblem, Task
from planning_core.scheduling.solution import Placement, Schedule


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


def edd_priority(problem: SchedulingProblem) -> Callable[[Task], tuple[int, int, int, int, int]]:
    """Rush orders first, then earliest due date, then heavier weight; tasks of no order last."""
    position = {task: i for i, task in enumerate(problem.topological_order)}
    keys: list[tuple[int, int, int, int]] = []
    for i, demand in enumerate(problem.demands):
        keys.append((0 if demand.rush else 1, demand.due, -demand.weight, i))
    last = (2, 0, 0, 0)
    demand_of = problem.demand_of_task

    def key(task: Task) -> tuple[int, int, int, int, int]:
        d = demand_of[task.index]
        return (*(keys[d] if d is not None else last), position[task.index])

    return key


def edd(problem: SchedulingProblem) -> Schedule:
    """The earliest-due-date baseline (rush orders first)."""
    return dispatch(problem, edd_priority(problem))


def remaining_work(problem: SchedulingProblem) -> list[int]:
    """Longest chain of work from each task to the end, itself included (a lower bound on its tail)."""
    tail = [0] * len(problem.tasks)
    for index in reversed(problem.topological_order):
        after = max((tail[s] for s in problem.successors[index]), default=0)
        tail[index] = problem.tasks[index].work + after
    return tail


def makespan_dispatches(problem: SchedulingProblem) -> Sequence[Schedule]:
    """A few classic priority rules for makespan problems (the caller keeps the best)."""
    tail = remaining_work(problem)
    rules: list[Callable[[Task], Any]] = [
        lambda t: (-tail[t.index], t.index),  # most work remaining
        lambda t: (t.work, -tail[t.index]),  # shortest processing time
        lambda t: (-t.work, -tail[t.index]),  # longest processing time
    ]
    return [dispatch(problem, rule) for rule in rules]
