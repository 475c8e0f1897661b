"""Commands that load and inspect plant data: import, demo, summary, db upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planbridge.cli.common import Cli, Commands, stderr, stdout
from planbridge.services import plant as plant_service

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


@commands.command("demo", help="Load the built-in demo plant (a valve maker) into the database.")
def demo(
    replace: Annotated[bool, typer.Option("--replace", help="Swap out the plant already loaded.")] = False,
    export: Annotated[Path | None, typer.Option("--export", help="Also write the demo as a plant folder here.")] = None,
    *,
    cli: Cli,
) -> None:
    services = cli.services(create_schema=True)
    report = plant_service.load_demo(plant_service.LoadDemo(anchor=cli.as_of, replace=replace), services)
    if export is not None:
        plant_service.export_plant(export, services)
    _print_report(report, cli, "loaded demo plant")


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
