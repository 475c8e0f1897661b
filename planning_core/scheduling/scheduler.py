"""Solving a `SchedulingProblem`: dispatching baseline first, then CP-SAT, never worse than the baseline."""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, replace

from planning_core.scheduling.cpsat import (
    MAX_SEQUENCE_TASKS,
    ModelResult,
    ProgressFn,
    ScheduleModel,
    SolveStatus,
    StageResult,
)
from planning_core.scheduling.dispatch import edd, makespan_dispatches, tardiness_dispatches
from planning_core.scheduling.lns import improve_by_windows
from planning_core.scheduling.problem import ObjectiveKind, SchedulingProblem
from planning_core.scheduling.solution import Objectives, Schedule, evaluate
from planning_core.scheduling.tabu import is_pure_job_shop, tabu_search

HORIZON_MARGIN_MINUTES = 2 * 24 * 60
MONOLITHIC_TASKS = 1500  # above this, one model is too slow to build and search: windows instead
MONOLITHIC_LITERALS = 40_000  # likewise for the calendar encoding of long horizons
WINDOW_TASKS = 800  # tasks per time window of the large-neighbourhood search (see `lns`)
SEQUENCE_MONOLITHIC_SHARE = 0.5  # with set-up sequences too long for one model: its share, then windows
EXTRA_DISPATCH_FACTOR = 4  # other dispatching rules only when they leave most of the time to the solver
LNS_SHARE = {ObjectiveKind.MAKESPAN: 0.0, ObjectiveKind.TARDINESS: 0.0}
# CP-SAT parameters, tuned on 16 hard JSPLIB instances at 10 s and 2 workers (abz7-9, swv01-05,
# ta03/06/07/09/10, la21, la29, orb03; never per instance) and checked on the demo plant's
# tardiness: the full-search worker runs without the LP relaxation (weak for disjunctive
# problems, slow to update; without it the demo plant is solved to optimality in 10 s instead of
# ending 5-15 % above it), and the helper thread skips the generic first-solution and local-search
# heuristics, which the warm start makes redundant, leaving it to the neighbourhood searches.
# The windows of the large-neighbourhood search use them too (on a 100-order generated plant,
# 20 s of windows: 1,153,888 weighted minutes late against 1,155,076-1,159,471 with the defaults).
SEARCH_PARAMETERS: dict[str, object] = {"subsolvers": ["no_lp"], "ignore_subsolvers": ["fj", "ls", "feasibility_pump"]}
# Makespan (job shops): the dispatching schedule bounds the model (every start at most its makespan
# less the work that must follow) but is not given as a hint. A hint pins the full-search worker
# to the dispatching order, from which it improves a unit at a time; without one it builds its own
# first schedules, far better on shops with many jobs per machine (30x10, 50x10). Tuned on the
# la, abz and orb families of the public set (issue 15), held out: ta, swv, ft and the larger
# instances in benchmarks/data/jsplib_heldout_large.json.
HINT_MAKESPAN = False
# Pure job shops (see `tabu.is_pure_job_shop`): CP-SAT first, then a critical-path tabu search
# polishes its schedule for the last TABU_SHARE of the time, at most TABU_CAP seconds (unless the
# solver proved its optimum). Tuned on the public set only (issue 15; swv01/03/05, ta01/10, la36/40,
# abz8 at 5 s and 10 s, one seed, so differences of a few units are noise): the tabu search finds
# good schedules of flat shops (swv) far sooner than CP-SAT, which is better on square ones (ta, la).
# Tabu first, its makespan as the model's upper bound, helped swv but cost ta10 20-30 units: under
# a tight bound and without a hint CP-SAT found no schedule of its own in the time left, and with
# the tabu schedule as a hint it hardly moved from it; a share of 0.5 without a cap cost la36/40
# their optimum at 5 s. CP-SAT first keeps its results on ta/la/orb and the tabu search starts
# from a better schedule than the dispatching one. Measured against the same model without the
# tabu search (public, quiet machine): at 5 s swv01/03/05 4518 -> 4403 (sum of makespans), la21
# and la40 12 and 15 units worse; at 10 s no gain on swv (4426 -> 4447, within noise).
# With the search four times faster (11,500 -> 42,000 iterations/s on swv01, see `tabu`), the same
# share and cap were measured again (one run each, load average 1.5-2 on 2 cores shared with other
# work; mean gap to best known, product / plain CP-SAT): public at 5 s swv 4.15 / 6.56 % (0.63),
# ta 1.19 / 1.79 % (0.66), la 0.09 / 0.58 %, abz 2.95 / 5.67 %; at 10 s swv 2.60 / 3.74 % (0.70),
# ta 0.84 / 1.00 % (0.84), la, ft and orb at their optimum. A second public run at 5 s: swv
# 3.78 / 4.99 % (0.76), ta 1.54 / 1.40 % (1.10: ta01 unproven at 1248, la40 1236), la 0.36 /
# 0.49 %, so on square shops at 5 s the time taken from CP-SAT can still cost. Held out, measured once and not tuned
# on: at 5 s swv 7.42 / 12.93 % (0.57), ta 3.14 / 5.21 % (0.60), yn 2.25 / 6.02 %; at 10 s swv
# 5.44 / 11.08 % (0.49), ta 2.75 / 3.76 % (0.73), yn 1.63 / 4.73 %. Against the model alone
# (share 0, as on main) at 5 s: swv 4461 -> 4405, abz 1383 -> 1360, la 6545 -> 6543, ta 3728 ->
# 3740. A share of 0.3 and a cap of 2 s was no better (5 s: swv 4458, ta 3733; 10 s: swv 4362
# against 4339); ta at 10 s varies by 10-15 units from run to run with either, more than the
# difference, and the tabu search rarely improves CP-SAT's ta schedules.
TABU_SHARE = 0.4
TABU_CAP = 3.0


