"""Capable-to-promise latency: warm quotes and rush analyses, and a cold CLI quote.

    .venv/bin/python -m benchmarks.quote [--quotes 200] [--rushes 30] [--seed 7]

Generates the default plant (2,000 items, 4 levels, 50 resources, 5,000 open orders,
seed 0), imports it into a temporary SQLite file, then times, in one warm process:
building the promise engine (compile + load every confirmed order), random quotes
(end items that have orders, 1–200 units) and random rush analyses of open orders;
finally one cold `planbridge quote` in a fresh process. The same is done on the
public example plant and the demo plant, which are solved whole and exactly.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from integrations.csv_import import read_plant_folder, write_plant_folder
from planbridge.demo import demo_plant
from planbridge.synthetic import generate_plant
from planning_core.ctp.promising import PromiseEngine
from planning_core.model import PlantSnapshot

ANCHOR = date(2027, 1, 4)
ROOT = Path(__file__).resolve().parent.parent


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def _run_plant(name: str, snapshot: PlantSnapshot, *, quotes: int, rushes: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    started = time.perf_counter()
    engine = PromiseEngine(snapshot, as_of=ANCHOR)
    _ = engine.projection  # compile the plant and place every confirmed order
    build = time.perf_counter() - started
    sold = sorted({o.item_id for o in snapshot.sales_orders})
    quote_times: list[float] = []
    for _ in range(quotes):
        item, qty = rng.choice(sold), rng.randint(1, 200)
        t = time.perf_counter()
        engine.quote(item_id=item, qty=qty)
        quote_times.append(time.perf_counter() - t)
    open_orders = list(snapshot.open_orders)
    rush_times: list[float] = []
    for _ in range(min(rushes, len(open_orders))):
        order = rng.choice(open_orders)
        due = ANCHOR + timedelta(days=rng.randint(0, 10))
        t = time.perf_counter()
        engine.rush(due=due, order=order)
        rush_times.append(time.perf_counter() - t)
    mode = "split by item" if engine.decomposed else "whole plant"
    rows = [[name, mode, "engine build (once per data version)", f"{build * 1000:.0f}", "", "", "1"]]
    for what, samples in (("quote, warm", quote_times), ("rush impact, warm", rush_times)):
        if samples:
            p50, p95, worst = _percentiles(samples)
            rows.append([name, mode, what, f"{p50:.0f}", f"{p95:.0f}", f"{worst:.0f}", str(len(samples))])
    return rows


def _cold_cli(folder: Path, item: str) -> float:
    with tempfile.TemporaryDirectory() as work:
        db = f"sqlite:///{work}/bench.sqlite"
        exe = str(ROOT / ".venv" / "bin" / "planbridge")
        subprocess.run([exe, "import", str(folder), "--db", db], check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run([exe, "quote", item, "50", "--db", db, "--as-of", ANCHOR.isoformat(), "--json"],
                       check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=200)
    parser.add_argument("--rushes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    console = Console()
    table = Table("plant", "model", "what", "p50 ms", "p95 ms", "max ms", "n", title="Capable-to-promise latency")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "generated"
        big = generate_plant(anchor=ANCHOR, seed=0)
        write_plant_folder(big, folder)
        reading = read_plant_folder(folder)
        assert reading.snapshot is not None
        small = read_plant_folder(ROOT / "tests" / "data" / "pumps").snapshot
        assert small is not None
        for name, snapshot in (("pumps", small), ("demo", demo_plant(ANCHOR)), ("generated 2000/5000", reading.snapshot)):
            console.print(f"running {name} …")
            for row in _run_plant(name, snapshot, quotes=args.quotes, rushes=args.rushes, seed=args.seed):
                table.add_row(*row)
        item = sorted({o.item_id for o in reading.snapshot.open_orders})[0]
        cold = _cold_cli(folder, item)
        table.add_row("generated 2000/5000", "split by item", "cold CLI quote (new process)", f"{cold * 1000:.0f}", "", "", "1")
    console.print(table)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
