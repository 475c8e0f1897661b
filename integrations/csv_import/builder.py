"""Cross-file validation of a plant folder and assembly of the `PlantSnapshot`."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from integrations.csv_import import schema
from integrations.csv_import.reader import Findings, Problem, Row, read_file
from planning_core.model import (
    BomLine,
    Calendar,
    CalendarException,
    ExceptionKind,
    ForecastEntry,
    HeldStock,
    Item,
    ItemType,
    OrderStatus,
    PlantInfo,
    PlantSnapshot,
    PurchaseOrder,
    QualityEvent,
    Resource,
    RoutingStep,
    SalesOrder,
    SetupChange,
    ShiftInterval,
    StockStatus,
    User,
    WorkOrder,
    WorkOrderStatus,
)
from planning_core.validation import bom_cycles, validate


@dataclass(frozen=True)
class FolderReading:
    """What reading a plant folder found: a snapshot only when there were no errors."""

    snapshot: PlantSnapshot | None
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def row_count(self) -> int:
        s = self.snapshot
        if s is None:
            return 0
        return (
            len(s.items) + len(s.bom) + len(s.routings) + len(s.resources) + len(s.inventory)
            + len(s.purchase_orders) + len(s.work_orders) + len(s.sales_orders) + len(s.forecast)
            + len(s.users) + sum(len(c.shifts) + len(c.exceptions) for c in s.calendars.values())
            + len(s.setup_matrix) + len(s.held_stock) + len(s.quality_events)
        )


_PLANT_NAME_LENGTH = 200  # the database column's size


def read_plant_folder(folder: Path) -> FolderReading:
    """Reads and validates a plant folder; the snapshot is None when anything is wrong.

    Every problem is reported, each once, as `file:line: column: message`.
    """
    findings = Findings()
    if not folder.is_dir():
        findings.error(str(folder), None, None, "not a folder")
        return FolderReading(None, tuple(findings.errors), ())
    plant = _read_plant_toml(folder, findings)
    rows = {spec.name: read_file(folder, spec, findings) for spec in schema.ALL_FILES}
    builder = _Builder(plant, {k: v or [] for k, v in rows.items()}, findings)
    snapshot = builder.build()
    if not findings.errors:
        # Rows were checked line by line above; what only the whole plant shows, the core's validator finds.
        for problem in validate(snapshot):
            findings.error("plant", None, None, problem.message)
    errors = tuple(sorted(findings.errors, key=_problem_order))
    return FolderReading(None if errors else snapshot, errors, tuple(findings.warnings))


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.file, p.line or 0, p.column or "")


def _read_plant_toml(folder: Path, findings: Findings) -> PlantInfo:
    path = folder / "plant.toml"
    if not path.exists():
        return PlantInfo(name=folder.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        findings.error("plant.toml", None, None, f"not valid TOML: {exc}")
        return PlantInfo(name=folder.name)
    for key in set(data) - {"name", "timezone", "country"}:
        findings.warn("plant.toml", None, key, "unknown setting is ignored")
    timezone = str(data.get("timezone") or "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        findings.error("plant.toml", None, "timezone", f"unknown time zone {timezone!r}")
        timezone = "UTC"
    country = data.get("country") or None
    if country is not None:
        country = str(country).upper()
        if country not in holidays_lib.list_supported_countries():
            findings.error("plant.toml", None, "country", f"no public holiday calendar for {country!r}")
            country = None
    name = str(data.get("name") or folder.name)
    if len(name) > _PLANT_NAME_LENGTH:
        findings.error("plant.toml", None, "name", f"is {len(name)} characters long, at most {_PLANT_NAME_LENGTH} are allowed")
    return PlantInfo(name=name, timezone=timezone, country=country)


# where each kind of id is defined
_SOURCE = {"item": "items.csv", "resource": "resources.csv", "calendar": "calendars.csv", "user": "users.csv"}


class _Builder:
    def __init__(self, plant: PlantInfo, rows: dict[str, list[Row]], findings: Findings) -> None:
        self.plant = plant
        self.rows = rows
        self.findings = findings
        # every id a file defines, usable or not: a reference to one that has its own error
        # is not reported again (one mistake, one line)
        self.declared = {
            spec.name: {row[spec.columns[0].name] for row in rows[spec.name]} | findings.rejected_ids.get(spec.name, set())
            for spec in schema.ALL_FILES
        }

    def build(self) -> PlantSnapshot:
        calendars = self._calendars()
        resources = self._resources(calendars)
        items = self._items()
        users = self._users()
        routings = self._routings(items, resources)
        available, held = self._inventory(items)
        sales_orders = self._sales_orders(items, users)
        return PlantSnapshot(
            plant=self.plant,
            items=items,
            bom=self._bom(items),
            routings=routings,
            calendars=calendars,
            resources=resources,
            inventory=available,
            purchase_orders=self._purchase_orders(items),
            work_orders=self._work_orders(items, resources),
            sales_orders=sales_orders,
            forecast=self._forecast(items),
            users=users,
            setup_matrix=self._setup_matrix(routings),
            held_stock=held,
            quality_events=self._quality_events(items, sales_orders),
        )

    # -- helpers -----------------------------------------------------------------
    def _error(self, row: Row, column: str | None, message: str) -> None:
        self.findings.error(row.file, row.line, column, message)

    def _unique(self, rows: list[Row], key: str) -> list[Row]:
        """Rows whose id is seen for the first time; later duplicates are reported."""
        first_line: dict[str, int] = {}
        kept = []
        for row in rows:
            value = row[key]
            if value in first_line:
                self._error(row, key, f"duplicate id {value!r} (first on line {first_line[value]})")
                continue
            first_line[value] = row.line
            kept.append(row)
        return kept

    def _known(self, row: Row, column: str, known: Container[str], what: str) -> bool:
        """Whether the id in `column` is usable; reports it unless its own definition was already reported."""
        if row[column] in known:
            return True
        if not self._reported_elsewhere(what, row[column]):
            self._error(row, column, f"unknown {what} {row[column]!r}")
        return False

    def _reported_elsewhere(self, what: str, value: str) -> bool:
        source = _SOURCE[what]
        return source in self.findings.failed_files or value in self.declared[source]

    # -- files -------------------------------------------------------------------
    def _calendars(self) -> dict[str, Calendar]:
        shifts: dict[str, list[ShiftInterval]] = defaultdict(list)
        for row in self.rows["calendars.csv"]:
            if row["start"] == row["end"]:
                self._error(row, "end", "interval is empty: end equals start")
                continue
            shifts[row["calendar_id"]].append(ShiftInterval(row["weekday"], row["start"], row["end"]))
        exceptions: dict[str, list[CalendarException]] = defaultdict(list)
        for row in self.rows["calendar_exceptions.csv"]:
            if not self._known(row, "calendar_id", shifts, "calendar"):
                continue
            start, end = row["start"], row["end"]
            if (start is None) != (end is None):
                self._error(row, "end" if end is None else "start", "give both start and end, or neither")
                continue
            if row["kind"] is ExceptionKind.OPEN and start is None:
                self._error(row, "start", "an 'open' exception needs start and end times")
                continue
            exceptions[row["calendar_id"]].append(CalendarException(row["calendar_id"], row["date"], row["kind"], start, end))
        return {cid: Calendar(cid, tuple(s), tuple(exceptions.get(cid, ()))) for cid, s in shifts.items()}

    def _resources(self, calendars: dict[str, Calendar]) -> dict[str, Resource]:
        result = {}
        for row in self._unique(self.rows["resources.csv"], "resource_id"):
            if self._known(row, "calendar_id", calendars, "calendar"):
                rid = row["resource_id"]
                result[rid] = Resource(rid, row["name"] or rid, row["calendar_id"], row["units"], row["aliases"])
        return result

    def _items(self) -> dict[str, Item]:
        result = {}
        for row in self._unique(self.rows["items.csv"], "item_id"):
            iid = row["item_id"]
            result[iid] = Item(
                item_id=iid,
                name=row["name"] or iid,
                type=row["type"],
                uom=row["uom"],
                lead_time_days=row["lead_time_days"],
                safety_stock=row["safety_stock"],
                min_lot=row["min_lot"],
                lot_multiple=row["lot_multiple"],
                aliases=row["aliases"],
            )
        return result

    def _users(self) -> dict[str, User]:
        users = self._unique(self.rows["users.csv"], "user_id")
        feishu_rows = self._unique([row for row in users if row["feishu_id"]], "feishu_id")
        feishu_ids = {row.line: row["feishu_id"] for row in feishu_rows}  # a duplicate Feishu id is reported, not kept
        return {
            row["user_id"]: User(row["user_id"], row["name"] or row["user_id"], row["role"], row["language"],
                                 feishu_ids.get(row.line))
            for row in users
        }

    def _bom(self, items: dict[str, Item]) -> tuple[BomLine, ...]:
        lines: list[tuple[Row, BomLine]] = []
        seen: dict[tuple[str, str], int] = {}
        for row in self.rows["bom.csv"]:
            known = self._known(row, "parent_id", items, "item")
            known = self._known(row, "component_id", items, "item") and known
            if not known:
                continue
            pair = (row["parent_id"], row["component_id"])
            if pair[0] == pair[1]:
                self._error(row, "component_id", f"BOM cycle: {pair[0]} → {pair[0]}")
                continue
            if pair in seen:
                self._error(row, "component_id", f"duplicate BOM line {pair[0]} → {pair[1]} (first on line {seen[pair]})")
                continue
            if items[pair[0]].type is ItemType.BUY:
                self.findings.warn(row.file, row.line, "parent_id", f"{pair[0]} is bought, so its BOM is not used")
            if row["scrap_pct"] >= 100:
                self._error(row, "scrap_pct", f"scrap of {row['scrap_pct']:g}% leaves nothing usable")
                continue
            seen[pair] = row.line
            lines.append((row, BomLine(pair[0], pair[1], row["qty_per"], row["scrap_pct"])))
        self._report_cycles(lines)
        return tuple(line for _, line in lines)

    def _report_cycles(self, lines: list[tuple[Row, BomLine]]) -> None:
        """Names every cycle once, at the BOM line that closes it, e.g. `A → B → C → A` (the core finds them)."""
        row_of = {(line.parent_id, line.component_id): row for row, line in lines}
        for cycle in bom_cycles((line.parent_id, line.component_id) for _, line in lines):
            self._error(row_of[(cycle[-2], cycle[-1])], "component_id", "BOM cycle: " + " → ".join(cycle))

    def _routings(self, items: dict[str, Item], resources: dict[str, Resource]) -> tuple[RoutingStep, ...]:
        steps: list[RoutingStep] = []
        seen: dict[tuple[str, int], int] = {}
        for row in self.rows["routings.csv"]:
            if not self._known(row, "item_id", items, "item"):
                continue
            alternatives = tuple(part.strip() for part in row["resource_id"].split("|"))
            if "" in alternatives:
                self._error(row, "resource_id", "empty alternative in resource list")
                continue
            unknown = [r for r in alternatives if r not in resources and not self._reported_elsewhere("resource", r)]
            if unknown:
                self._error(row, "resource_id", "unknown resource " + ", ".join(repr(r) for r in unknown))
                continue
            if any(r not in resources for r in alternatives):
                continue  # a resource with an error of its own
            key = (row["item_id"], row["step"])
            if key in seen:
                self._error(row, "step", f"step {key[1]} of {key[0]} is defined twice (first on line {seen[key]})")
                continue
            if items[key[0]].type is ItemType.BUY:
                self.findings.warn(row.file, row.line, "item_id", f"{key[0]} is bought, so its routing is not used")
            if row["setup_minutes"] + row["run_minutes_per_unit"] <= 0:
                self._error(row, "run_minutes_per_unit", "a step must take some time: setup and run are both 0")
                continue
            if row["yield_pct"] > 100:
                self._error(row, "yield_pct", f"a yield of {row['yield_pct']:g}% is more than every unit started")
                continue
            seen[key] = row.line
            steps.append(RoutingStep(key[0], key[1], tuple(dict.fromkeys(alternatives)), row["setup_minutes"],
                                     row["run_minutes_per_unit"], row["setup_family"], row["yield_pct"]))
        if "routings.csv" not in self.findings.failed_files:
            self._warn_unroutable(items, steps)
        return tuple(steps)

    def _setup_matrix(self, routings: tuple[RoutingStep, ...]) -> tuple[SetupChange, ...]:
        """Changeovers between the families that routings.csv names (a family named nowhere is a typo)."""
        families = {step.setup_family for step in routings if step.setup_family is not None}
        families |= {row["setup_family"] for row in self.rows["routings.csv"] if row["setup_family"] is not None}
        check_families = "routings.csv" not in self.findings.failed_files
        changes: list[SetupChange] = []
        seen: dict[tuple[str, str], int] = {}
        for row in self.rows["setup_matrix.csv"]:
            unknown = [c for c in ("from_family", "to_family") if check_families and row[c] not in families]
            for column in unknown:
                self._error(row, column, f"unknown set-up family {row[column]!r} (no step in routings.csv has it)")
            if unknown:
                continue
            pair = (row["from_family"], row["to_family"])
            if pair in seen:
                self._error(row, "to_family", f"duplicate change {pair[0]} → {pair[1]} (first on line {seen[pair]})")
                continue
            seen[pair] = row.line
            changes.append(SetupChange(pair[0], pair[1], row["setup_minutes"]))
        return tuple(changes)

    def _warn_unroutable(self, items: dict[str, Item], steps: list[RoutingStep]) -> None:
        routed = {step.item_id for step in steps}
        for row in self.rows["items.csv"]:
            item = items.get(row["item_id"])
            if item is not None and item.type is ItemType.MAKE and item.item_id not in routed:
                self.findings.warn(row.file, row.line, "item_id", f"{item.item_id} is made but has no routing: it can only come from stock")

    def _inventory(self, items: dict[str, Item]) -> tuple[dict[str, float], tuple[HeldStock, ...]]:
        """Available stock per item (one row each, as in the contract), and the lots quality holds."""
        available_rows = []
        held: list[HeldStock] = []
        for row in self.rows["inventory.csv"]:
            if not self._known(row, "item_id", items, "item"):
                continue
            if row["release_date"] is not None and row["status"] is not StockStatus.HOLD:
                self._error(row, "release_date", f"only stock on hold has a release date, not {row['status'].value} stock")
            elif row["hold_date"] is not None and row["status"] is StockStatus.AVAILABLE:
                self._error(row, "hold_date", "available stock is not on hold")
            elif row["status"] is StockStatus.AVAILABLE:
                available_rows.append(row)
            else:
                held.append(HeldStock(row["item_id"], row["on_hand"], row["status"], row["release_date"], row["hold_date"]))
        available = {row["item_id"]: row["on_hand"] for row in self._unique(available_rows, "item_id")}
        return available, tuple(held)

    def _quality_events(self, items: dict[str, Item], orders: tuple[SalesOrder, ...]) -> tuple[QualityEvent, ...]:
        known_orders = {o.order_id for o in orders}
        result = []
        for row in self._unique(self.rows["quality_events.csv"], "event_id"):
            if not self._known(row, "item_id", items, "item"):
                continue
            if row["order_id"] and row["order_id"] not in known_orders:
                self.findings.warn(row.file, row.line, "order_id", f"{row['order_id']!r} is not in sales_orders.csv")
            result.append(QualityEvent(row["event_id"], row["date"], row["kind"], row["item_id"], row["order_id"],
                                       row["customer_id"], row["qty"], row["status"], row["note"]))
        return tuple(result)

    def _purchase_orders(self, items: dict[str, Item]) -> tuple[PurchaseOrder, ...]:
        return tuple(
            PurchaseOrder(row["po_id"], row["item_id"], row["qty"], row["due_date"])
            for row in self._unique(self.rows["purchase_orders.csv"], "po_id")
            if self._known(row, "item_id", items, "item")
        )

    def _work_orders(self, items: dict[str, Item], resources: dict[str, Resource]) -> tuple[WorkOrder, ...]:
        result = []
        for row in self._unique(self.rows["work_orders.csv"], "wo_id"):
            known = self._known(row, "item_id", items, "item")
            known = self._known(row, "resource_id", resources, "resource") and known
            if not known:
                continue
            if row["end"] <= row["start"] and row["status"] is not WorkOrderStatus.DONE:
                self._error(row, "end", "end must be after start")
                continue
            result.append(WorkOrder(row["wo_id"], row["item_id"], row["qty"], row["resource_id"], row["start"], row["end"], row["status"]))
        return tuple(result)

    def _sales_orders(self, items: dict[str, Item], users: dict[str, User]) -> tuple[SalesOrder, ...]:
        result = []
        for row in self._unique(self.rows["sales_orders.csv"], "order_id"):
            if not self._known(row, "item_id", items, "item"):
                continue
            if row["owner"] and row["owner"] not in users:
                self.findings.warn(row.file, row.line, "owner", f"{row['owner']!r} is not in users.csv")
            if row["status"] is OrderStatus.SHIPPED and row["shipped_date"] is None:
                self.findings.warn(row.file, row.line, "shipped_date", "shipped order without a shipped date is left out of delivery KPIs")
            result.append(
                SalesOrder(
                    order_id=row["order_id"],
                    customer=row["customer"],
                    item_id=row["item_id"],
                    qty=row["qty"],
                    requested_date=row["requested_date"],
                    promised_date=row["promised_date"],
                    priority=row["priority"],
                    status=row["status"],
                    shipped_date=row["shipped_date"],
                    shipped_qty=row["shipped_qty"],
                    owner=row["owner"],
                )
            )
        return tuple(result)

    def _forecast(self, items: dict[str, Item]) -> tuple[ForecastEntry, ...]:
        seen: dict[tuple[str, object], int] = {}
        result = []
        for row in self.rows["forecast.csv"]:
            if not self._known(row, "item_id", items, "item"):
                continue
            key = (row["item_id"], row["period_start"])
            if key in seen:
                self._error(row, "period_start", f"duplicate forecast for {key[0]} on {key[1]} (first on line {seen[key]})")
                continue
            seen[key] = row.line
            result.append(ForecastEntry(row["item_id"], row["period_start"], row["qty"]))
        return tuple(result)
