"""The HTTP service (Slack endpoints, REST API, scheduler) and the daily digest."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, stderr, stdout
from planbridge.errors import BadRequest

commands = Commands()


@commands.command("digest", help="The daily digest the scheduler posts (text, or Block Kit with --json).")
def digest(
    lang: Annotated[str | None, typer.Option("--lang", help="en or zh (default: PLANBRIDGE_DIGEST_LANGUAGE, else en).")] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also write the chart (load, OTD trend) to this PNG file.")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.bootstrap import block_kit
    from planbridge.presentation.digest import digest_document, digest_text
    from planbridge.services.digest import DigestCommand, build_digest

    if chart is not None and chart.suffix.lower() != ".png":
        raise BadRequest(f"--chart: {chart} must be a .png file")
    result = build_digest(DigestCommand(as_of=cli.as_of, language=lang), cli.services())
    if chart is not None:
        from planbridge.presentation.charts import digest_chart

        chart.write_bytes(digest_chart(result))
        (stderr if cli.json else stdout).print(f"wrote the chart to {chart}", markup=False, highlight=False)
    cli.emit(digest_document(result, render=block_kit),
             lambda: stdout.print(digest_text(result), markup=False, highlight=False))


@commands.command("serve", help="Run the HTTP service: Slack endpoints, REST API under /api/, scheduler.")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (default 8000).")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (PostgreSQL only for more than one).")] = 1,
    scheduler: Annotated[
        bool | None, typer.Option("--scheduler/--no-scheduler", help="Run the daily digest scheduler in this process.")
    ] = None,
    *,
    cli: Cli,
) -> None:
    import os

    import uvicorn

    from planbridge.app import describe, prepare_database

    settings = cli.settings
    check_exposure(host, api_token=settings.api_token)
    if not 0 < port < 65536:
        raise BadRequest(f"--port must be between 1 and 65535, not {port}")
    if workers < 1:
        raise BadRequest(f"--workers must be at least 1, not {workers}")
    database_url = cli.db or settings.database_url
    if workers > 1 and database_url.startswith("sqlite"):
        raise BadRequest("--workers above 1 needs PostgreSQL (PLANBRIDGE_DATABASE_URL); SQLite allows one writer")
    prepare_database(database_url)  # migrations run once, before any worker starts
    effective = settings.model_copy(update={
        "database_url": database_url,
        "scheduler_enabled": settings.scheduler_enabled if scheduler is None else scheduler,
    })
    for line in describe(effective, host=host, port=port, workers=workers):
        stderr.print(line, markup=False, highlight=False)
    # The workers build their settings from the environment: pass the command's options on that way.
    os.environ["PLANBRIDGE_DATABASE_URL"] = database_url
    if scheduler is not None:
        os.environ["PLANBRIDGE_SCHEDULER"] = "1" if scheduler else "0"
    if cli.as_of:
        os.environ["PLANBRIDGE_AS_OF"] = cli.as_of.isoformat()
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import tempfile

        # /metrics sums every worker's figures (prometheus-client's multiprocess mode)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="planbridge-metrics-")
    uvicorn.run("planbridge.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=True)


def check_exposure(host: str, *, api_token: str | None) -> None:
    """Refuse to serve the REST API beyond this machine without a bearer token."""
    if api_token or is_loopback(host):
        return
    raise BadRequest(f"--host {host} exposes /api/ beyond this machine: set PLANBRIDGE_API_TOKEN first "
                     "(or serve on 127.0.0.1 behind a proxy that authenticates)")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    commands.install(app)
