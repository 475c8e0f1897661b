"""Classic job-shop instances (JSPLIB) as scheduling problems, and the plain CP-SAT reference model.

A job shop is a special case of the plant model: one always-available resource per
machine, each job a batch whose operations are routing steps chained by precedence,
and makespan as the objective. `planbridge bench jsplib` solves each instance through
the product's own model (`scheduler.solve_problem`) and through `solve_plain`, the
textbook model (intervals, NoOverlap per machine, makespan, nothing else), under the
same limits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

from planning_core.scheduling.problem import Job, ObjectiveKind, ResourceSpec, SchedulingProblem, Task
from planning_core.scheduling.timeline import WorkingTime

Operation = tuple[int, int]  # (machine, duration)


class UnknownInstance(LookupError):
    """`--only` named an instance the file does not have."""


@dataclass(frozen=True)
class JobShopInstance:
    name: str
    jobs: tuple[tuple[Operation, ...], ...]
    best_known: int  # the optimum where known, else the best upper bound published
    lower_bound: int
    optimum: int | None = None

    @property
    def size(self) -> str:
        return f"{len(self.jobs)}x{len(self.jobs[0]) if self.jobs else 0}"

    @property
    def total_duration(self) -> int:
        return sum(d for job in self.jobs for _, d in job)


def load_instances(path: Path, *, only: Sequence[str] = ()) -> list[JobShopInstance]:
    """Instances from a JSON file shaped like `../shared/bench/jsplib_public.json`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    instances = []
    for raw in data["instances"]:
        if only and raw["name"] not in only:
            continue
        optimum = raw.get("optimum")
        best = optimum if optimum is not None else raw.get("upper_bound")
        if best is None:
            raise ValueError(f"{path}: instance {raw['name']} has neither an optimum nor an upper bound")
        jobs = tuple(tuple((int(m), int(d)) for m, d in job) for job in raw["jobs"])
        instances.append(JobShopInstance(raw["name"], jobs, int(best), int(raw.get("lower_bound") or 0), optimum))
    missing = sorted(set(only) - {i.name for i in instances})
    if missing:
        raise UnknownInstance(f"{path}: no instance named {', '.join(missing)}")
    return instances


def job_shop_problem(instance: JobShopInstance) -> SchedulingProblem:
    """The instance in the plant model: machine m is resource `M<m>` on a 24/7 calendar."""
    horizon = instance.total_duration
    machines = sorted({m for job in instance.jobs for m, _ in job})
    resources = {f"M{m}": ResourceSpec(f"M{m}", "always") for m in machines}
    tasks: list[Task] = []
    jobs: list[Job] = []
    precedences: list[tuple[int, int]] = []
    for j, operations in enumerate(instance.jobs):
        indexes: list[int] = []
        for k, (machine, duration) in enumerate(operations):
            index = len(tasks)
            tasks.append(Task(index, j, k, duration, (f"M{machine}",)))
            if indexes:
                precedences.append((indexes[-1], index))
            indexes.append(index)
        jobs.append(Job(j, f"J{j}", f"J{j}", 1.0, tuple(indexes)))
    return SchedulingProblem(
        resources=resources,
        calendars={"always": WorkingTime.always(horizon)},
        tasks=tuple(tasks),
        jobs=tuple(jobs),
        precedences=tuple(precedences),
        objective=ObjectiveKind.MAKESPAN,
        horizon=horizon,
    )


@dataclass(frozen=True, slots=True)
class PlainResult:
    makespan: int | None
    optimal: bool
    seconds: float


def solve_plain(instance: JobShopInstance, *, time_limit: float, workers: int, seed: int = 0) -> PlainResult:
    """The reference: interval variables, NoOverlap per machine, minimise the makespan. Nothing else."""
    started = time.perf_counter()
    horizon = instance.total_duration
    model = cp_model.CpModel()
    by_machine: dict[int, list[cp_model.IntervalVar]] = {}
    job_ends = []
    for operations in instance.jobs:
        previous_end: cp_model.LinearExprT | None = None
        for machine, duration in operations:
            start = model.new_int_var(0, horizon, "")
            by_machine.setdefault(machine, []).append(model.new_fixed_size_interval_var(start, duration, ""))
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = start + duration
        if previous_end is not None:
            job_ends.append(previous_end)
    for intervals in by_machine.values():
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, job_ends)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return PlainResult(round(solver.objective_value) if found else None, code == cp_model.OPTIMAL,
                       time.perf_counter() - started)


def gap_percent(makespan: int | None, best_known: int) -> float | None:
    return None if makespan is None else 100.0 * (makespan - best_known) / best_known
