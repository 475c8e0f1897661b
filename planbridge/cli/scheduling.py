"""Finite-capacity scheduling and solver benchmarks (issue #4)."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, not_built_yet

commands = Commands()


@commands.command("schedule", help="Finite-capacity schedule of all open orders (CP-SAT).")
def schedule(
    time_limit: Annotated[float, typer.Option("--time-limit", help="Solver time limit in seconds.")] = 30.0,
    *,
    cli: Cli,
) -> None:
    not_built_yet("schedule", 4)


def register(app: typer.Typer) -> None:
    commands.install(app)
