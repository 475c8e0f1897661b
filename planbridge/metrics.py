"""Prometheus metrics: requests by route and status, quote latency by tier, job durations,
digests posted, Slack events by outcome. `/metrics` exposes them.

With several processes (`planbridge serve --workers N`, Celery workers) set
PROMETHEUS_MULTIPROC_DIR to a folder they share; `serve` sets one up for its own workers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

T = TypeVar("T")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

HTTP_REQUESTS = Counter("planbridge_http_requests", "HTTP requests by route template, method and status",
                        ["route", "method", "status"])
HTTP_SECONDS = Histogram("planbridge_http_request_seconds", "HTTP request duration by route template",
                         ["route", "method"], buckets=LATENCY_BUCKETS)
QUOTE_SECONDS = Histogram("planbridge_quote_seconds",
                          "Quote latency by tier: first (from the ledger) or exact (the LP), and where it was asked",
                          ["tier", "entrypoint"], buckets=LATENCY_BUCKETS)
JOB_SECONDS = Histogram("planbridge_job_seconds", "Background job duration by kind and outcome",
                        ["kind", "status"], buckets=JOB_BUCKETS)
JOBS_FINISHED = Counter("planbridge_jobs_finished", "Background jobs finished, by kind and outcome", ["kind", "status"])
DIGEST_BUILD_SECONDS = Histogram("planbridge_digest_build_seconds", "Building the digest's figures",
                                 buckets=LATENCY_BUCKETS)
DIGESTS_POSTED = Counter("planbridge_digests_posted", "Digests posted, by how the claim was won",
                         ["claim"])
SLACK_EVENTS = Counter("planbridge_slack_events", "Slack requests by kind and outcome", ["kind", "outcome"])


def quote_tier(exact: bool) -> str:
    return "exact" if exact else "first"


def timed_quote(entrypoint: str, call: Callable[[], T], *, exact_of: Callable[[T], bool]) -> T:
    """Run a quote and record its latency under the tier its answer says it is."""
    started = time.perf_counter()
    answer = call()
    QUOTE_SECONDS.labels(quote_tier(exact_of(answer)), entrypoint).observe(time.perf_counter() - started)
    return answer


@contextmanager
def timed_job(kind: str) -> Iterator[dict[str, str]]:
    """Times a job; the caller sets `outcome["status"]` (default: failed, when it raises)."""
    outcome = {"status": "failed"}
    started = time.perf_counter()
    try:
        yield outcome
    finally:
        JOB_SECONDS.labels(kind, outcome["status"]).observe(time.perf_counter() - started)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, summed over processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def serve_exposition(port: int) -> None:
    """A small HTTP server of `/metrics` in a background thread (for `planbridge worker`)."""
    from prometheus_client import start_http_server

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        start_http_server(port, registry=registry)
    else:
        start_http_server(port)
