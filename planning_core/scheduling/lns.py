"""Large-neighbourhood search for problems too big for one CP-SAT model.

Start from a complete schedule (the dispatching baseline). Repeatedly free the tasks
that start in one time window, keep every other task where it is (as fixed intervals
on its resource and as bounds on its neighbours), and let CP-SAT re-solve the window
with the same model and the same lexicographic objective, starting from the current
placement. A window's result is kept only if the whole schedule scores no worse, so
the search can only improve on the baseline. Windows are spans of real time (up to a week,
up to `window_tasks` tasks) overlapping by half; each round visits first those holding the
most weighted tardiness, then the others in time order, and the next round starts over.
"""

from __future__ import annotations

import bisect
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


DAY = 24 * 60
MAX_WINDOW_DAYS = 7  # wider windows cross too many breaks: the calendar encoding grows with the span


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
    parameters: dict[str, object] | None = None,
) -> tuple[Schedule, Objectives, LnsStats]:
    started = time.perf_counter()
    kind = problem.objective
    current, score = incumbent, evaluate(problem, incumbent)
    windows = improved = 0
    queue: list[int] = []
    span = _window_span(problem, current, window_tasks)
    while (left := time_limit - (time.perf_counter() - started)) > 0.2:
        by_start = sorted(range(len(problem.tasks)), key=lambda t: (current.placements[t].start, t))
        starts = [current.placements[t].start for t in by_start]
        if not queue:
            queue = _round(problem, current, by_start, starts, span=span, size=window_tasks)
        first = bisect.bisect_left(starts, queue.pop(0))
        if first == len(starts):  # the window began after the last task, which has moved earlier since
            continue
        free = by_start[first:min(first + window_tasks, bisect.bisect_left(starts, starts[first] + span))]
        if not free:
            continue
        low = min(current.placements[t].start for t in free)
        high = max(current.placements[t].end for t in free)
        model = ScheduleModel(problem, incumbent=current, free=free, horizon=problem.horizon, window=(low, high))
        result = model.solve(time_limit=min(window_seconds, left), workers=workers, seed=seed + windows,
                             progress=progress, parameters=parameters)
        windows += 1
        if result.schedule is None:
            continue
        candidate = evaluate(problem, result.schedule)
        if candidate.key(kind) <= score.key(kind):
            improved += candidate.key(kind) < score.key(kind)
            current, score = result.schedule, candidate
    return current, score, LnsStats(windows, improved, time.perf_counter() - started)


def _window_span(problem: SchedulingProblem, schedule: Schedule, size: int) -> int:
    """Real minutes a window covers: about `size` tasks at the schedule's density, one to seven days."""
    makespan = max((p.end for p in schedule.placements), default=0)
    per_day = len(problem.tasks) / max(1.0, makespan / DAY)
    return int(DAY * min(MAX_WINDOW_DAYS, max(1.0, size / max(per_day, 1e-9))))


def _round(problem: SchedulingProblem, schedule: Schedule, by_start: list[int], starts: list[int], *,
           span: int, size: int) -> list[int]:
    """Window start times for one round, half-overlapping: those holding the most weighted
    tardiness first, then the rest in time order."""
    late = [0] * len(problem.tasks)
    for demand in problem.demands:
        for t in demand.final_tasks:
            late[t] = demand.weight * max(0, schedule.placements[t].end - demand.due)
    prefix = [0]
    for t in by_start:
        prefix.append(prefix[-1] + late[t])
    weight = {}
    for at in range(0, (starts[-1] if starts else 0) + 1, max(1, span // 2)):
        first = bisect.bisect_left(starts, at)
        last = min(first + size, bisect.bisect_left(starts, at + span))
        if last > first:
            weight[at] = prefix[last] - prefix[first]
    return sorted(weight, key=lambda at: (-weight[at], at))
