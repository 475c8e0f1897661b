"""Free text → structured planning calls → replies (issue #6)."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, not_built_yet

commands = Commands()


@commands.command("parse", help="Free text → structured request (no side effects).")
def parse(text: Annotated[str, typer.Argument(help="What the user wrote.")], *, cli: Cli) -> None:
    not_built_yet("parse", 6)


@commands.command("ask", help="Free text → planning call → the reply the bot would post.")
def ask(
    text: Annotated[str, typer.Argument(help="What the user wrote.")],
    user: Annotated[str | None, typer.Option("--user")] = None,
    *,
    cli: Cli,
) -> None:
    not_built_yet("ask", 6)


def register(app: typer.Typer) -> None:
    commands.install(app)
