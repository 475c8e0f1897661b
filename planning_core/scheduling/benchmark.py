"""Job-shop benchmark: the product's scheduler against the plain CP-SAT model, instance by instance."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from planning_core.scheduling.cpsat import SolveStatus
from planning_core.scheduling.jobshop import JobShopInstance, gap_percent, job_shop_problem, solve_plain
from planning_core.scheduling.scheduler import solve_problem
from planning_core.scheduling.solution import violations


@dataclass(frozen=True, slots=True)
class ModelRun:
    makespan: int | None
    gap_percent: float | None
    optimal: bool
    seconds: float


@dataclass(frozen=True, slots=True)
class BenchRow:
    name: str
    size: str
    best_known: int
    product: ModelRun
    plain: ModelRun


@dataclass(frozen=True)
class BenchSummary:
    rows: tuple[BenchRow, ...]

    @property
    def product_mean_gap(self) -> float | None:
        return _mean([r.product.gap_percent for r in self.rows])

    @property
    def plain_mean_gap(self) -> float | None:
        return _mean([r.plain.gap_percent for r in self.rows])

    @property
    def gap_reduction(self) -> float | None:
        """How much lower the product's mean gap is than the plain model's (0.2 = 20 % lower)."""
        product, plain = self.product_mean_gap, self.plain_mean_gap
        if product is None or plain is None or plain == 0:
            return None
        return 1.0 - product / plain


def _mean(values: Sequence[float | None]) -> float | None:
    """Mean over instances; an instance without a solution counts as missing (and is shown as such)."""
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


def bench_instance(instance: JobShopInstance, *, time_limit: float, workers: int, seed: int = 0) -> BenchRow:
    """Solve one instance with the product model, then with the plain model, under the same limits."""
    problem = job_shop_problem(instance)
    report = solve_problem(problem, time_limit=time_limit, workers=workers, seed=seed)
    wrong = violations(problem, report.schedule)
    if wrong:
        raise AssertionError(f"{instance.name}: the product schedule is invalid: {wrong[0]}")
    makespan = report.objectives.makespan
    proven = report.status is SolveStatus.OPTIMAL or (report.bound is not None and report.bound >= makespan)
    product = ModelRun(makespan, gap_percent(makespan, instance.best_known), proven, report.seconds)
    plain_result = solve_plain(instance, time_limit=time_limit, workers=workers, seed=seed)
    plain = ModelRun(plain_result.makespan, gap_percent(plain_result.makespan, instance.best_known),
                     plain_result.optimal, plain_result.seconds)
    return BenchRow(instance.name, instance.size, instance.best_known, product, plain)


def run_bench(
    instances: Sequence[JobShopInstance],
    *,
    time_limit: float,
    workers: int,
    seed: int = 0,
    on_row: Callable[[BenchRow], None] | None = None,
) -> BenchSummary:
    rows = []
    for instance in instances:
        row = bench_instance(instance, time_limit=time_limit, workers=workers, seed=seed)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return BenchSummary(tuple(rows))
