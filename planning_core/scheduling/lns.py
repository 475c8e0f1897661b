"""Large-neighbourhood search for problems too big for one CP-SAT model.

Start from a complete schedule (the dispatching baseline). Repeatedly free the tasks
that start in one time window, keep every other task where it is (as fixed intervals
on its resource and as bounds on its neighbours), and let CP-SAT re-solve the window
with the same model and the same lexicographic objective, starting from the current
placement. A window's result is kept only if the whole schedule scores no worse, so
the search can only improve on the baseline. Windows sweep forward in time with
half-window overlap and start again from the beginning when they reach the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from planning_core.scheduling.cpsat import ProgressFn, ScheduleModel
from planning_core.scheduling.problem import SchedulingProblem
from planning_core.scheduling.solution import Objectives, Schedule, evaluate


@dataclass(frozen=True, slots=True)
class LnsStats:
    windows: int
    improved: int
    seconds: float


def improve_by_windows(
    problem: SchedulingProblem,
    incumbent: Schedule,
    *,
    time_limit: float,
    workers: int,
    seed: int = 0,
    window_tasks: int = 800,
    window_seconds: float = 3.0,
    progress: ProgressFn | None = None,
) -> tuple[Schedule, Objectives, LnsStats]:
    started = time.perf_counter()
    kind = problem.objective
    current, score = incumbent, evaluate(problem, incumbent)
    windows = improved = 0
    queue: list[int] = []
    while (left := time_limit - (time.perf_counter() - started)) > 0.2:
        by_start = sorted(range(len(problem.tasks)), key=lambda t: (current.placements[t].start, t))
        if not queue:
            queue = _rounds_windows(problem, current, by_start, window_tasks)
        first = queue.pop(0)
        free = by_start[first:first + window_tasks]
        low = min(current.placements[t].start for t in free)
        high = max(current.placements[t].end for t in free)
        model = ScheduleModel(problem, incumbent=current, free=free, horizon=problem.horizon, window=(low, high))
        result = model.solve(time_limit=min(window_seconds, left), workers=workers, seed=seed + windows,
                             progress=progress)
        windows += 1
        if result.schedule is None:
            continue
        candidate = evaluate(problem, result.schedule)
        if candidate.key(kind) <= score.key(kind):
            improved += candidate.key(kind) < score.key(kind)
            current, score = result.schedule, candidate
    return current, score, LnsStats(windows, improved, time.perf_counter() - started)


def _rounds_windows(problem: SchedulingProblem, schedule: Schedule, by_start: list[int], size: int) -> list[int]:
    """Window starts (positions in start order, half-overlapping) for one round: those holding the
    most weighted tardiness first, then the rest in time order."""
    late = [0] * len(problem.tasks)
    for demand in problem.demands:
        for t in demand.final_tasks:
            late[t] = demand.weight * max(0, schedule.placements[t].end - demand.due)
    position_weight = [late[t] for t in by_start]
    starts = list(range(0, max(1, len(by_start) - size // 2), max(1, size // 2)))
    weight = {s: sum(position_weight[s:s + size]) for s in starts}
    return sorted(starts, key=lambda s: (-weight[s], s))
