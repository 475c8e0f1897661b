"""Loading plant data: import of a plant folder, the demo plant, and a summary of what is loaded."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from planbridge.errors import Conflict, DataValidationError, PlanbridgeError
from planbridge.services.context import ServiceContext
from planbridge.services.ports import PlantSource
from planning_core.model import ItemType, OrderStatus, PlantSnapshot
from planning_core.validation import validate


@dataclass(frozen=True)
class ImportPlant:
    folder: Path
    replace: bool = False


@dataclass(frozen=True)
class ImportReport:
    plant_name: str
    rows: int
    warnings: tuple[str, ...]
    seconds: float
    version: int


def import_plant(cmd: ImportPlant, ctx: ServiceContext) -> ImportReport:
    """Validate the whole folder, then swap it in as one transaction (or change nothing)."""
    started = time.perf_counter()
    reading = _source(ctx).read(str(cmd.folder))
    problems = [str(p) for p in reading.errors]
    if reading.snapshot is not None:
        problems += _beyond_the_ceiling(reading.snapshot, ctx.settings.max_qty)
    if reading.snapshot is None or problems:
        count = len(problems)
        raise DataValidationError(
            f"{cmd.folder}: {count} problem{'s' if count != 1 else ''} found, nothing was imported",
            details=problems,
        )
    version = store_plant(reading.snapshot, ctx, replace=cmd.replace)
    return ImportReport(
        plant_name=reading.snapshot.plant.name,
        rows=reading.row_count,
        warnings=tuple(str(w) for w in reading.warnings),
        seconds=time.perf_counter() - started,
        version=version,
    )


def _beyond_the_ceiling(snapshot: PlantSnapshot, limit: float) -> list[str]:
    """Sales orders asking for more than one order may (PLANBRIDGE_MAX_QTY): a typo such as 1e9
    would otherwise set every plan to work on it for years."""
    return [
        f"sales_orders.csv: order {o.order_id}: qty {o.qty:g} is more than one order may ask for "
        f"({limit:,.0f}; PLANBRIDGE_MAX_QTY)"
        for o in snapshot.sales_orders if o.qty > limit
    ][:100]


def store_plant(snapshot: PlantSnapshot, ctx: ServiceContext, *, replace: bool) -> int:
    with ctx.uow_factory() as uow:
        if uow.plant.exists() and not replace:
            raise Conflict("a plant is already loaded: use --replace to swap it for the new one")
        uow.plant.replace(snapshot, at=ctx.clock.now())
        version = uow.plant.version()
        uow.commit()
    return version


@dataclass(frozen=True)
class LoadDemo:
    anchor: date | None = None  # the demo's "today"; dates of its orders are relative to it
    replace: bool = False


def load_demo(cmd: LoadDemo, ctx: ServiceContext) -> ImportReport:
    started = time.perf_counter()
    snapshot = _demo(cmd, ctx)
    return _stored(snapshot, store_plant(snapshot, ctx, replace=cmd.replace), started)


def export_demo(cmd: LoadDemo, folder: Path, ctx: ServiceContext) -> ImportReport | None:
    """Write the demo plant as a plant folder, and load it when no plant is loaded yet (or with
    `replace`); None: a plant was loaded already and is kept."""
    started = time.perf_counter()
    snapshot = _demo(cmd, ctx)
    _source(ctx).write(snapshot, str(folder))
    with ctx.uow_factory() as uow:
        if uow.plant.exists() and not cmd.replace:
            return None
    return _stored(snapshot, store_plant(snapshot, ctx, replace=cmd.replace), started)


def _demo(cmd: LoadDemo, ctx: ServiceContext) -> PlantSnapshot:
    from planbridge.demo import demo_plant  # the demo builder is only needed here

    return checked(demo_plant(cmd.anchor or ctx.clock.today("Asia/Shanghai")), what="the demo plant")


def _stored(snapshot: PlantSnapshot, version: int, started: float) -> ImportReport:
    rows = len(snapshot.items) + len(snapshot.bom) + len(snapshot.routings) + len(snapshot.sales_orders)
    return ImportReport(snapshot.plant.name, rows, (), time.perf_counter() - started, version)


def export_plant(folder: Path, ctx: ServiceContext) -> None:
    """Write the loaded plant as a plant folder (the same format `import` reads)."""
    _source(ctx).write(ctx.snapshot(), str(folder))


def checked(snapshot: PlantSnapshot, *, what: str) -> PlantSnapshot:
    """The snapshot, once the core validator finds nothing wrong with it (built-in and generated plants)."""
    problems = validate(snapshot)
    if problems:
        count = len(problems)
        raise DataValidationError(f"{what}: {count} problem{'s' if count != 1 else ''} found",
                                  details=[str(p) for p in problems])
    return snapshot


def _source(ctx: ServiceContext) -> PlantSource:
    if ctx.plant_source is None:
        raise PlanbridgeError("no plant source is configured")
    return ctx.plant_source


@dataclass(frozen=True)
class PlantSummary:
    name: str
    timezone: str
    items_make: int
    items_buy: int
    bom_lines: int
    resources: int
    calendars: int
    open_orders: int
    shipped_orders: int
    purchase_orders: int
    work_orders: int
    users: int


def summarize_plant(ctx: ServiceContext) -> PlantSummary:
    s = ctx.snapshot()
    return PlantSummary(
        name=s.plant.name,
        timezone=s.plant.timezone,
        items_make=sum(1 for i in s.items.values() if i.type is ItemType.MAKE),
        items_buy=sum(1 for i in s.items.values() if i.type is ItemType.BUY),
        bom_lines=len(s.bom),
        resources=len(s.resources),
        calendars=len(s.calendars),
        open_orders=len(s.open_orders),
        shipped_orders=sum(1 for o in s.sales_orders if o.status is OrderStatus.SHIPPED),
        purchase_orders=len(s.purchase_orders),
        work_orders=len(s.work_orders),
        users=len(s.users),
    )