@dataclass(frozen=True)
class SolveReport:
    """The chosen schedule and the facts about how it was found."""

    schedule: Schedule
    objectives: Objectives
    baseline: Objectives
    method: str  # "cp-sat" or "dispatch" (the solver found nothing better), "+tabu" where that improved it
    status: SolveStatus
    stages: tuple[StageResult, ...]
    seconds: float
    first_feasible_seconds: float
    windows: int = 0  # sub-problems solved by large-neighbourhood search (0: one model)
    warm_start: Objectives | None = None  # the best dispatching rule's schedule, where the solver started

    @property
    def bound(self) -> int | None:
        main = _main_stage(self.stages)
        return main.bound if main is not None else None


def solve_problem(
    problem: SchedulingProblem,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    progress: ProgressFn | None = None,
    lns_share: float | None = None,
    parameters: dict[str, object] | None = None,
) -> SolveReport:
    """The best schedule found within `time_limit` seconds, never worse than the dispatching baseline.

    `lns_share`: part of each objective stage spent in neighbourhood search only (default by objective)."""
    started = time.perf_counter()
    baseline = _baseline(problem)
    first_feasible = time.perf_counter() - started
    base_score = evaluate(problem, baseline)
    spare = time_limit - first_feasible > EXTRA_DISPATCH_FACTOR * first_feasible  # time for other rules too?
    incumbent, incumbent_score = _best_start(problem, baseline, base_score) if spare else (baseline, base_score)
    left = max(0.05, time_limit - (time.perf_counter() - started))
    polish = min(TABU_SHARE * left, TABU_CAP) if is_pure_job_shop(problem) else 0.0  # the tabu search's time
    horizon = search_horizon(problem, incumbent_score)
    if len(problem.tasks) > MONOLITHIC_TASKS or calendar_literals(problem, horizon) > MONOLITHIC_LITERALS:
        schedule, score, stats = improve_by_windows(problem, incumbent, time_limit=left, workers=workers,
                                                    seed=seed, progress=progress, window_tasks=window_tasks(problem),
                                                    parameters=SEARCH_PARAMETERS if parameters is None else parameters)
        method = "cp-sat-lns" if stats.improved else "dispatch"
        return SolveReport(schedule, score, base_score, method, SolveStatus.FEASIBLE, (),
                           time.perf_counter() - started, first_feasible, stats.windows, incumbent_score)
    makespan = problem.objective is ObjectiveKind.MAKESPAN
    upper = incumbent_score.makespan if makespan else None
    hinted = incumbent if HINT_MAKESPAN or not makespan else None
    model = ScheduleModel(problem, incumbent=hinted, horizon=horizon, upper_bound=upper)
    if lns_share is None:
        lns_share = LNS_SHARE[problem.objective]
    if parameters is None:
        parameters = SEARCH_PARAMETERS
    sequence_later = long_setup_sequences(problem)
    solver_time = (left - polish) * (SEQUENCE_MONOLITHIC_SHARE if sequence_later else 1.0)
    result = model.solve(time_limit=solver_time, workers=workers, seed=seed, progress=progress, lns_share=lns_share,
                         parameters=parameters)
    report = _choose(problem, (incumbent, incumbent_score), base_score, result, started, first_feasible)
    if polish > 0 and report.status is not SolveStatus.OPTIMAL:
        report = _polish(problem, report, time_limit - (time.perf_counter() - started), seed, started)
    if not sequence_later:
        return report
    # the whole model could not order the long set-up sequences: time windows do, from its schedule
    left = max(0.05, time_limit - (time.perf_counter() - started))
    schedule, score, stats = improve_by_windows(problem, report.schedule, time_limit=left, workers=workers, seed=seed,
                                                progress=progress, parameters=parameters,
                                                window_tasks=window_tasks(problem))
    return replace(report, schedule=schedule, objectives=score, seconds=time.perf_counter() - started,
                   windows=stats.windows, method=report.method + ("+lns" if stats.improved else ""),
                   status=SolveStatus.FEASIBLE if stats.improved else report.status)


