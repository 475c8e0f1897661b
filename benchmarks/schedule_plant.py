"""Finite-capacity schedule of a generated plant: first feasible time, tardiness vs EDD, peak memory.

Generates the plant with `planbridge.synthetic.generate_plant` (default: 2,000 items on 4
BOM levels, 50 resources, 5,000 open orders, seed 0, as of 2027-01-04) and runs
`schedule_plant` as `planbridge schedule` does, on `--workers` threads for `--time-limit`
seconds. Reports the time to the first feasible schedule (problem building and the EDD
dispatch), the final weighted tardiness against the EDD baseline, the independent
checker's verdict, and the peak resident memory of the process (generation included).
Targets: first feasible within 60 s on 2 cores, under 4 GiB.

    .venv/bin/python -m benchmarks.schedule_plant [--orders N] [--items N] [--resources N]
        [--levels N] [--seed S] [--time-limit S] [--workers W]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

from rich.console import Console
from rich.table import Table

from planbridge.synthetic import generate_plant
from planning_core.checker import check_plan
from planning_core.scheduling.plant import edd_schedule, outcomes, schedule_plant
from planning_core.scheduling.plant_problem import assemble, explode, initial_horizon_days

ANCHOR = date(2027, 1, 4)
FIRST_FEASIBLE_TARGET_S = 60.0
MEMORY_TARGET_MIB = 4096.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--resources", type=int, default=50)
    parser.add_argument("--levels", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    snapshot = generate_plant(items=args.items, orders=args.orders, resources=args.resources, levels=args.levels,
                              seed=args.seed, anchor=ANCHOR)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    explosion = explode(snapshot, ANCHOR)
    problem = assemble(snapshot, explosion, days=initial_horizon_days(explosion)).problem
    built = time.perf_counter() - started
    edd_plant, edd_schedule_ = edd_schedule(snapshot, ANCHOR)
    late_edd = sum(1 for o in outcomes(edd_plant, edd_schedule_) if o.late_days)

    started = time.perf_counter()
    result = schedule_plant(snapshot, ANCHOR, time_limit=args.time_limit, workers=args.workers)
    total = time.perf_counter() - started
    report = result.report
    first_feasible = built + report.first_feasible_seconds

    started = time.perf_counter()
    check = check_plan(result.plan, snapshot, precedence="strict")
    checked = time.perf_counter() - started

    late = sum(1 for o in result.orders if o.late_days)
    table = Table(title=f"schedule_plant: {args.orders} orders, {args.items} items, {args.levels} levels, "
                        f"{args.resources} resources, seed {args.seed}, {args.workers} workers, "
                        f"time limit {args.time_limit:g} s")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("plant generated (s)", f"{generated:.1f}"),
        ("open orders / batches / tasks", f"{len(problem.demands)} / {len(problem.jobs)} / {len(problem.tasks)}"),
        ("problem built: netting, BOM explosion, calendars (s)", f"{built:.1f}"),
        ("first feasible schedule (EDD) after (s)",
         f"{first_feasible:.1f} (target {FIRST_FEASIBLE_TARGET_S:g})"),
        ("total schedule time (s)", f"{total:.1f}"),
        ("method / LNS windows", f"{report.method} / {report.windows}"),
        ("rush tardiness, EDD -> final (h)",
         f"{report.baseline.rush_tardiness / 60:,.0f} -> {report.objectives.rush_tardiness / 60:,.0f}"),
        ("weighted tardiness, best dispatching rule (h)",
         f"{report.warm_start.weighted_tardiness / 60:,.0f}" if report.warm_start else "-"),
        ("weighted tardiness, EDD -> final (h)",
         f"{report.baseline.weighted_tardiness / 60:,.0f} -> {report.objectives.weighted_tardiness / 60:,.0f}"
         f" ({_change(report.baseline.weighted_tardiness, report.objectives.weighted_tardiness)})"),
        ("flow time, EDD -> final (h)",
         f"{report.baseline.flow_time / 60:,.0f} -> {report.objectives.flow_time / 60:,.0f}"),
        ("late orders, EDD -> final", f"{late_edd} -> {late} of {len(result.orders)}"),
        ("checker (strict)", f"{'ok' if check.ok else str(check)[:200]} in {checked:.1f} s"),
        ("peak memory (MiB)", f"{peak_mib():,.0f} (target < {MEMORY_TARGET_MIB:,.0f})"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)


def _change(before: int, after: int) -> str:
    return "no change" if before == 0 else f"{100.0 * (after - before) / before:+.1f} %"


if __name__ == "__main__":
    main()
