"""A solution of a `SchedulingProblem`: where and when each task runs, and what it scores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from planning_core.scheduling.problem import ObjectiveKind, SchedulingProblem, Task


@dataclass(frozen=True, slots=True)
class Placement:
    """A task on `resource_id` from real minute `start` to `end`; `work_start` is the same start in working time.

    `setup`: the set-up minutes a family task gets where that is less than the longest it may need
    (None: its whole `work`, the longest set-up included)."""

    resource_id: str
    start: int
    end: int
    work_start: int
    setup: int | None = None


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
    setup_minutes: int = 0  # set-up of all tasks (only a family task's depends on the sequence)

    def key(self, kind: ObjectiveKind) -> tuple[int, ...]:
        if kind is ObjectiveKind.MAKESPAN:
            return (self.makespan,)
        return (self.rush_tardiness, self.weighted_tardiness, self.setup_minutes, self.flow_time)


def place(problem: SchedulingProblem, task: Task, resource_id: str, work_start: int, *,
          setup: int | None = None) -> Placement:
    if setup is not None and (task.family is None or setup >= task.setup_work):
        setup = None
    start, end = problem.working_time(resource_id).real_span(work_start, occupied(task, setup))
    return Placement(resource_id, start, end, work_start, setup)


def occupied(task: Task, setup: int | None) -> int:
    """Working minutes a task holds its resource with `setup` minutes of set-up (None: the longest)."""
    return task.work if setup is None else task.work - task.setup_work + setup


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
    setups = sum(task.setup_work if p.setup is None else p.setup
                 for task, p in zip(problem.tasks, schedule.placements, strict=True))
    return Objectives(rush, weighted, flow, makespan, setups)


def violations(problem: SchedulingProblem, schedule: Schedule) -> list[str]:
    """What is wrong with a schedule of the abstract problem (plant plans go through `check_plan`)."""
    found: list[str] = []
    for task, p in zip(problem.tasks, schedule.placements, strict=True):
        if p.resource_id not in task.resource_ids:
            found.append(f"task {task.index} runs on {p.resource_id}, not one of {task.resource_ids}")
            continue
        calendar = problem.working_time(p.resource_id)
        work = occupied(task, p.setup)
        if (p.start, p.end) != calendar.real_span(p.work_start, work):
            found.append(f"task {task.index}: {p.start}-{p.end} is not {work} working minutes")
        if p.start < task.release:
            found.append(f"task {task.index} starts at {p.start}, before its release {task.release}")
    for before, after in problem.precedences:
        if schedule.placements[after].start < schedule.placements[before].end:
            found.append(f"task {after} starts before task {before} ends")
    found.extend(_overloads(problem, schedule))
    found.extend(_short_setups(problem, schedule))
    return found


def _overloads(problem: SchedulingProblem, schedule: Schedule) -> list[str]:
    """Compared in working time: a task only occupies its resource while the resource works."""
    events: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for task, p in zip(problem.tasks, schedule.placements, strict=True):
        work = occupied(task, p.setup)
        if work > 0:
            events[p.resource_id] += [(p.work_start, 1), (p.work_start + work, -1)]
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


def _short_setups(problem: SchedulingProblem, schedule: Schedule) -> list[str]:
    """Family tasks with less set-up than what runs just before them needs (on a one-unit resource;
    on one with several units nobody knows which unit ran what, so the longest)."""
    found = []
    sequence: dict[str, list[tuple[int, int, Task | None]]] = defaultdict(list)
    for task, p in zip(problem.tasks, schedule.placements, strict=True):
        if occupied(task, p.setup) > 0:
            sequence[p.resource_id].append((p.work_start, 1, task))
    for block in problem.blocked:
        if block.resource_id in sequence:
            sequence[block.resource_id].append((problem.working_time(block.resource_id).work_before(block.start), 0, None))
    for resource_id, entries in sequence.items():
        previous: Task | None = None
        several = problem.resources[resource_id].units > 1
        for _, _, entry in sorted(entries, key=lambda e: (e[0], e[1], e[2].index if e[2] else -1)):
            if entry is not None and entry.family is not None:
                given = schedule.placements[entry.index].setup
                needed = entry.setup_work if several else problem.setup_between(previous, entry)
                if given is not None and given < needed:
                    found.append(f"task {entry.index} on {resource_id} gets {given} min of set-up but needs {needed}")
            previous = entry
    return found
