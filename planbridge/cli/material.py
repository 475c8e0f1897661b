"""Material planning, KPIs and forecasting (issue #5)."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, not_built_yet

commands = Commands()


@commands.command("mrp", help="Time-phased material plan: planned orders, exceptions, pegged shortages.")
def mrp(
    horizon_days: Annotated[int, typer.Option("--horizon-days")] = 90,
    *,
    cli: Cli,
) -> None:
    not_built_yet("mrp", 5)


@commands.command("kpi", help="Delivery and capacity KPIs.")
def kpi(*, cli: Cli) -> None:
    not_built_yet("kpi", 5)


def register(app: typer.Typer) -> None:
    commands.install(app)
