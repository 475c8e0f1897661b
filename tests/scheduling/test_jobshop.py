"""Job shops through the product model, the plain reference model, and the benchmark runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning_core.scheduling.benchmark import run_bench
from planning_core.scheduling.jobshop import UnknownInstance, job_shop_problem, load_instances, solve_plain
from planning_core.scheduling.scheduler import solve_problem
from planning_core.scheduling.solution import violations

TINY = Path(__file__).parent / "data" / "tiny_jobshop.json"


def test_a_job_shop_maps_to_one_always_open_resource_per_machine_and_chained_steps() -> None:
    [instance] = load_instances(TINY, only=["tiny3"])
    problem = job_shop_problem(instance)
    assert sorted(problem.resources) == ["M0", "M1", "M2"]
    assert len(problem.tasks) == 9 and len(problem.precedences) == 6
    assert all(problem.calendars[r.calendar_id].is_continuous for r in problem.resources.values())
    assert [(t.resource_ids, t.work) for t in problem.tasks[:3]] == [(("M0",), 3), (("M1",), 2), (("M2",), 2)]


def test_product_and_plain_model_both_prove_the_optimum_of_the_tiny_instance() -> None:
    # Machine loads are 6, 10 and 6, job lengths 7, 7 and 8; the best schedule found and proven is 11:
    # J2 on M1 first (0-4), then J0 (4-6) and J1 (6-10) on M1, J0 finishing on M2 at 9-11.
    [instance] = load_instances(TINY, only=["tiny3"])
    problem = job_shop_problem(instance)
    report = solve_problem(problem, time_limit=2, workers=1)
    assert report.objectives.makespan == 11
    assert report.status == "optimal"
    assert not violations(problem, report.schedule)
    plain = solve_plain(instance, time_limit=2, workers=1)
    assert (plain.makespan, plain.optimal) == (11, True)


def test_the_benchmark_reports_gaps_against_the_optimum_or_else_the_best_upper_bound() -> None:
    summary = run_bench(load_instances(TINY), time_limit=1, workers=1)
    exact, bounded = summary.rows
    assert (exact.name, exact.size, exact.best_known) == ("tiny3", "3x3", 11)
    assert (exact.product.makespan, exact.product.gap_percent, exact.product.optimal) == (11, 0.0, True)
    assert (bounded.name, bounded.best_known) == ("tiny3b", 12)  # no optimum in the file: its upper bound
    assert bounded.product.makespan == bounded.plain.makespan == 10
    assert bounded.plain.gap_percent == pytest.approx(-100 * 2 / 12)
    assert summary.product_mean_gap == summary.plain_mean_gap == pytest.approx(-100 * 2 / 12 / 2)


def test_asking_for_an_unknown_instance_names_it() -> None:
    with pytest.raises(UnknownInstance, match="nosuch"):
        load_instances(TINY, only=["tiny3", "nosuch"])
