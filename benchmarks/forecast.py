"""Statistical forecast of 2,000 weekly demand series with a backtest (target ≤ 60 s).

Builds a seeded plant whose shipped orders make 2,000 weekly series over up to two years:
60 % steady or trending with a yearly swing, 30 % intermittent (most weeks zero), 10 %
short histories. Each measurement runs in a fresh Python process, so import and numba JIT
costs are counted: *cold* starts with an empty numba cache, *warm* reuses the cache the
cold run wrote (what every run after the first one on a machine sees). Reported: import of
statsforecast, building the weekly history from orders, the forecast, the backtest, and
the total (history + forecast + backtest), plus the backtest WAPE against a naive forecast.

    .venv/bin/python -m benchmarks.forecast [--series N] [--weeks W] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from planning_core.model import Item, ItemType, OrderStatus, PlantInfo, PlantSnapshot, SalesOrder

AS_OF = date(2026, 12, 2)
TARGET_S = 60.0


def demand_plant(*, series: int, weeks: int, seed: int) -> PlantSnapshot:
    """Items with shipped orders only: one shipment per week with demand."""
    rng = random.Random(seed)
    first_week = AS_OF - timedelta(days=AS_OF.weekday()) - timedelta(weeks=weeks)
    items: dict[str, Item] = {}
    orders: list[SalesOrder] = []
    for k in range(series):
        item_id = f"SKU-{k:05d}"
        items[item_id] = Item(item_id, item_id, ItemType.BUY)
        kind = rng.random()
        length = rng.randint(6, 25) if kind < 0.1 else weeks
        level, trend, swing = rng.uniform(5, 60), rng.uniform(-0.004, 0.006), rng.uniform(0, 0.4)
        chance, size = rng.uniform(0.08, 0.4), rng.uniform(3, 30)
        for w in range(weeks - length, weeks):
            if kind < 0.7:
                mean = level * (1 + trend * w) * (1 + swing * math.sin(2 * math.pi * w / 52))
                qty = float(max(0, round(rng.gauss(mean, 0.25 * mean))))
            else:
                qty = float(round(rng.expovariate(1 / size)) + 1) if rng.random() < chance else 0.0
            if qty:
                day = first_week + timedelta(weeks=w, days=rng.randint(0, 4))
                orders.append(SalesOrder(f"{item_id}-{w}", "C", item_id, qty, day, day, status=OrderStatus.SHIPPED,
                                         shipped_date=day))
    return PlantSnapshot(PlantInfo(), items, (), (), {}, {}, sales_orders=tuple(orders))


def child(args: argparse.Namespace) -> None:
    """One measurement in this process; prints one JSON line."""
    started = time.perf_counter()
    from planning_core import forecasting

    forecasting._statsforecast()
    imported = time.perf_counter() - started
    plant = demand_plant(series=args.series, weeks=args.weeks, seed=args.seed)
    history_started = time.perf_counter()
    history = forecasting.weekly_history(plant, as_of=AS_OF)
    history_s = time.perf_counter() - history_started
    settings = forecasting.ForecastSettings(n_jobs=args.child_jobs)
    run = forecasting.forecast_demand(plant, as_of=AS_OF, settings=settings)
    backtest = run.backtest.to_json() if run.backtest else {}
    print(json.dumps({
        "import": imported, "history": history_s, "forecast": run.seconds["forecast"],
        "backtest": run.seconds["backtest"], "series": history["unique_id"].nunique(),
        "methods": run.to_json()["methods"], "wape": backtest.get("wape"), "naive_wape": backtest.get("naive_wape"),
        "by_method": backtest.get("by_method", {}),
    }))


@dataclass(frozen=True)
class Measurement:
    label: str
    jobs: int
    data: dict[str, Any]

    @property
    def total(self) -> float:
        return float(self.data["history"] + self.data["forecast"] + self.data["backtest"])


def measure(label: str, args: argparse.Namespace, *, jobs: int, cache: str) -> Measurement:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, NIXTLA_NUMBA_CACHE="1")
    command = [sys.executable, "-m", "benchmarks.forecast", "--child", "--child-jobs", str(jobs),
               "--series", str(args.series), "--weeks", str(args.weeks), "--seed", str(args.seed)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return Measurement(label, jobs, json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="statsforecast n_jobs to measure warm")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory(prefix="planbridge-numba-") as cache:
        rows = [measure("cold (empty numba cache)", args, jobs=1, cache=cache)]
        rows += [measure("warm", args, jobs=jobs, cache=cache) for jobs in args.jobs]
    first = rows[0].data
    table = Table(title=(f"Forecast of {first['series']:,} weekly series ({args.weeks} weeks of history at most, "
                         f"seed {args.seed}); methods: {first['methods']}"))
    for column in ("run", "n_jobs", "import s", "history s", "forecast s", "backtest s", "total s", "target", ""):
        table.add_column(column, justify="left" if column in ("run", "") else "right")
    for row in rows:
        d = row.data
        table.add_row(row.label, str(row.jobs), f"{d['import']:.1f}", f"{d['history']:.1f}", f"{d['forecast']:.1f}",
                      f"{d['backtest']:.1f}", f"{row.total:.1f}", f"≤ {TARGET_S:g} s",
                      "ok" if row.total <= TARGET_S else "SLOW")
    accuracy = Table(title=f"Backtest: last 8 weeks held out, WAPE (overall {first['wape']}, naive {first['naive_wape']})")
    for column in ("method", "series", "WAPE", "naive WAPE"):
        accuracy.add_column(column, justify="left" if column == "method" else "right")
    for method, m in first["by_method"].items():
        accuracy.add_row(method, str(m["series"]), str(m["wape"]), str(m["naive_wape"]))
    console = Console(width=max(120, Console().width))
    console.print(table)
    console.print(accuracy)


if __name__ == "__main__":
    main()
