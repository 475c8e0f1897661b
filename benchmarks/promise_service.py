"""Capable-to-promise as a service: REST throughput, concurrent bookings, the cold CLI, `ask`, memory.

    .venv/bin/python -m benchmarks.promise_service [--plant generated|overload] [--workers 2]
        [--quotes 200] [--exact-quotes 40] [--concurrency 20] [--bookings 20] [--database-url URL]

Generates the plant (seed 0, 2,000 items, 5,000 open orders; `overload` for the tight preset),
imports it into a fresh PostgreSQL schema (PLANBRIDGE_BENCH_DATABASE_URL, else the local test
database), starts `planbridge serve --workers N` and measures over loopback: `POST /api/quote`
at concurrency 20 (first answers, then exact ones), 20 bookings sent at once (then checks that
every promise still holds, by rebuilding the promise state from the database and validating
its plan with the independent checker), single bookings, and the workers' memory before and
after 1,000 quotes. Then a cold `planbridge quote` (a new process, with and without the state a
previous run saved) on a SQLite copy, and `ask` with a quote on the demo plant, warm.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from integrations.csv_import import write_plant_folder
from planbridge.synthetic import generate_plant

ANCHOR = date(2027, 1, 4)
ROOT = Path(__file__).resolve().parent.parent
PLANBRIDGE = ROOT / ".venv" / "bin" / "planbridge"
TOKEN = "bench-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pct(samples: list[float]) -> tuple[str, str, str]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.0f}", f"{p95 * 1000:.0f}", f"{ordered[-1] * 1000:.0f}"


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, check=True, capture_output=True)


def children_rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers), from /proc."""
    total = 0
    pids = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split() if Path(
            f"/proc/{pid}/task/{pid}/children").exists() else []:
        pids.append(int(child))
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def timed_requests(send: Callable[[int], httpx.Response], count: int, concurrency: int) -> tuple[list[float], float,
                                                                                              list[httpx.Response]]:
    latencies: list[float] = []
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def one(k: int) -> None:
        started = time.perf_counter()
        response = send(k)
        with lock:
            latencies.append(time.perf_counter() - started)
            responses.append(response)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return latencies, time.perf_counter() - started, responses


