"""The HTTP service (Slack endpoints, REST API, scheduler) and the daily digest."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, not_built_yet

commands = Commands()


@commands.command("digest", help="The daily digest the scheduler posts (text, or Block Kit with --json).")
def digest(*, cli: Cli) -> None:
    not_built_yet("digest", 7)


@commands.command("serve", help="Run the HTTP service: Slack endpoints, REST API under /api/, scheduler.")
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    *,
    cli: Cli,
) -> None:
    not_built_yet("serve", 7)


def register(app: typer.Typer) -> None:
    commands.install(app)
