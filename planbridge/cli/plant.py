"""Commands that load and inspect plant data: import, demo, generate, summary, db upgrade."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, parse_date, stderr, stdout
from planbridge.cli.operations import queue_promise_state_rebuild
from planbridge.errors import BadRequest
from planbridge.services import plant as plant_service
from planbridge.services.context import SystemClock

commands = Commands()
db_commands = Commands(group="db", help="Database maintenance.")


@db_commands.command("upgrade", help="Create or migrate the database schema to the newest version.")
def db_upgrade(*, cli: Cli) -> None:
    cli.services(create_schema=True)
    cli.emit({"status": "ok"}, lambda: stdout.print("database schema is up to date"))


@commands.command("import", help="Load a plant folder (CSV files, CONTRACT section 1). All or nothing.")
def import_(
    folder: Annotated[Path, typer.Argument(help="Folder with items.csv, bom.csv, ...")],
    replace: Annotated[bool, typer.Option("--replace", help="Swap out the plant already loaded.")] = False,
    *,
    cli: Cli,
) -> None:
    report = plant_service.import_plant(
        plant_service.ImportPlant(folder=folder, replace=replace), cli.services(create_schema=True)
    )
    _print_report(report, cli, "imported")
    queue_promise_state_rebuild(cli)


@commands.command("demo", help="Load the built-in demo plant (a valve maker) into the database.")
def demo(
    replace: Annotated[bool, typer.Option("--replace", help="Swap out the plant already loaded.")] = False,
    export: Annotated[Path | None, typer.Option("--export", help="Also write the demo as a plant folder here.")] = None,
    *,
    cli: Cli,
) -> None:
    services = cli.services(create_schema=True)
    command = plant_service.LoadDemo(anchor=cli.as_of, replace=replace)
    if export is None:
        report = plant_service.load_demo(command, services)
    else:
        loaded = plant_service.export_demo(command, export, services)
        if loaded is None:
            cli.emit({"exported": str(export), "loaded": False},
                     lambda: stdout.print(f"wrote the demo plant to {export}; the plant already loaded was kept "
                                          "(--replace loads the demo instead)", markup=False))
            return
        report = loaded
    _print_report(report, cli, "loaded demo plant")
    queue_promise_state_rebuild(cli)


@commands.command("generate", help="Write a synthetic plant folder (deterministic for a seed) for benchmarks and scale tests.")
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the CSV files into (created if missing).")],
    items: Annotated[int, typer.Option("--items", help="Number of items.")] = 2000,
    orders: Annotated[int, typer.Option("--orders", help="Number of open confirmed sales orders.")] = 5000,
    resources: Annotated[int, typer.Option("--resources", help="Number of resources.")] = 50,
    levels: Annotated[int, typer.Option("--levels", help="BOM levels, end items to bought materials.")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed writes the same plant.")] = 0,
    anchor: Annotated[str | None, typer.Option("--anchor", help="The plant's 'today' (default: --as-of, else today).")] = None,
    load: Annotated[float, typer.Option("--load", help="Share of working time the busiest resources carry.")] = 0.85,
    overload: Annotated[bool, typer.Option("--overload", help="The much tighter preset: most orders late whatever the plan.")] = False,
    *,
    cli: Cli,
) -> None:
    from planbridge.bootstrap import plant_source
    from planbridge.synthetic import generate_plant

    today = parse_date(anchor, option="--anchor") or cli.as_of or _today()
    started = time.perf_counter()
    try:
        snapshot = generate_plant(items=items, orders=orders, resources=resources, levels=levels, seed=seed, anchor=today,
                                  load=load, overload=overload)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    plant_service.checked(snapshot, what="the generated plant")
    if out_dir.exists() and not out_dir.is_dir():
        raise BadRequest(f"{out_dir} exists and is not a folder")
    plant_source().write(snapshot, str(out_dir))
    seconds = time.perf_counter() - started
    document = {
        "folder": str(out_dir), "anchor": today.isoformat(), "seed": seed, "load": None if overload else load,
        "overload": overload, "items": len(snapshot.items),
        "bom_lines": len(snapshot.bom), "routing_steps": len(snapshot.routings), "resources": len(snapshot.resources),
        "calendars": len(snapshot.calendars), "open_orders": len(snapshot.open_orders),
        "sales_orders": len(snapshot.sales_orders), "purchase_orders": len(snapshot.purchase_orders),
        "seconds": round(seconds, 3),
    }
    cli.emit(document, lambda: stdout.print(
        f"wrote {out_dir}: {document['items']} items, {document['bom_lines']} BOM lines, "
        f"{document['resources']} resources, {document['open_orders']} open of {document['sales_orders']} sales orders "
        f"(as of {today}, seed {seed}) in {seconds:.2f} s",
        markup=False, highlight=False,
    ))


def _today() -> date:
    from planbridge.settings import get_settings
    from planbridge.synthetic import PLANT_TIMEZONE

    return SystemClock(fixed_today=get_settings().as_of).today(PLANT_TIMEZONE)


@commands.command("summary", help="What plant is loaded: counts of items, orders, resources.")
def summary(*, cli: Cli) -> None:
    s = plant_service.summarize_plant(cli.services())
    cli.emit(s.__dict__, lambda: stdout.print(
        f"{s.name} ({s.timezone}): {s.items_make} made and {s.items_buy} bought items, {s.bom_lines} BOM lines, "
        f"{s.resources} resources on {s.calendars} calendars, {s.open_orders} open and {s.shipped_orders} shipped "
        f"orders, {s.purchase_orders} purchase orders, {s.work_orders} work orders, {s.users} users",
        markup=False,
    ))


def _print_report(report: plant_service.ImportReport, cli: Cli, verb: str) -> None:
    for warning in report.warnings:
        stderr.print(f"warning: {warning}", markup=False, highlight=False)
    cli.emit(
        {"plant": report.plant_name, "rows": report.rows, "seconds": round(report.seconds, 3),
         "warnings": list(report.warnings), "version": report.version},
        lambda: stdout.print(f"{verb} {report.plant_name}: {report.rows} rows in {report.seconds:.2f} s", markup=False),
    )


def register(app: typer.Typer) -> None:
    commands.install(app)
    db_commands.install(app)