def _polish(problem: SchedulingProblem, report: SolveReport, left: float, seed: int, started: float) -> SolveReport:
    """The report with the tabu search's schedule where it beats the solver's."""
    found = tabu_search(problem, report.schedule, time_limit=max(0.0, left), seed=seed)
    if not found.improved:
        return report
    proven = report.bound is not None and found.makespan <= report.bound  # it reached the solver's lower bound
    return replace(report, schedule=found.schedule, objectives=evaluate(problem, found.schedule),
                   method=report.method + "+tabu", status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
                   seconds=time.perf_counter() - started)


def search_horizon(problem: SchedulingProblem, baseline: Objectives) -> int:
    """How far ahead the model may place tasks: a little past the baseline's last end and the last due date.

    Tardiness is not helped by running far past both, and every minute of horizon widens the
    calendar encoding, so the search stays near the baseline (which it always contains)."""
    if problem.objective is ObjectiveKind.MAKESPAN:
        return max(problem.horizon, baseline.makespan)
    latest = max([baseline.makespan, *(d.due for d in problem.demands), *(t.release for t in problem.tasks)])
    margin = HORIZON_MARGIN_MINUTES + baseline.makespan // 10
    return max(baseline.makespan, min(problem.horizon, latest + margin))


def calendar_literals(problem: SchedulingProblem, horizon: int) -> int:
    """Roughly how many break-crossing literals one model of the whole problem needs (two per
    working window a task's start or end could fall in): the model's size beyond its intervals."""
    total = 0
    for task in problem.tasks:
        low = problem.heads[task.index]
        for calendar_id in problem.calendar_groups(task):
            calendar = problem.calendars[calendar_id]
            if not calendar.is_continuous:
                total += 2 * (bisect.bisect_left(calendar.starts, horizon) - bisect.bisect_left(calendar.starts, low))
    return total


def long_setup_sequences(problem: SchedulingProblem) -> bool:
    """Whether a one-unit resource has family tasks whose set-ups the sequence could shorten and more
    tasks than one set-up circuit may order: then only time windows let the solver sequence them."""
    return _busiest_sequence(problem) > MAX_SEQUENCE_TASKS


def window_tasks(problem: SchedulingProblem) -> int:
    """Tasks per time window: the default, or fewer where that many would put more tasks on a
    sequenced resource than its set-up circuit may order (windows spread over all resources)."""
    busiest = _busiest_sequence(problem)
    if busiest == 0:
        return WINDOW_TASKS
    return max(10, min(WINDOW_TASKS, int(0.8 * MAX_SEQUENCE_TASKS * len(problem.tasks) / busiest)))


def _busiest_sequence(problem: SchedulingProblem) -> int:
    """Tasks that may run on the busiest one-unit resource where family set-ups can be saved (0: none)."""
    counts: dict[str, int] = {}
    saving: set[str] = set()
    for task in problem.tasks:
        for resource_id in task.resource_ids:
            counts[resource_id] = counts.get(resource_id, 0) + 1
            if task.family is not None and problem.shortest_work(task) < task.work:
                saving.add(resource_id)
    return max((counts[r] for r in saving if problem.resources[r].units == 1), default=0)


def _baseline(problem: SchedulingProblem) -> Schedule:
    if problem.objective is ObjectiveKind.MAKESPAN:
        return min(makespan_dispatches(problem), key=lambda s: evaluate(problem, s).makespan)
    return edd(problem)


def best_dispatch(problem: SchedulingProblem) -> Objectives:
    """The scores of the best dispatching schedule (the baseline and the other rules): the model's start."""
    baseline = _baseline(problem)
    return _best_start(problem, baseline, evaluate(problem, baseline))[1]


def _best_start(problem: SchedulingProblem, baseline: Schedule, score: Objectives) -> tuple[Schedule, Objectives]:
    """The best of the baseline and a few other dispatching rules: the model's warm start."""
    best = (baseline, score)
    if problem.objective is ObjectiveKind.TARDINESS and problem.demands:
        for candidate in tardiness_dispatches(problem, baseline):
            candidate_score = evaluate(problem, candidate)
            if candidate_score.key(problem.objective) < best[1].key(problem.objective):
                best = (candidate, candidate_score)
    return best


def _choose(problem: SchedulingProblem, start: tuple[Schedule, Objectives], base_score: Objectives,
            result: ModelResult, started: float, first_feasible: float) -> SolveReport:
    kind = problem.objective
    incumbent, incumbent_score = start
    if result.schedule is not None:
        score = evaluate(problem, result.schedule)
        if score.key(kind) <= incumbent_score.key(kind):
            return SolveReport(result.schedule, score, base_score, "cp-sat", result.status, result.stages,
                               time.perf_counter() - started, first_feasible, warm_start=incumbent_score)
    return SolveReport(incumbent, incumbent_score, base_score, "dispatch", SolveStatus.FEASIBLE, result.stages,
                       time.perf_counter() - started, first_feasible, warm_start=incumbent_score)


def _main_stage(stages: tuple[StageResult, ...]) -> StageResult | None:
    named = [s for s in stages if s.name in ("weighted_tardiness", "makespan")]
    return named[-1] if named else None
