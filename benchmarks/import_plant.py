"""Import of the default generated plant into SQLite and PostgreSQL, and snapshot load time.

Generates the default synthetic plant (seed 0) into a temporary folder (and, as a scale
check, a 10,000-item plant with 5 BOM levels), then times:
writing the folder, reading and validating it, `planbridge import` into a fresh SQLite
file and into a fresh PostgreSQL schema (skipped when PostgreSQL is unreachable), and
loading the `PlantSnapshot` back from each database with a cold cache.

Targets (issue #2): the whole default plant imported in ≤ 15 s, loaded in ≤ 2 s.

    .venv/bin/python -m benchmarks.import_plant [--items N] [--orders M] [--pg URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from integrations.csv_import import read_plant_folder, write_plant_folder
from planbridge.bootstrap import bootstrap
from planbridge.services import plant as plant_service
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings
from planbridge.synthetic import generate_plant

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ANCHOR = date(2026, 12, 1)  # fixed, so every run measures the same plant
IMPORT_TARGET_S = 15.0
LOAD_TARGET_S = 2.0

T = TypeVar("T")


@dataclass(frozen=True)
class Measurement:
    step: str
    seconds: float
    rows: int | None = None
    target: float | None = None


def timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def services(url: str) -> ServiceContext:
    return bootstrap(Settings(database_url=url), database_url=url, create_schema=True)


def measure_database(label: str, url: str, folder: Path, rows: int) -> list[Measurement]:
    ctx, schema_s = timed(lambda: services(url))
    report, import_s = timed(lambda: plant_service.import_plant(plant_service.ImportPlant(folder=folder), ctx))
    _, replace_s = timed(lambda: plant_service.import_plant(plant_service.ImportPlant(folder=folder, replace=True), ctx))
    cold = services(url)  # a new context: nothing cached
    snapshot, load_s = timed(cold.snapshot)
    assert len(snapshot.sales_orders) > 0 and report.rows == rows
    return [
        Measurement(f"{label}: create schema", schema_s),
        Measurement(f"{label}: import (validate + insert)", import_s, rows, IMPORT_TARGET_S),
        Measurement(f"{label}: import --replace", replace_s, rows, IMPORT_TARGET_S),
        Measurement(f"{label}: load PlantSnapshot", load_s, rows, LOAD_TARGET_S),
    ]


@contextmanager
def postgres_schema(base: str) -> Iterator[str | None]:
    """A fresh schema on the PostgreSQL server, dropped afterwards; None when unreachable."""
    admin = create_engine(base)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        admin.dispose()
        yield None
        return
    try:
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(*, items: int, orders: int, resources: int, levels: int, seed: int, pg_url: str) -> list[Measurement]:
    results: list[Measurement] = []
    snapshot, gen_s = timed(lambda: generate_plant(
        items=items, orders=orders, resources=resources, levels=levels, seed=seed, anchor=ANCHOR
    ))
    results.append(Measurement("generate plant", gen_s))
    big, big_s = timed(lambda: generate_plant(items=10_000, orders=orders, resources=resources, levels=5, seed=seed,
                                              anchor=ANCHOR))
    results.append(Measurement("generate 10,000 items, 5 levels (scale check)", big_s, len(big.items)))
    with tempfile.TemporaryDirectory(prefix="planbridge-bench-") as tmp:
        folder = Path(tmp) / "plant"
        _, write_s = timed(lambda: write_plant_folder(snapshot, folder))
        reading, read_s = timed(lambda: read_plant_folder(folder))
        if reading.errors:
            raise SystemExit(f"generated plant does not validate: {reading.errors[0]}")
        rows = reading.row_count
        results += [Measurement("write plant folder", write_s, rows), Measurement("read + validate folder", read_s, rows)]
        results += measure_database("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite'}", folder, rows)
        with postgres_schema(pg_url) as url:
            if url is None:
                results.append(Measurement("PostgreSQL: skipped (server unreachable)", float("nan")))
            else:
                results += measure_database("PostgreSQL", url, folder, rows)
    return results


def render(results: list[Measurement], title: str) -> Table:
    table = Table(title=title)
    for column, justify in (("step", "left"), ("seconds", "right"), ("rows", "right"), ("rows/s", "right"),
                            ("target", "right"), ("", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for m in results:
        rate = f"{m.rows / m.seconds:,.0f}" if m.rows and m.seconds > 0 else ""
        verdict = "" if m.target is None else ("ok" if m.seconds <= m.target else "SLOW")
        table.add_row(m.step, f"{m.seconds:.3f}", f"{m.rows:,}" if m.rows else "", rate,
                      f"≤ {m.target:g} s" if m.target else "", verdict)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--resources", type=int, default=50)
    parser.add_argument("--levels", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pg", default=PG_URL, help="PostgreSQL URL (a fresh schema is created and dropped)")
    args = parser.parse_args()
    results = run(items=args.items, orders=args.orders, resources=args.resources, levels=args.levels,
                  seed=args.seed, pg_url=args.pg)
    title = (f"Import of a generated plant: {args.items} items, {args.levels} levels, {args.resources} resources, "
             f"{args.orders} open orders, seed {args.seed}")
    Console(width=max(100, Console().width)).print(render(results, title))


if __name__ == "__main__":
    main()
