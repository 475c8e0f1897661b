"""Digests: build time on the generated plant, and 500 subscriptions firing in the same minute.

    .venv/bin/python -m benchmarks.digests [--subscriptions 500] [--processes 2] [--threads 4]
                                           [--plant generated|pumps] [--db URL]

Part 1 builds the digest of the generated plant (2,000 items, 5,000 orders; seeded) from the
database, cold (first build: KPIs, MRP, the promise engine) and warm (the same process again),
and draws its chart. Part 2 makes N subscriptions all due in the same minute (mixed languages,
sections and owners) and fires every one of them from P "processes" at once — each with its own
engine, claim policy and in-process runner of T threads, as P `serve` processes whose schedulers
fire together — against a local mock of the Slack Web API; it reports the time until every
claim is posted, and checks each subscription got exactly one message. The database is a fresh
SQLite file unless --db names one (use a PostgreSQL URL to measure the production setting).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from integrations.csv_import import read_plant_folder
from planbridge.bootstrap import bootstrap, job_worker, slack_channel
from planbridge.jobs.runner import InProcessRunner
from planbridge.presentation.charts import digest_chart
from planbridge.services.context import ServiceContext
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.plant import store_plant
from planbridge.services.subscriptions import Subscribe, claims_of, due_period, list_subscriptions, subscribe
from planbridge.settings import Settings
from planbridge.synthetic import generate_plant
from planning_core.model import PlantSnapshot

ANCHOR = date(2027, 1, 4)
ROOT = Path(__file__).resolve().parent.parent
SECTIONS = (["sales"], ["production"], ["management"], [])


class Fixed:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def today(self, timezone: str) -> date:
        return ANCHOR


def plant(name: str) -> PlantSnapshot:
    if name == "pumps":
        reading = read_plant_folder(ROOT / "tests" / "data" / "pumps")
        assert reading.snapshot is not None
        return reading.snapshot
    return generate_plant(anchor=ANCHOR, seed=0)


def services(url: str, slack_url: str, *, lease: int = 300) -> ServiceContext:
    settings = Settings(database_url=url, as_of=ANCHOR, slack_bot_token="xoxb-bench", slack_signing_secret="s",
                        slack_api_url=slack_url, digest_lease_seconds=lease)
    return bootstrap(settings, database_url=url, create_schema=True)


def build_times(ctx: ServiceContext) -> list[list[str]]:
    rows = []
    for label in ("cold (first in the process)", "warm (same process)"):
        started = time.perf_counter()
        digest = build_digest(DigestCommand(as_of=ANCHOR), ctx)
        rows.append([f"digest build, {label}", f"{time.perf_counter() - started:.2f} s"])
    started = time.perf_counter()
    png = digest_chart(digest)
    rows.append(["chart (PNG, once per build)", f"{time.perf_counter() - started:.2f} s ({len(png) // 1024} KiB)"])
    rows.append(["plant", f"{len(digest.snapshot.items)} items, {len(digest.snapshot.open_orders)} open orders, "
                          f"{len(digest.resources)} resources"])
    return rows


def storm(url: str, slack_url: str, *, count: int, processes: int, threads: int) -> tuple[list[list[str]], bool]:
    from tests.bot.mock_slack import MockSlack  # the suite's mock of the Slack Web API

    mock = MockSlack()
    try:
        first = services(url, mock.api_url)
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        made = replace(first, clock=Fixed(due - timedelta(minutes=5)))
        users = sorted(u for u, user in made.snapshot().users.items() if user.role.value == "sales") or [None]
        for n in range(count):
            subscribe(Subscribe(channel=f"C{n:04d}", at=due.strftime("%H:%M"), timezone="UTC",
                                language=("en", "zh", "zh-Hant")[n % 3], sections=SECTIONS[n % 4],
                                owner=users[n % len(users)] if SECTIONS[n % 4] == ["sales"] else None), made)
        subscriptions = list_subscriptions(first)
        workers = []
        for _ in range(processes):
            ctx = services(url, mock.api_url)
            worker = job_worker(ctx, ctx.settings, channel=slack_channel(ctx.settings))
            workers.append((ctx, InProcessRunner(lambda w=worker: w, threads=threads, queue_size=count)))
        started = time.perf_counter()
        for ctx, runner in workers:  # every scheduler fires every subscription
            for s in subscriptions:
                period = due_period(s, ctx.clock.now())
                assert period is not None
                runner.deliver_digest(s.subscription_id, period)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            posted = [c for c in claims_of(first) if c.status == "posted"]
            if len(posted) >= count:
                break
            time.sleep(0.2)
        drained = time.perf_counter() - started
        time.sleep(1.0)  # late duplicates would arrive now
        for _, runner in workers:
            runner.close()
        per_channel: dict[str, int] = {}
        for call in mock.to("chat.postMessage"):
            per_channel[call.body["channel"]] = per_channel.get(call.body["channel"], 0) + 1
        once = len(per_channel) == count and set(per_channel.values()) == {1}
        takeovers = sum(1 for c in claims_of(first) if c.attempts > 1)
        rows = [
            ["subscriptions due in the same minute", f"{count} (fired by {processes} processes × {threads} threads)"],
            ["posted", f"{len(per_channel)} channels; {sum(per_channel.values())} messages; "
                       f"{len(mock.to('files.completeUploadExternal'))} charts"],
            ["each posted exactly once", "yes" if once else "NO"],
            ["claims taken over", str(takeovers)],
            ["time to drain (all claims posted)", f"{drained:.1f} s"],
        ]
        return rows, once
    finally:
        mock.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscriptions", type=int, default=500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--plant", choices=("generated", "pumps"), default="generated")
    parser.add_argument("--db", default=None)
    args = parser.parse_args(argv)
    if not 1 <= args.subscriptions <= 5000 or not 1 <= args.processes <= 8 or not 1 <= args.threads <= 32:
        parser.error("at most 5000 subscriptions, 8 processes, 32 threads")
    folder = tempfile.mkdtemp(prefix="planbridge-bench-")
    url = args.db or f"sqlite:///{folder}/bench.sqlite"
    console = Console()
    ctx = services(url, "http://127.0.0.1:9/api/")
    started = time.perf_counter()
    store_plant(plant(args.plant), ctx, replace=True)
    console.print(f"stored the {args.plant} plant in {time.perf_counter() - started:.1f} s ({url.split('?')[0]})")
    table = Table(title="Digests")
    table.add_column("measure")
    table.add_column("value")
    for row in build_times(ctx):
        table.add_row(*row)
    rows, once = storm(url, "", count=args.subscriptions, processes=args.processes, threads=args.threads)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return 0 if once else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
