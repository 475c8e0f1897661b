"""Capable-to-promise quotes, rush impact, change requests and approvals (issue #3)."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, not_built_yet

commands = Commands()


@commands.command("quote", help="Capable-to-promise quote: the earliest date QTY of ITEM can be complete.")
def quote(
    item: Annotated[str, typer.Argument(help="Item id, name or alias.")],
    qty: Annotated[str, typer.Argument(help="Quantity.")],
    due: Annotated[str | None, typer.Option("--due", help="Date the customer wants it (YYYY-MM-DD).")] = None,
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    *,
    cli: Cli,
) -> None:
    not_built_yet("quote", 3)


@commands.command("rush", help="Impact of treating an order (or a new one) as first priority.")
def rush(
    order_id: Annotated[str | None, typer.Argument(help="Order id.")] = None,
    item: Annotated[str | None, typer.Option("--item")] = None,
    qty: Annotated[str | None, typer.Option("--qty")] = None,
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    due: Annotated[str | None, typer.Option("--due")] = None,
    *,
    cli: Cli,
) -> None:
    not_built_yet("rush", 3)


def register(app: typer.Typer) -> None:
    commands.install(app)
