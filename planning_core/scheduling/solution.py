"""A solution of a `SchedulingProblem`: where and when each task runs, and what it scores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planning_core.scheduling.problem import ObjectiveKind, SchedulingProblem, Task


@dataclass(frozen=True, slots=True)
class Placement:
    """A task on `resource_id` from real minute `start` to `end`; `work_start` is the same start in working time."""

    resource_id: str
    start: int
    end: int
    work_start: int


@dataclass(frozen=True)
class Schedule:
    placements: tuple[Placement, ...]  # one per task, by task index


@dataclass(frozen=True, slots=True)
class Objectives:
    """The scores of a schedule; `key` orders schedules for the problem's objective (smaller is better)."""

    rush_tardiness: int
    weighted_tardiness: int
    flow_time: int
    makespan: int

    def key(self, kind: ObjectiveKind) -> tuple[int, ...]:
        if kind is ObjectiveKind.MAKESPAN:
            return (self.makespan,)
        return (self.rush_tardiness, self.weighted_tardiness, self.flow_time)


def place(problem: SchedulingProblem, task: Task, resource_id: str, work_start: int) -> Placement:
    start, end = problem.working_time(resource_id).real_span(work_start, task.work)
    return Placement(resource_id, start, end, work_start)


def completions(problem: SchedulingProblem, schedule: Schedule) -> list[int]:
    """Completion minute of each demand: its final tasks done and its allocated supply arrived."""
    return [
        max([demand.ready, *(schedule.placements[t].end for t in demand.final_tasks)])
        for demand in problem.demands
    ]


def evaluate(problem: SchedulingProblem, schedule: Schedule) -> Objectives:
    rush = weighted = flow = 0
    for demand, done in zip(problem.demands, completions(problem, schedule), strict=True):
        late = max(0, done - demand.due)
        weighted += demand.weight * late
        rush += late if demand.rush else 0
        flow += done
    makespan = max((p.end for p in schedule.placements), default=0)
    return Objectives(rush, weighted, flow, makespan)


def violations(problem: SchedulingProblem, schedule: Schedule) -> list[str]:
    """What is wrong with a schedule of the abstract problem (plant plans go through `check_plan`)."""
    found: list[str] = []
    for task, p in zip(problem.tasks, schedule.placements, strict=True):
        if p.resource_id not in task.resource_ids:
            found.append(f"task {task.index} runs on {p.resource_id}, not one of {task.resource_ids}")
            continue
        calendar = problem.working_time(p.resource_id)
        if (p.start, p.end) != calendar.real_span(p.work_start, task.work):
            found.append(f"task {task.index}: {p.start}-{p.end} is not {task.work} working minutes")
        if p.start < task.release:
            found.append(f"task {task.index} starts at {p.start}, before its release {task.release}")
    for before, after in problem.precedences:
        if schedule.placements[after].start < schedule.placements[before].end:
            found.append(f"task {after} starts before task {before} ends")
    found.extend(_overloads(problem, schedule))
    return found


def _overloads(problem: SchedulingProblem, schedule: Schedule) -> list[str]:
    """Compared in working time: a task only occupies its resource while the resource works."""
    events: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for task, p in zip(problem.tasks, schedule.placements, strict=True):
        if task.work > 0:
            events[p.resource_id] += [(p.work_start, 1), (p.work_start + task.work, -1)]
    for block in problem.blocked:
        if block.resource_id in events:
            calendar = problem.working_time(block.resource_id)
            start, end = calendar.work_before(block.start), calendar.work_before(block.end)
            if end > start:
                events[block.resource_id] += [(start, 1), (end, -1)]
    found = []
    for resource_id, changes in events.items():
        running = 0
        for at, delta in sorted(changes):
            running += delta
            if running > problem.resources[resource_id].units:
                found.append(f"{resource_id} is overloaded at working minute {at}")
                break
    return found
