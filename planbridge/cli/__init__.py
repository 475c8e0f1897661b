"""The `planbridge` command line (CONTRACT section 2)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from planbridge.cli import common

app = typer.Typer(
    name="planbridge",
    help="Capable-to-promise, scheduling and material planning for make-to-order plants.",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database URL for every command.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Plan as if today were this date.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    common.ROOT_DEFAULTS.db = db
    common.ROOT_DEFAULTS.json = json_output
    common.ROOT_DEFAULTS.debug = debug
    common.run_guarded(common.ROOT_DEFAULTS, lambda: _set_root_as_of(as_of))
    common.help_without_command(ctx)


def _set_root_as_of(as_of: str | None) -> None:
    common.ROOT_DEFAULTS.as_of = common.parse_date(as_of, option="--as-of")


def _register() -> None:
    from planbridge.cli import language, material, operations, plant, quoting, scheduling, service

    for module in (plant, quoting, scheduling, material, language, service, operations):
        module.register(app)


_register()


def main() -> None:
    """Entry point: click's usage errors become one line and exit 2, like our own errors."""
    try:
        result = app(standalone_mode=False)
    except typer.Abort:
        common.stderr.print("error: aborted", markup=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        common.stderr.print(f"error: {message}", markup=False, highlight=False)
        sys.exit(getattr(exc, "exit_code", 2))
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
