"""The critical-path tabu search for pure job shops: good, valid, repeatable, and only where it applies."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.scheduling.jobshop import JobShopInstance, Operation, job_shop_problem
from planning_core.scheduling.plant_problem import assemble, explode, initial_horizon_days
from planning_core.scheduling.problem import ObjectiveKind, SchedulingProblem
from planning_core.scheduling.scheduler import _baseline, solve_problem
from planning_core.scheduling.solution import evaluate, violations
from planning_core.scheduling.tabu import is_pure_job_shop, tabu_search
from planning_core.scheduling.timeline import WorkingTime
from tests.plants import DAY_WITH_LUNCH, MONDAY, plant, sales_order, step

# Fisher and Thompson's 6x6 instance (JSPLIB ft06), optimum 55.
FT06: tuple[tuple[Operation, ...], ...] = (
    ((2, 1), (0, 3), (1, 6), (3, 7), (5, 3), (4, 6)),
    ((1, 8), (2, 5), (4, 10), (5, 10), (0, 10), (3, 4)),
    ((2, 5), (3, 4), (5, 8), (0, 9), (1, 1), (4, 7)),
    ((1, 5), (0, 5), (2, 5), (3, 3), (4, 8), (5, 9)),
    ((2, 9), (1, 3), (4, 5), (5, 4), (0, 3), (3, 1)),
    ((1, 3), (3, 3), (5, 9), (0, 10), (4, 4), (2, 1)),
)


def ft06() -> SchedulingProblem:
    return job_shop_problem(JobShopInstance("ft06", FT06, 55, 55, 55))


def test_the_search_finds_the_optimum_of_ft06_from_the_dispatching_schedule() -> None:
    problem = ft06()
    start = _baseline(problem)
    assert evaluate(problem, start).makespan > 55
    result = tabu_search(problem, start, time_limit=1.0, seed=0, max_iterations=3000)
    assert result.improved and result.makespan == 55
    assert evaluate(problem, result.schedule).makespan == 55
    assert not violations(problem, result.schedule)


def test_the_same_seed_and_iterations_give_the_same_schedule() -> None:
    problem = ft06()
    start = _baseline(problem)
    first, second = (tabu_search(problem, start, time_limit=5.0, seed=7, max_iterations=200) for _ in range(2))
    assert first.schedule == second.schedule and first.iterations == second.iterations == 200


def test_the_scheduler_uses_it_on_job_shops_and_returns_a_valid_optimal_ft06() -> None:
    problem = ft06()
    report = solve_problem(problem, time_limit=1.5, workers=1)
    assert report.objectives.makespan == 55
    assert not violations(problem, report.schedule)


@st.composite
def small_job_shops(draw: st.DrawFn) -> JobShopInstance:
    machines = draw(st.integers(1, 5))
    jobs = tuple(
        tuple((m, draw(st.integers(1, 20))) for m in draw(st.permutations(range(machines))))
        for _ in range(draw(st.integers(1, 6)))
    )
    return JobShopInstance("random", jobs, 1, 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_job_shops(), st.integers(0, 3))
def test_every_schedule_it_returns_passes_the_checker_and_is_no_worse_than_its_start(
        instance: JobShopInstance, seed: int) -> None:
    problem = job_shop_problem(instance)
    start = _baseline(problem)
    result = tabu_search(problem, start, time_limit=1.0, seed=seed, max_iterations=150)
    assert not violations(problem, result.schedule)
    assert result.makespan == evaluate(problem, result.schedule).makespan <= evaluate(problem, start).makespan
    assert result.makespan >= problem.resource_lower_bound


def test_it_applies_to_job_shops_only() -> None:
    problem = ft06()
    assert is_pure_job_shop(problem)
    lunch = WorkingTime(((0, 240), (270, 100_000)))
    assert not is_pure_job_shop(replace(problem, calendars={"always": lunch}))
    assert not is_pure_job_shop(replace(problem, objective=ObjectiveKind.TARDINESS))
    family = replace(problem.tasks[0], family="red", setup=1.0, own_setup=1)
    assert not is_pure_job_shop(replace(problem, tasks=(family, *problem.tasks[1:])))
    released = replace(problem.tasks[0], release=5)
    assert not is_pure_job_shop(replace(problem, tasks=(released, *problem.tasks[1:])))


def test_a_plant_with_shifts_is_not_a_job_shop_even_when_asked_for_its_makespan() -> None:
    snapshot = plant(
        orders=[sales_order("A", "X", 5, due_day=0), sales_order("B", "Y", 4, due_day=1)],
        routings=[step("X", 10, "M", run=60), step("Y", 10, "M", run=60)],
        resources={"M": (DAY_WITH_LUNCH, 1)},
    )
    explosion = explode(snapshot, MONDAY)
    problem = assemble(snapshot, explosion, days=initial_horizon_days(explosion)).problem
    assert not is_pure_job_shop(problem)
    assert not is_pure_job_shop(replace(problem, objective=ObjectiveKind.MAKESPAN))
