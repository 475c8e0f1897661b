"""Operating planbridge: `digests add|list|remove` (digest subscriptions) and `worker` (Celery)."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, stderr, stdout
from planbridge.errors import BadRequest

digests = Commands("digests", help="Digest subscriptions: which channel gets which digest, when, in which language.")
worker_commands = Commands()


@digests.command("add", help="Subscribe a channel to the digest (daily, or weekly on one day).")
def add(
    channel: Annotated[str, typer.Option("--channel", help="Chat channel id (e.g. C0123 in Slack, feishu:oc_… for a Feishu group).")],
    at: Annotated[str, typer.Option("--at", help="Local time HH:MM.")],
    tz: Annotated[str | None, typer.Option("--tz", help="IANA time zone (default: the plant's).")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="en, zh or zh-Hant (default: PLANBRIDGE_DIGEST_LANGUAGE).")] = None,
    weekly: Annotated[str | None, typer.Option("--weekly", help="Post weekly on this day (mon..sun) instead of daily.")] = None,
    sections: Annotated[list[str] | None, typer.Option("--sections", help="sales, production, management (comma-separated or repeated; default all).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Sales section: only this rep's orders (users.csv user_id).")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.jobs import subscription_document, subscription_line
    from planbridge.services.subscriptions import Subscribe, subscribe

    added = subscribe(Subscribe(channel=channel, at=at, timezone=tz, language=lang, weekly=weekly,
                                sections=sections or [], owner=owner, source="cli"), cli.services())
    cli.emit(subscription_document(added), lambda: stdout.print(subscription_line(added, "en"), markup=False,
                                                                highlight=False))


@digests.command("list", help="The digest subscriptions.")
def list_(
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel's.")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.jobs import subscription_document, subscription_line
    from planbridge.services.subscriptions import list_subscriptions

    found = list_subscriptions(cli.services(), channel=channel)

    def show() -> None:
        for s in found:
            stdout.print(subscription_line(s, "en"), markup=False, highlight=False)
        if not found:
            stdout.print("no digest subscriptions", markup=False)

    cli.emit([subscription_document(s) for s in found], show)


@digests.command("remove", help="Remove a digest subscription by its id.")
def remove(
    subscription_id: Annotated[int, typer.Argument(help="The subscription's id (see `digests list`).")],
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.jobs import subscription_document
    from planbridge.services.subscriptions import unsubscribe

    removed = unsubscribe(cli.services(), subscription_id)
    cli.emit(subscription_document(removed), lambda: stdout.print(
        f"removed digest subscription {removed.subscription_id} ({removed.channel})", markup=False, highlight=False))


@worker_commands.command("worker", help="Run a Celery worker for background jobs and digests (needs PLANBRIDGE_BROKER_URL).")
def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", help="Jobs at once in this worker (default 2).")] = 2,
    pool: Annotated[str, typer.Option("--pool", help="prefork, threads or solo (default prefork).")] = "prefork",
    metrics_port: Annotated[int | None, typer.Option("--metrics-port", help="Serve this worker's /metrics (job durations) on this port.")] = None,
    *,
    cli: Cli,
) -> None:
    import os
    import tempfile

    from planbridge import logs
    from planbridge.app import prepare_database
    from planbridge.bootstrap import celery_worker_app

    settings = cli.settings
    if cli.db:
        settings = settings.model_copy(update={"database_url": cli.db})
    if cli.as_of:
        settings = settings.model_copy(update={"as_of": cli.as_of})
    if not settings.broker_url:
        raise BadRequest("planbridge worker needs PLANBRIDGE_BROKER_URL (a Redis URL, e.g. redis://127.0.0.1:6379/0)")
    if not 1 <= concurrency <= 64:
        raise BadRequest(f"--concurrency must be between 1 and 64, not {concurrency}")
    if pool not in ("prefork", "threads", "solo"):
        raise BadRequest(f"--pool must be prefork, threads or solo, not {pool!r}")
    if metrics_port is not None and not 0 < metrics_port < 65536:
        raise BadRequest(f"--metrics-port must be between 1 and 65535, not {metrics_port}")
    os.environ["PLANBRIDGE_DATABASE_URL"] = settings.database_url  # prefork children read the environment
    if metrics_port is not None:
        # the pool's processes write their figures to files that the exporter sums (before any metric exists)
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="planbridge-worker-metrics-"))
        from planbridge.metrics import serve_exposition

        serve_exposition(metrics_port)
    logs.configure(json=settings.log_format == "json", level=settings.log_level)
    prepare_database(settings.database_url)
    app = celery_worker_app(settings)
    app.worker_main(["worker", "--queues", settings.job_queue, "--concurrency", str(concurrency), "--pool", pool,
                     "--loglevel", settings.log_level, "--hostname", f"planbridge-{os.getpid()}@%h",
                     "--without-gossip", "--without-mingle"])


def queue_promise_state_rebuild(cli: Cli) -> None:
    """After an import, with a broker: the workers rebuild the promise state of the new plant version."""
    if not cli.settings.broker_url:
        return
    from planbridge.bootstrap import job_runner, job_worker
    from planbridge.services.jobs import SubmitJob, submit_job

    services = cli.services()
    job = submit_job(SubmitJob(kind="promise_state", params={"as_of": cli.as_of.isoformat()} if cli.as_of else {}),
                     services)
    runner = job_runner(cli.settings, job_worker(services, cli.settings, channel=None))
    try:
        runner.run_job(job.job_id)
    finally:
        runner.close()
    stderr.print(f"queued the promise-state rebuild as job {job.job_id}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    digests.install(app)
    worker_commands.install(app)
    quality_commands.install(app)


quality_commands = Commands("quality", help="Complaints, returns and NCRs: log them, close them, see what is open.")


@quality_commands.command("log", help="Log a complaint or return (sales) or an NCR (production); audited.")
def quality_log(
    kind: Annotated[str, typer.Argument(help="complaint, return or ncr.")],
    item: Annotated[str | None, typer.Option("--item", help="The item (default: the order's).")] = None,
    qty: Annotated[str, typer.Option("--qty", help="Units concerned (default 0).")] = "0",
    customer: Annotated[str | None, typer.Option("--customer", help="The customer (default: the order's).")] = None,
    order: Annotated[str | None, typer.Option("--order", help="The sales order it is about.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What happened, in a few words.")] = None,
    user: Annotated[str | None, typer.Option("--user", envvar="PLANBRIDGE_USER", help="Who logs it (users.csv).")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.quality import event_document
    from planbridge.services.quality import LogQualityEvent, log_event

    answer = log_event(LogQualityEvent(kind=kind, user_id=user, item=item, qty=qty,
                                       customer=customer, order_id=order, note=note), cli.services())
    document = event_document(answer)
    cli.emit(document, lambda: stdout.print(document.message, markup=False, highlight=False))


@quality_commands.command("close", help="Close a complaint, return or NCR (production, planners, admins); audited.")
def quality_close(
    event_id: Annotated[str, typer.Argument(help="The event's id, e.g. QE-1001.")],
    user: Annotated[str | None, typer.Option("--user", envvar="PLANBRIDGE_USER", help="Who closes it (users.csv).")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.quality import event_document
    from planbridge.services.quality import CloseQualityEvent, close_event

    document = event_document(close_event(CloseQualityEvent(event_id=event_id, user_id=user), cli.services()))
    cli.emit(document, lambda: stdout.print(document.message, markup=False, highlight=False))


@quality_commands.command("list", help="Open complaints, returns and NCRs (of a customer or an item), held stock.")
def quality_list(
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    item: Annotated[str | None, typer.Option("--item")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="en, zh or zh-Hant.")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.quality import overview_document
    from planbridge.services.quality import QualityQuery, quality_overview

    document = overview_document(quality_overview(
        QualityQuery(customer=customer, item=item, as_of=cli.as_of, language=lang), cli.services()))
    cli.emit(document, lambda: stdout.print(document.message, markup=False, highlight=False))
