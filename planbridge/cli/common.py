"""What every command shares: the common options, output in text or JSON, and error handling.

Every command takes `--db`, `--as-of`, `--json` and `--debug` after its name (and the
root command accepts them before it). Errors become one line per problem on stderr
and the exit code of CONTRACT section 2; a traceback only with `--debug`.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
import traceback
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from planbridge.errors import BadRequest, PlanbridgeError
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings, get_settings

PIPED_WIDTH = 1000  # piped or redirected output: tables at their full width, never cut at 80 columns


def _width(stream: Any) -> int | None:
    """A terminal's own width (or COLUMNS); anything else gets the full width of what is printed."""
    if os.environ.get("COLUMNS") or (hasattr(stream, "isatty") and stream.isatty()):
        return None
    return PIPED_WIDTH


stdout = Console(soft_wrap=True, width=_width(sys.stdout))
stderr = Console(stderr=True, soft_wrap=True, width=_width(sys.stderr))

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Cli:
    """The common options of one invocation, and the services built from them."""

    db: str | None = None
    as_of: date | None = None
    json: bool = False
    debug: bool = False
    _services: ServiceContext | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return get_settings()

    def services(self, *, create_schema: bool = False) -> ServiceContext:
        if self._services is None:
            from planbridge.bootstrap import bootstrap  # keeps `--help` fast

            self._services = bootstrap(database_url=self.db, create_schema=create_schema)
        return self._services

    def emit(self, document: Any, render: Callable[[], None]) -> None:
        """Print `document` (a typed document, a list of them, or plain JSON values) as one JSON
        document with `--json`, else call `render`."""
        if self.json:
            sys.stdout.write(json.dumps(_plain(document), ensure_ascii=False, default=str) + "\n")
        else:
            render()


ROOT_DEFAULTS = Cli()


def _plain(document: Any) -> Any:
    if isinstance(document, BaseModel):
        return document.model_dump(mode="json")
    if isinstance(document, list):
        return [_plain(d) for d in document]
    return document


def parse_date(value: str | None, *, option: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


_COMMON_OPTIONS = [
    inspect.Parameter(
        "db", inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[str | None, typer.Option("--db", help="Database URL (default: PLANBRIDGE_DATABASE_URL or ./planbridge.sqlite).")],
    ),
    inspect.Parameter(
        "as_of", inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[str | None, typer.Option("--as-of", help="Plan as if today were this date (YYYY-MM-DD).")],
    ),
    inspect.Parameter(
        "json_output", inspect.Parameter.KEYWORD_ONLY, default=False,
        annotation=Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")],
    ),
    inspect.Parameter(
        "debug", inspect.Parameter.KEYWORD_ONLY, default=False,
        annotation=Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")],
    ),
]


class Commands:
    """A module's commands, installed on the root app by `planbridge.cli` (optionally as a group)."""

    def __init__(self, group: str | None = None, help: str | None = None) -> None:
        self.group = group
        self.help = help
        self._entries: list[tuple[str | None, Callable[..., Any], dict[str, Any]]] = []

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
        """Register `func(..., cli: Cli)` as a command that also takes the common options."""

        def decorate(func: F) -> F:
            self._entries.append((name, func, kwargs))
            return func

        return decorate

    def install(self, app: typer.Typer) -> None:
        target = app
        if self.group:
            target = typer.Typer(help=self.help, invoke_without_command=True)
            target.callback()(help_without_command)
            app.add_typer(target, name=self.group)
        for name, func, kwargs in self._entries:
            _install(target, name, func, dict(kwargs))


def _install(app: typer.Typer, name: str | None, func: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    signature = inspect.signature(func)
    # Modules use `from __future__ import annotations`: resolve the strings so typer
    # sees the Annotated[..., typer.Argument/Option] metadata.
    hints = typing.get_type_hints(func, include_extras=True)
    own = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values() if p.name != "cli"]

    @functools.wraps(func)
    def wrapper(*args: Any, db: str | None = None, as_of: str | None = None,
                json_output: bool = False, debug: bool = False, **rest: Any) -> None:
        cli = Cli(db=db or ROOT_DEFAULTS.db, json=json_output or ROOT_DEFAULTS.json,
                  debug=debug or ROOT_DEFAULTS.debug)
        run_guarded(cli, lambda: _call(func, cli, as_of, args, rest))

    wrapper.__signature__ = signature.replace(parameters=own + _COMMON_OPTIONS)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in own + _COMMON_OPTIONS}
    context_settings = {"ignore_unknown_options": True, **kwargs.pop("context_settings", {})}
    app.command(name, context_settings=context_settings, **kwargs)(wrapper)


def _call(func: Callable[..., Any], cli: Cli, as_of: str | None, args: tuple[Any, ...], rest: dict[str, Any]) -> None:
    cli.as_of = parse_date(as_of, option="--as-of") or ROOT_DEFAULTS.as_of
    func(*args, cli=cli, **rest)


def run_guarded(cli: Cli, action: Callable[[], None]) -> None:
    try:
        action()
    except PlanbridgeError as exc:
        if cli.debug:
            traceback.print_exc()
        for line in exc.lines():
            stderr.print(f"error: {line}" if line == exc.message else f"  {line}", markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except typer.Exit:
        raise
    except ValidationError as exc:  # settings from the environment: say which and why, one line each
        if cli.debug:
            traceback.print_exc()
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()))
            message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            stderr.print(f"error: {where + ': ' if where else ''}{message}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:  # the last line of defence: one clear line, never a traceback by default
        if cli.debug:
            traceback.print_exc()
        else:
            stderr.print(f"error: {_describe(exc)} (run with --debug for details)", markup=False, highlight=False)
        raise typer.Exit(1) from None


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def help_without_command(ctx: typer.Context) -> None:
    """A group called without a command shows its help (exit 0)."""
    if ctx.invoked_subcommand is None:
        stdout.print(ctx.get_help(), markup=False, highlight=False)
        raise typer.Exit(0)
