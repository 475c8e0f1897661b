"""The scheduling problem every scheduler here solves, independent of plants and solvers.

A plant (orders exploded through the BOM) and a classic job shop both map onto it:
tasks that need a number of working minutes on one of several resources, precedences
between tasks, resources with units and working calendars, fixed blocks (running work
orders), and demands whose completion is measured against a due time.
All times are whole minutes since the origin (the as-of date, 00:00 plant time).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from planning_core.scheduling.timeline import WorkingTime


class ObjectiveKind(StrEnum):
    TARDINESS = "tardiness"  # rush tardiness, then weighted tardiness, then flow time
    MAKESPAN = "makespan"


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    resource_id: str
    calendar_id: str
    units: int = 1


@dataclass(frozen=True, slots=True)
class Task:
    """One routing step of one job: `work` working minutes on one of `resource_ids`."""

    index: int
    job: int
    step: int
    work: int
    resource_ids: tuple[str, ...]
    release: int = 0  # earliest real start (material availability)
    setup: float = 0.0  # part of `work` that is set-up (for the plan's operations): the longest it may need
    family: str | None = None  # set-up family: the set-up depends on what ran just before on the resource
    own_setup: int = 0  # a family task's set-up after nothing known or after another family without a matrix entry
    qty: float | None = None  # units the step starts (more than the job's at a yield below 100%); None: the job's

    @property
    def setup_work(self) -> int:
        """Working minutes of `work` that are set-up, for a family task (whole minutes by construction)."""
        return math.ceil(self.setup - 1e-9)


@dataclass(frozen=True, slots=True)
class Job:
    """A batch: `qty` of `item_id` through its routing; `tasks` in step order.

    `order_id` is the order the batch is pegged to (the most urgent one of a merged batch);
    `shares` lists every order a merged batch serves with its quantity (empty: `order_id` alone)."""

    index: int
    job_id: str
    item_id: str
    qty: float
    tasks: tuple[int, ...]
    order_id: str | None = None
    shares: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Demand:
    """A customer order: complete when its final tasks are done and its allocated supply has arrived."""

    order_id: str
    due: int  # real minute by which it is on time (end of the promised day)
    weight: int = 1
    rush: bool = False
    final_tasks: tuple[int, ...] = ()
    ready: int = 0


@dataclass(frozen=True, slots=True)
class Blocked:
    """A resource unit occupied over real time `[start, end)` by something outside the problem."""

    resource_id: str
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class SchedulingProblem:
    resources: Mapping[str, ResourceSpec]
    calendars: Mapping[str, WorkingTime]
    tasks: tuple[Task, ...]
    jobs: tuple[Job, ...] = ()
    precedences: tuple[tuple[int, int], ...] = ()  # (before, after): `after` starts once `before` has ended
    demands: tuple[Demand, ...] = ()
    blocked: tuple[Blocked, ...] = ()
    objective: ObjectiveKind = ObjectiveKind.TARDINESS
    horizon: int = 0  # real minutes the calendars cover
    changeovers: Mapping[tuple[str, str], int] = field(default_factory=dict)  # set-up matrix, whole minutes

    def __post_init__(self) -> None:
        problems = self.validation_errors()
        if problems:
            raise ValueError("; ".join(problems[:10]))

    def validation_errors(self) -> list[str]:
        errors: list[str] = []
        for position, task in enumerate(self.tasks):
            if task.index != position:
                errors.append(f"task {task.index} is at position {position}")
            if task.work < 0:
                errors.append(f"task {task.index} has negative work")
            if not task.resource_ids:
                errors.append(f"task {task.index} has no resource")
            for resource_id in task.resource_ids:
                if resource_id not in self.resources:
                    errors.append(f"task {task.index} needs unknown resource {resource_id}")
        for resource in self.resources.values():
            if resource.calendar_id not in self.calendars:
                errors.append(f"resource {resource.resource_id} has unknown calendar {resource.calendar_id}")
            if resource.units < 1:
                errors.append(f"resource {resource.resource_id} has {resource.units} units")
        for task in self.tasks:
            if task.family is not None and not task.own_setup <= task.setup_work <= task.work:
                errors.append(f"task {task.index}: set-up {task.own_setup}..{task.setup_work} does not fit its work")
            if task.family is not None and self.setup_range(task)[1] > task.setup_work:
                errors.append(f"task {task.index}: its work leaves no room for the longest set-up it may need")
        count = len(self.tasks)
        for before, after in self.precedences:
            if not (0 <= before < count and 0 <= after < count) or before == after:
                errors.append(f"precedence {before}->{after} names no pair of tasks")
        return errors

    def setup_between(self, previous: Task | None, task: Task) -> int:
        """Set-up minutes `task` needs right after `previous` on its resource (None: nothing known
        before it). Only family tasks vary; any other task always has its set-up in its work."""
        if task.family is None:
            return task.setup_work
        if previous is None or previous.family is None:
            return task.own_setup
        listed = self.changeovers.get((previous.family, task.family))
        if listed is not None:
            return listed
        return 0 if previous.family == task.family else task.own_setup

    def setup_range(self, task: Task) -> tuple[int, int]:
        """The shortest and the longest set-up a family task may need, whatever runs before it."""
        if task.family is None:
            return task.setup_work, task.setup_work
        options = [task.own_setup, self.changeovers.get((task.family, task.family), 0)]
        options += [minutes for (_, to_family), minutes in self.changeovers.items() if to_family == task.family]
        return min(options), max(options)

    def shortest_work(self, task: Task) -> int:
        """Working minutes the task takes with the shortest set-up it may get."""
        return task.work - task.setup_work + self.setup_range(task)[0] if task.family is not None else task.work

    def working_time(self, resource_id: str) -> WorkingTime:
        return self.calendars[self.resources[resource_id].calendar_id]

    @cached_property
    def predecessors(self) -> tuple[tuple[int, ...], ...]:
        grouped: dict[int, list[int]] = defaultdict(list)
        for before, after in self.precedences:
            grouped[after].append(before)
        return tuple(tuple(grouped.get(t.index, ())) for t in self.tasks)

    @cached_property
    def successors(self) -> tuple[tuple[int, ...], ...]:
        grouped: dict[int, list[int]] = defaultdict(list)
        for before, after in self.precedences:
            grouped[before].append(after)
        return tuple(tuple(grouped.get(t.index, ())) for t in self.tasks)

    @cached_property
    def topological_order(self) -> tuple[int, ...]:
        """Tasks with every predecessor first (raises on a cycle)."""
        indegree = [len(p) for p in self.predecessors]
        ready = [t for t, d in enumerate(indegree) if d == 0]
        order: list[int] = []
        while ready:
            task = ready.pop()
            order.append(task)
            for nxt in self.successors[task]:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
        if len(order) != len(self.tasks):
            raise ValueError("the task precedences have a cycle")
        return tuple(order)

    @cached_property
    def heads(self) -> tuple[int, ...]:
        """Earliest real start of each task: its release, and the work of every chain before it
        (real time is never shorter than working time; set-ups as short as they may get)."""
        heads = [t.release for t in self.tasks]
        for index in self.topological_order:
            done = heads[index] + self.shortest_work(self.tasks[index])
            for after in self.successors[index]:
                heads[after] = max(heads[after], done)
        return tuple(heads)

    @cached_property
    def tails(self) -> tuple[int, ...]:
        """Longest chain of work from each task to the end, the task's own work included."""
        tails = [0] * len(self.tasks)
        for index in reversed(self.topological_order):
            after = max((tails[s] for s in self.successors[index]), default=0)
            tails[index] = self.shortest_work(self.tasks[index]) + after
        return tuple(tails)

    @cached_property
    def resource_lower_bound(self) -> int:
        """No schedule ends before some one-unit resource has done all the tasks that can only run there:
        the earliest of their heads, their work, and the least work that must follow one of them."""
        bound = 0
        for resource_id, resource in self.resources.items():
            own = [t for t in self.tasks if t.resource_ids == (resource_id,) and t.work > 0]
            if resource.units != 1 or not own:
                continue
            work = sum(self.shortest_work(t) for t in own)
            after = min(self.tails[t.index] - self.shortest_work(t) for t in own)
            bound = max(bound, min(self.heads[t.index] for t in own) + work + after)
        return bound

    @cached_property
    def demand_of_task(self) -> tuple[int | None, ...]:
        """Index of the demand each task serves (through its job's order), if any."""
        by_order = {d.order_id: i for i, d in enumerate(self.demands)}
        return tuple(by_order.get(self.jobs[t.job].order_id or "") if self.jobs else None for t in self.tasks)

    def calendar_groups(self, task: Task) -> dict[str, tuple[str, ...]]:
        """The task's alternative resources grouped by calendar (one working-time axis each)."""
        groups: dict[str, list[str]] = defaultdict(list)
        for resource_id in task.resource_ids:
            groups[self.resources[resource_id].calendar_id].append(resource_id)
        return {k: tuple(v) for k, v in groups.items()}