def service_rows(args: argparse.Namespace, folder: Path, work: Path, console: Console) -> list[list[str]]:
    base_url = os.environ.get("PLANBRIDGE_BENCH_DATABASE_URL", args.database_url)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    env = {**os.environ, "PLANBRIDGE_DATABASE_URL": url, "PLANBRIDGE_AS_OF": ANCHOR.isoformat(),
           "PLANBRIDGE_API_TOKEN": TOKEN, "PLANBRIDGE_CACHE_DIR": str(work / "cache-serve"), "PLANBRIDGE_SCHEDULER": "0"}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    rows: list[list[str]] = []
    try:
        run([str(PLANBRIDGE), "import", str(folder)], env)
        port = 18000 + random.randint(0, 999)
        log = (work / "serve.log").open("w")
        server = subprocess.Popen([str(PLANBRIDGE), "serve", "--port", str(port), "--workers", str(args.workers)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        client = httpx.Client(base_url=base, headers=HEADERS, timeout=120)
        try:
            rows += _service(args, client, server, console)
        except httpx.HTTPError:
            print((work / "serve.log").read_text()[-9000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=60)
        rows += _promises_hold(url)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return rows


def _service(args: argparse.Namespace, client: httpx.Client, server: subprocess.Popen[bytes],
             console: Console) -> list[list[str]]:
    deadline = time.monotonic() + 600
    while True:  # up, and every worker's promise state built
        try:
            if all(client.post("/api/quote?exact=false", json={"item": "FG-00166", "qty": 1}).status_code == 200
                   for _ in range(2 * args.workers)):
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("serve did not come up")
        time.sleep(1)
    rng = random.Random(args.seed)
    sold = [f"FG-{n:05d}" for n in range(1, 120)]
    rss_before = children_rss_mib(server.pid)
    console.print("quotes (first answers) …")
    first, wall, _ = timed_requests(
        lambda k: client.post("/api/quote?exact=false", json={"item": rng.choice(sold), "qty": rng.randint(1, 200)}),
        args.quotes, args.concurrency)
    rows = [["REST", f"POST /api/quote?exact=false, concurrency {args.concurrency}", *pct(first),
             f"{len(first) / wall:.1f}/s", str(len(first))]]
    console.print("quotes (first answers, one at a time) …")
    alone, _, _ = timed_requests(
        lambda k: client.post("/api/quote?exact=false", json={"item": rng.choice(sold), "qty": rng.randint(1, 200)}),
        60, 1)
    rows.append(["REST", "POST /api/quote?exact=false, one at a time", *pct(alone), "", str(len(alone))])
    console.print("quotes (exact) …")
    exact, wall, _ = timed_requests(
        lambda k: client.post("/api/quote", json={"item": rng.choice(sold), "qty": rng.randint(1, 200)}),
        args.exact_quotes, args.concurrency)
    rows.append(["REST", f"POST /api/quote (exact), concurrency {args.concurrency}", *pct(exact),
                 f"{len(exact) / wall:.1f}/s", str(len(exact))])
    exact_alone, _, _ = timed_requests(
        lambda k: client.post("/api/quote", json={"item": rng.choice(sold), "qty": rng.randint(1, 200)}),
        args.exact_quotes, 1)
    rows.append(["REST", "POST /api/quote (exact), one at a time", *pct(exact_alone), "", str(len(exact_alone))])
    console.print("bookings at once …")
    booked, wall, responses = timed_requests(
        lambda k: client.post("/api/book", json={"item": sold[k % 5], "qty": 20, "customer": f"Bench {k}",
                                                 "user": "U01SALES1"}), args.bookings, args.bookings)
    ok = sum(1 for r in responses if r.status_code == 201)
    for failed in (r for r in responses if r.status_code != 201):
        console.print(f"booking refused: {failed.status_code} {failed.text[:300]}", markup=False)
    rows.append(["REST", f"{args.bookings} bookings sent at once ({ok} booked)", *pct(booked), f"{wall:.1f} s in all",
                 str(len(booked))])
    console.print("single bookings …")
    single = []
    for k in range(30):
        started = time.perf_counter()
        client.post("/api/book", json={"item": sold[k], "qty": 5, "customer": "Bench", "user": "U01SALES1",
                                       "due": (ANCHOR + timedelta(days=40)).isoformat()})
        single.append(time.perf_counter() - started)
    rows.append(["REST", "POST /api/book, one at a time", *pct(single), "", str(len(single))])
    readings = [rss_before]
    for _ in range(2):  # two rounds: growth that stops (caches filling) is told from growth that goes on
        console.print("1,000 quotes for memory …")
        timed_requests(lambda k: client.post("/api/quote?exact=false", json={"item": rng.choice(sold), "qty": 10}),
                       1000, args.concurrency)
        readings.append(children_rss_mib(server.pid))
    rows.append(["REST", f"serve RSS ({args.workers} workers): before / after 1,000 / after 2,000 more quotes",
                 f"{readings[0]:.0f} MiB", f"{readings[1]:.0f} MiB", f"{readings[2]:.0f} MiB", ""])
    return rows


def _promises_hold(url: str) -> list[list[str]]:
    """Every confirmed promise, the booked ones included, holds on a state rebuilt from the database."""
    from planbridge.bootstrap import bootstrap
    from planbridge.settings import Settings
    from planning_core.checker import check_plan
    from planning_core.ctp.state import PromiseState

    services = bootstrap(Settings(database_url=url), database_url=url)
    with services.uow_factory() as uow:
        snapshot = uow.plant.load()
        journal = [(e.kind.value, e.order_id) for e in uow.orders.journal_since(0)]
    state = PromiseState(snapshot, as_of=ANCHOR, journal=journal)
    booked = [order_id for _, order_id in journal]
    broken = [k for k in booked if (d := state.projected_day.get(k)) is None
              or d > (snapshot.orders_by_id[k].due_date - ANCHOR).days]
    report = check_plan(state.plan(state.ledger.claims.values()), snapshot)
    return [["check", f"{len(booked)} bookings: promises broken on a rebuilt state / checker",
             str(len(broken)), "ok" if report.ok else "violations", "", ""]]


def cli_rows(folder: Path, work: Path) -> list[list[str]]:
    db = f"sqlite:///{work / 'cli.sqlite'}"
    env = {**os.environ, "PLANBRIDGE_CACHE_DIR": str(work / "cache-cli")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a user's machine: modules compiled once
    run([str(PLANBRIDGE), "import", str(folder), "--db", db], env)
    quote = [str(PLANBRIDGE), "quote", "FG-00166", "39", "--db", db, "--as-of", ANCHOR.isoformat(), "--json"]
    rows = []
    for label, extra in (("cold CLI quote, no saved state (builds and saves it)", []),
                         ("cold CLI quote --fast, saved state", ["--fast"]),
                         ("cold CLI quote (exact), saved state", [])):
        started = time.perf_counter()
        run(quote + extra, env)
        rows.append(["CLI", label, f"{(time.perf_counter() - started) * 1000:.0f}", "", "", "1"])
    return rows


def ask_rows() -> list[list[str]]:
    from planbridge.bootstrap import bootstrap
    from planbridge.chat.conversation import AskCommand, ask
    from planbridge.demo import demo_plant
    from planbridge.services.plant import store_plant
    from planbridge.settings import Settings

    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{work}/demo.sqlite"
        services = bootstrap(Settings(database_url=url, as_of=ANCHOR, cache_dir=Path(work)), database_url=url,
                             create_schema=True)
        store_plant(demo_plant(ANCHOR), services, replace=False)
        ask(AskCommand(text="when can we ship 10 DN100 gate valves?", user_id="U01SALES1"), services)  # warm
        questions = ["when can we ship 50 DN100 gate valves to ACME?", "12月20日之前能交30个球阀吗？",
                     "how soon can we make 120 DN80 ball valves?", "可以在下周五之前交20个闸阀吗?"]
        samples = []
        for k in range(20):
            started = time.perf_counter()
            ask(AskCommand(text=questions[k % len(questions)], user_id="U01SALES1"), services)
            samples.append(time.perf_counter() - started)
    return [["ask", "`ask` with a quote (exact), demo plant, warm", *pct(samples), "", str(len(samples))]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plant", choices=("generated", "overload"), default="generated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quotes", type=int, default=200)
    parser.add_argument("--exact-quotes", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--bookings", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument("--skip", default="", help="comma-separated: service, cli, ask")
    args = parser.parse_args()
    console = Console(width=160)
    table = Table("where", "what", "p50 ms", "p95 ms", "max ms / rate", "n",
                  title=f"Promise service ({args.plant} plant)")
    skip = set(args.skip.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = work / "plant"
        write_plant_folder(generate_plant(anchor=ANCHOR, seed=0, overload=args.plant == "overload"), folder)
        rows: list[list[Any]] = []
        if "service" not in skip:
            rows += service_rows(args, folder, work, console)
        if "cli" not in skip:
            rows += cli_rows(folder, work)
        if "ask" not in skip:
            rows += ask_rows()
    for row in rows:
        table.add_row(*[str(c) for c in row])
    console.print(table)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
