"""200 concurrent signed Slack events against `planbridge serve` on PostgreSQL: ack p50/p99, exactly once, RSS.

Loopback only: `planbridge serve` runs as a subprocess on a fresh PostgreSQL database (created and
dropped here) with the pumps plant, and answers into the suite's mock Slack Web API. Every event is a
signed `app_mention` asking for a quote; all are sent at once. The acknowledgement is the HTTP answer
(Slack wants it within 3 s); the answer is the chat.postMessage in the event's thread. Afterwards
each event is sent again as Slack's retry (X-Slack-Retry-Num: 1), which must not be answered again.

The web process only records each event and hands it over; with a broker (the default: Redis on
loopback, a queue of this run's own) a `planbridge worker` process started here answers (after one
warm-up event, not counted; `--worker-nice N` lowers its CPU priority), with `--broker none` the web
process's own in-process runner does. The client is a bare HTTP/1.1 one on asyncio streams. RSS is of each process (and children).

    .venv/bin/python -m benchmarks.slack_events [--events 200] [--broker redis://127.0.0.1:6379/0|none]
        [--worker-concurrency 2] [--worker-nice 0] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
AS_OF = "2027-01-04"
console = Console()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn runs in the serve process), from /proc."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []
    return found + [g for c in found for g in _children(c)]


def create_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"bench_slack_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def event_body(n: int) -> tuple[str, bytes]:
    ts = f"1800000000.{n:06d}"
    event = {"type": "app_mention", "user": "U1SALES", "text": f"<@UBOT> when can we ship {n % 20 + 1} pump A?",
             "ts": ts, "channel": "CSALES", "event_ts": ts}
    envelope = {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event_id": f"EvBENCH{n:06d}", "event_time": 1800000000, "event": event,
                "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}
    return ts, json.dumps(envelope).encode()


def signed(body: bytes, retry: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body) or ""}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


async def send_all(port: int, bodies: list[bytes], *, retry: int | None = None) -> list[tuple[int, float]]:
    """Every body at once, each on its own connection (as Slack sends them), timed from connect to the answer.

    A bare HTTP/1.1 client on asyncio streams: httpx's own work per request (about 10 ms of CPU here)
    would be measured as the server's on a small machine, where the client shares the cores."""
    async def one(body: bytes) -> tuple[int, float]:
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            headers = {"Host": f"127.0.0.1:{port}", "Content-Length": str(len(body)), "Connection": "close",
                       **signed(body, retry)}
            head = "POST /slack/events HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            writer.write(head.encode() + body)
            status_line = await reader.readline()
            await reader.read()  # headers and body, to the close
        finally:
            writer.close()
        return int(status_line.split()[1]), time.perf_counter() - started

    return await asyncio.gather(*(one(b) for b in bodies))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def wait_healthy(base: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"planbridge serve exited with {process.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("planbridge serve did not become healthy")


WARM_UP_TS = "1799999999.000001"


def warm_up_worker(base: str, slack: Any, worker: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """One event before the measured burst, answered by the worker: its pool has started and built the
    promise state (as a worker that has been up a while would have); not counted in the table."""
    body = event_body(0)[1].replace(b"EvBENCH000000", b"EvWARMUP").replace(b"1800000000.000000",
                                                                          WARM_UP_TS.encode())
    httpx.post(base + "/slack/events", content=body, headers=signed(body), timeout=30).raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"planbridge worker exited with {worker.returncode}")
        if any(c.body.get("thread_ts") == WARM_UP_TS for c in slack.to("chat.postMessage")):
            return
        time.sleep(0.2)
    raise SystemExit("planbridge worker did not answer the warm-up event")


def answers(slack: Any) -> int:
    return sum(1 for c in slack.to("chat.postMessage") if c.body.get("thread_ts") != WARM_UP_TS)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get(
        "PLANBRIDGE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--answer-timeout", type=float, default=600)
    parser.add_argument("--workers", type=int, default=1, help="planbridge serve --workers")
    parser.add_argument("--broker", default=os.environ.get("PLANBRIDGE_BENCH_BROKER_URL", "redis://127.0.0.1:6379/0"),
                        help="Celery broker for a `planbridge worker` that answers ('none': the web process answers)")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="planbridge worker --concurrency")
    parser.add_argument("--worker-nice", type=int, default=0,
                        help="CPU niceness of the worker: acks have Slack's 3 s deadline, answers do not (0: same as the web)")
    args = parser.parse_args()
    broker = None if args.broker.lower() == "none" else args.broker
    sys.path.insert(0, str(ROOT))
    from tests.bot.mock_slack import MockSlack  # the suite's mock of the Slack Web API

    slack = MockSlack()
    name, url = create_database(args.database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PLANBRIDGE_DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-bench",
           "SLACK_SIGNING_SECRET": SECRET, "PLANBRIDGE_SLACK_API_URL": slack.api_url, "PLANBRIDGE_AS_OF": AS_OF,
           "PLANBRIDGE_SCHEDULER": "0", "PLANBRIDGE_LOG_LEVEL": "WARNING"}
    if broker:
        env |= {"PLANBRIDGE_BROKER_URL": broker, "PLANBRIDGE_JOB_QUEUE": f"bench-{name}"}  # a queue of this run's own
    planbridge = str(Path(sys.executable).with_name("planbridge"))
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run([planbridge, "import", str(ROOT / "tests" / "data" / "pumps")], env=env,
                       check=True, capture_output=True)
        server = subprocess.Popen([planbridge, "serve", "--port", str(port), "--workers", str(args.workers)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        if broker:
            worker = subprocess.Popen(["nice", "-n", str(args.worker_nice), planbridge, "worker", "--concurrency",
                                       str(args.worker_concurrency)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(base, server)
        time.sleep(2)  # the promise state is built in the background at start
        if worker is not None:
            warm_up_worker(base, slack, worker)
        rss_before = rss_mib(server.pid)
        worker_rss_before = rss_mib(worker.pid) if worker is not None else 0.0
        bodies = [event_body(n) for n in range(args.events)]
        started = time.perf_counter()
        acks = asyncio.run(send_all(port, [b for _, b in bodies]))
        sent_in = time.perf_counter() - started
        deadline = time.monotonic() + args.answer_timeout
        while time.monotonic() < deadline and answers(slack) < args.events:
            time.sleep(0.2)
        answered_in = time.perf_counter() - started
        retries = asyncio.run(send_all(port, [b for _, b in bodies], retry=1))
        time.sleep(3)  # anything a retry would wrongly answer has time to arrive
        rss_after = rss_mib(server.pid)
        worker_rss_after = rss_mib(worker.pid) if worker is not None else 0.0
        threads = Counter(c.body.get("thread_ts") for c in slack.to("chat.postMessage") if c.body.get("thread_ts") != WARM_UP_TS)
        wanted = {ts for ts, _ in bodies}
        once = sum(1 for ts in wanted if threads.get(ts) == 1)
        seconds = [s for _, s in acks]
        answered_by = (f"planbridge worker --concurrency {args.worker_concurrency} (Celery on Redis, nice "
                       f"{args.worker_nice})" if worker
                       else "the web process (in-process runner)")
        table = Table(title=f"{args.events} concurrent signed Slack events, planbridge serve --workers {args.workers} "
                            f"on PostgreSQL (loopback), answered by {answered_by}")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("acks 200 OK", f"{sum(1 for s, _ in acks if s == 200)}/{args.events}")
        table.add_row("ack p50", f"{1000 * statistics.median(seconds):.0f} ms")
        table.add_row("ack p99", f"{1000 * percentile(seconds, 0.99):.0f} ms")
        table.add_row("ack max", f"{1000 * max(seconds):.0f} ms")
        table.add_row("all sent and acked in", f"{sent_in:.2f} s")
        table.add_row("all answered in", f"{answered_in:.1f} s")
        table.add_row("answered exactly once", f"{once}/{args.events}")
        table.add_row("extra answers (any thread)", str(sum(threads.values()) - once))
        table.add_row("retries acked / answered again", f"{sum(1 for s, _ in retries if s == 200)}/"
                                                        f"{sum(max(threads.get(ts, 0) - 1, 0) for ts in wanted)}")
        table.add_row("RSS before / after, web process", f"{rss_before:.0f} / {rss_after:.0f} MiB")
        if worker is not None:
            table.add_row("RSS before / after, worker", f"{worker_rss_before:.0f} / {worker_rss_after:.0f} MiB")
        console.print(table)
        ok = once == args.events and percentile(seconds, 0.99) < 1.0
        console.print("[green]OK[/green]" if ok else "[red]FAILED[/red]: p99 must be < 1 s and every event answered once")
        return 0 if ok else 1
    finally:
        for process in (worker, server):
            if process is not None:
                stop(process)
        slack.close()
        drop_database(args.database_url, name)


if __name__ == "__main__":
    sys.exit(main())
