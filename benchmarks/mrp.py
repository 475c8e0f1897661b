"""MRP on a generated plant: 10,000 items on 5 BOM levels, 26 weekly buckets (target ≤ 2 s).

Generates the plant with `planbridge.synthetic.generate_plant` (seed 0, as of 2026-12-01),
adds a weekly forecast for every end item (its average weekly shipments over the year of
history, for 26 weeks) for the forecast-consumption variant, and times `run_mrp` on the
in-memory snapshot: the median of `--repeat` runs, wall clock and CPU time. The plant is
generated once; snapshot helpers (low-level codes, routings by item) are warmed first,
as they are in the long-running service.

    .venv/bin/python -m benchmarks.mrp [--items N] [--levels L] [--orders M] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from rich.console import Console
from rich.table import Table

from planbridge.synthetic import generate_plant
from planning_core.model import ForecastEntry, OrderStatus, PlantSnapshot
from planning_core.mrp import BucketSize, MrpParams, MrpResult, run_mrp

ANCHOR = date(2026, 12, 1)
TARGET_S = 2.0


@dataclass(frozen=True)
class Case:
    name: str
    params: MrpParams
    forecast: bool
    target: float | None = None


@dataclass(frozen=True)
class Row:
    case: Case
    wall: float
    cpu: float
    result: MrpResult


def with_forecast(snapshot: PlantSnapshot, *, weeks: int = 26) -> PlantSnapshot:
    """Every end item gets its average weekly shipments as a forecast, from the as-of week on."""
    shipped: dict[str, float] = defaultdict(float)
    for order in snapshot.sales_orders:
        if order.status is OrderStatus.SHIPPED:
            shipped[order.item_id] += order.shipped_qty if order.shipped_qty is not None else order.qty
    first = ANCHOR - timedelta(days=ANCHOR.weekday())
    entries = tuple(
        ForecastEntry(item_id, first + timedelta(weeks=k), round(total / 52, 1))
        for item_id, total in sorted(shipped.items())
        for k in range(weeks)
    )
    return replace(snapshot, forecast=entries)


def measure(snapshot: PlantSnapshot, case: Case, repeat: int) -> Row:
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_mrp(snapshot, case.params)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    assert result is not None
    return Row(case, statistics.median(walls), statistics.median(cpus), result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--resources", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    plain = generate_plant(items=args.items, orders=args.orders, resources=args.resources, levels=args.levels,
                           seed=args.seed, anchor=ANCHOR)
    generated = time.perf_counter() - started
    forecasted = with_forecast(plain)
    for snapshot in (plain, forecasted):
        _ = snapshot.low_level_codes, snapshot.routing_of, snapshot.open_orders, snapshot.components_of
    week = BucketSize.WEEK
    cases = [
        Case("26 weekly buckets", MrpParams(as_of=ANCHOR, horizon_days=182, bucket=week), False, TARGET_S),
        Case("26 weekly buckets + forecast", MrpParams(as_of=ANCHOR, horizon_days=182, bucket=week), True, TARGET_S),
        Case("90 daily buckets", MrpParams(as_of=ANCHOR, horizon_days=90), False),
        Case("90 daily buckets + forecast", MrpParams(as_of=ANCHOR, horizon_days=90), True),
        Case("182 daily buckets + forecast", MrpParams(as_of=ANCHOR, horizon_days=182), True),
    ]
    rows = [measure(forecasted if c.forecast else plain, c, args.repeat) for c in cases]

    title = (f"MRP: {len(plain.items):,} items, {args.levels} BOM levels, {len(plain.bom):,} BOM lines, "
             f"{len(plain.open_orders):,} open orders, {len(plain.purchase_orders):,} POs, "
             f"{len(forecasted.forecast):,} forecast rows (variants); median of {args.repeat} runs")
    table = Table(title=title)
    for column in ("case", "buckets", "wall s", "CPU s", "planned orders", "shortages", "messages", "target", ""):
        table.add_column(column, justify="left" if column in ("case", "") else "right")
    for row in rows:
        verdict = "" if row.case.target is None else ("ok" if row.wall <= row.case.target else "SLOW")
        table.add_row(row.case.name, str(row.result.grid.buckets), f"{row.wall:.3f}", f"{row.cpu:.3f}",
                      f"{len(row.result.planned_orders):,}", f"{len(row.result.shortages):,}",
                      f"{len(row.result.messages):,}",
                      f"≤ {row.case.target:g} s" if row.case.target else "", verdict)
    console = Console(width=max(120, Console().width))
    console.print(table)
    console.print(f"(plant generated in {generated:.1f} s, not counted)")


if __name__ == "__main__":
    main()
