"""Capable-to-promise latency in the core: state build, first answers, exact answers, rushes, bookings.

    .venv/bin/python -m benchmarks.quote [--quotes 100] [--rushes 20] [--bookings 50] [--seed 7]
                                         [--plants pumps,demo,generated,overload]

One warm process per plant (seeded): the resident promise state is built once (the
committed-capacity ledger of every confirmed order), then random quotes (items that
sell, 1–200 units) are answered first from the ledger (`exact=False`) and then exactly
(the LP searching below the first answer; each exact answer is timed whole, first
answer included), random open orders are rushed (exact), and random bookings are
committed (the resident state changed in place, as `planbridge serve` does). The
generated plant is the default 2,000-item / 5,000-order one at its realistic target
load (0.85) and at the overload preset. Service-level figures (REST, concurrency, the
cold CLI) are in `benchmarks.promise_service`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from integrations.csv_import import read_plant_folder
from planbridge.demo import demo_plant
from planbridge.synthetic import generate_plant
from planning_core.ctp.promising import PromiseEngine
from planning_core.model import PlantSnapshot, SalesOrder

ANCHOR = date(2027, 1, 4)
ROOT = Path(__file__).resolve().parent.parent


def percentiles(samples: list[float]) -> tuple[str, str, str]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.0f}", f"{p95 * 1000:.0f}", f"{ordered[-1] * 1000:.0f}"


def plant(name: str) -> PlantSnapshot:
    if name == "pumps":
        reading = read_plant_folder(ROOT / "tests" / "data" / "pumps")
        assert reading.snapshot is not None
        return reading.snapshot
    if name == "demo":
        return demo_plant(ANCHOR)
    return generate_plant(anchor=ANCHOR, seed=0, overload=name == "overload")


def run(name: str, snapshot: PlantSnapshot, *, quotes: int, rushes: int, bookings: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    started = time.perf_counter()
    engine = PromiseEngine(snapshot, as_of=ANCHOR)
    build = time.perf_counter() - started
    late = sum(1 for o in snapshot.open_orders
               if (d := engine.state.projected_day.get(o.order_id)) is None or d > (o.due_date - ANCHOR).days)
    sold = sorted({o.item_id for o in snapshot.sales_orders})
    first_times, exact_times, earlier, gain = [], [], 0, []
    for _ in range(quotes):
        item, qty = rng.choice(sold), rng.randint(1, 200)
        t = time.perf_counter()
        first = engine.quote(item_id=item, qty=qty, exact=False)
        first_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        exact = engine.quote(item_id=item, qty=qty, exact=True)
        exact_times.append(time.perf_counter() - t)
        if first.promise_date and exact.promise_date and exact.promise_date < first.promise_date:
            earlier += 1
            gain.append((first.promise_date - exact.promise_date).days)
    rush_times = []
    open_orders = list(snapshot.open_orders)
    for _ in range(min(rushes, len(open_orders))):
        order = rng.choice(open_orders)
        t = time.perf_counter()
        engine.rush(due=ANCHOR + timedelta(days=rng.randint(0, 10)), order=order)
        rush_times.append(time.perf_counter() - t)
    booking_times = []
    for k in range(bookings):
        # As `book_order` does: at the date asked when the committed plan holds it (tried only when it
        # is before the first answer), else at the first answer.
        item, qty = rng.choice(sold), rng.randint(1, 100)
        asked = ANCHOR + timedelta(days=rng.randint(5, 60))
        t = time.perf_counter()
        with engine.state.lock:
            state = engine.state
            first = engine.quote(item_id=item, qty=qty, exact=False).promise_date
            fits = first is not None and (first <= asked or state.fits(item, qty, asked, earliest=first))
            promise = asked if fits else first
            if promise is not None:
                state.commit(SalesOrder(f"BENCH-{k}", "Bench", item, float(qty), asked, promise))
        booking_times.append(time.perf_counter() - t)
    mode = f"{len(snapshot.open_orders)} orders, {late} late"
    rows = [[name, mode, "state build (once per data version)", f"{build * 1000:.0f}", "", "", "1"]]
    for what, samples in (("first answer (ledger)", first_times), ("exact answer (first + LP)", exact_times),
                          ("rush impact, exact", rush_times), ("booking (commit to the ledger)", booking_times)):
        if samples:
            rows.append([name, mode, what, *percentiles(samples), str(len(samples))])
    if quotes:
        mean_gain = f", {statistics.fmean(gain):.1f} days on average" if gain else ""
        rows.append([name, mode, f"exact earlier than first: {earlier} of {quotes}{mean_gain}", "", "", "", ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100)
    parser.add_argument("--rushes", type=int, default=20)
    parser.add_argument("--bookings", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plants", default="pumps,demo,generated,overload")
    args = parser.parse_args()
    console = Console(width=150)
    table = Table("plant", "orders", "what", "p50 ms", "p95 ms", "max ms", "n", title="Capable-to-promise latency")
    for name in args.plants.split(","):
        console.print(f"running {name} …")
        for row in run(name, plant(name), quotes=args.quotes, rushes=args.rushes, bookings=args.bookings,
                       seed=args.seed):
            table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
