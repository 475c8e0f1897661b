"""Available to promise by a date: latency and the exact quotes it takes, on the example and demo plants.

    .venv/bin/python -m benchmarks.available [--questions 20] [--seed 7] [--plants pumps,demo]

One warm engine per plant (seeded): random items that sell, asked "how many by" a random date
1–30 days ahead. Each answer is timed whole. `exact quotes` counts the quotes it asked the
engine for (first answers, a ledger placement of milliseconds each, are not counted); `first
answers reach` is the share of the answer the first answers alone proved.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from random import Random
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.quote import ANCHOR, percentiles, plant
from planning_core.ctp import available as atp
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import Quote
from planning_core.units import is_counted


class CountingEngine(PromiseEngine):
    """The engine, counting the quotes asked of it."""

    calls = 0

    def quote(self, **kwargs: Any) -> Quote:
        self.calls += 1
        return super().quote(**kwargs)


def run(name: str, *, questions: int, seed: int) -> list[str]:
    rng = Random(seed)
    snapshot = plant(name)
    engine = CountingEngine(snapshot, as_of=ANCHOR)
    items = sorted({o.item_id for o in snapshot.sales_orders})
    seconds: list[float] = []
    calls: list[int] = []
    reached: list[float] = []
    for _ in range(questions):
        item, by = rng.choice(items), ANCHOR + timedelta(days=rng.randint(1, 30))
        step = 1.0 if is_counted(snapshot.items[item].uom) else atp.RESOLUTION
        first = atp._Search(engine, item, by, step, None).first_answer_bound()
        engine.calls = 0
        started = time.perf_counter()
        answer = atp.available(engine, item, by)
        seconds.append(time.perf_counter() - started)
        calls.append(engine.calls)
        if answer.qty > 0 and not answer.unlimited:
            reached.append(first / answer.qty)
    median, p95, worst = percentiles(seconds)
    share = f"{100 * statistics.mean(reached):.0f} %" if reached else "–"
    return [name, str(questions), median, p95, worst, f"{statistics.mean(calls):.1f}", share]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plants", default="pumps,demo")
    args = parser.parse_args(argv)
    table = Table("plant", "questions", "median ms", "p95 ms", "max ms", "exact quotes", "first answers reach",
                  title="available ITEM --by D, warm engine")
    for name in args.plants.split(","):
        table.add_row(*run(name, questions=args.questions, seed=args.seed))
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
