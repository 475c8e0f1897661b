"""The planner's board: time to build and render /board and the Gantt PNG, on the demo and the generated plant.

    .venv/bin/python -m benchmarks.board [--plant demo|generated|both] [--time-limit 20]

Loads the plant into a fresh SQLite file, saves a schedule (CP-SAT, the time limit given, 2 workers),
then signs in to the board as a production lead through the real app (FastAPI TestClient) and times
GET /board cold (first in the process: KPIs, MRP, the promise engine) and warm, for 14 and 28 days;
reports the page size and the bars drawn, and the time to draw the same Gantt as a PNG.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from planbridge.api import create_app
from planbridge.bootstrap import bootstrap
from planbridge.demo import demo_plant
from planbridge.presentation.charts import gantt_png
from planbridge.services.board import saved_gantt
from planbridge.services.plant import store_plant
from planbridge.services.scheduling import MakeSchedule, make_schedule
from planbridge.settings import Settings
from planbridge.synthetic import generate_plant
from planning_core.model import PlantSnapshot, Role

ANCHOR = date(2027, 1, 4)
TOKEN = "bench"
BAR = 'class="bar"'


def plant(name: str) -> PlantSnapshot:
    return demo_plant(ANCHOR) if name == "demo" else generate_plant(anchor=ANCHOR, seed=0)


def measure(name: str, time_limit: float, folder: Path) -> list[list[str]]:
    url = f"sqlite:///{folder / f'{name}.sqlite'}"
    settings = Settings(database_url=url, as_of=ANCHOR, api_token=TOKEN)
    ctx = bootstrap(settings, database_url=url, create_schema=True)
    snapshot = plant(name)
    store_plant(snapshot, ctx, replace=False)
    lead = next(u.user_id for u in snapshot.users.values() if u.role is Role.PRODUCTION)
    started = time.perf_counter()
    schedule = make_schedule(MakeSchedule(as_of=ANCHOR, time_limit=time_limit, workers=2, save=True), ctx)
    rows = [[name, "schedule saved", f"{time.perf_counter() - started:.1f} s",
             f"{len(snapshot.resources)} resources, {len(schedule.document['operations'])} operations, "
             f"{len(schedule.late_orders)}/{len(schedule.document['orders'])} orders late"]]
    client = TestClient(create_app(ctx, settings))
    client.post("/board/login", data={"user": lead, "token": TOKEN})
    for days, label in ((14, "cold"), (14, "warm"), (28, "warm")):
        started = time.perf_counter()
        page = client.get("/board", params={"days": days})
        seconds = time.perf_counter() - started
        assert page.status_code == 200, page.text[:300]
        rows.append([name, f"GET /board, {days} days, {label}", f"{seconds:.2f} s",
                     f"{len(page.content) // 1024} KiB, {page.text.count(BAR)} bar segments"])
    chart = saved_gantt(ctx, days=14)
    assert chart is not None
    for label in ("cold (matplotlib loads)", "warm"):
        started = time.perf_counter()
        png = gantt_png(chart)
        rows.append([name, f"Gantt PNG, 14 days, {label}", f"{time.perf_counter() - started:.2f} s",
                     f"{len(png) // 1024} KiB, {len(chart.bars)} bars"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plant", choices=("demo", "generated", "both"), default="both")
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    names = ("demo", "generated") if args.plant == "both" else (args.plant,)
    table = Table("plant", "what", "time", "notes", title="The planner's board")
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            for row in measure(name, args.time_limit, Path(folder)):
                table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
