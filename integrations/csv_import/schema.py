"""The plant folder format of CONTRACT section 1, as data: files, columns, parsers, defaults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from integrations.csv_import import fields as f
from planning_core.model import (
    ExceptionKind,
    ItemType,
    Language,
    OrderStatus,
    Priority,
    QualityEventKind,
    QualityEventStatus,
    Role,
    StockStatus,
    Weekday,
    WorkOrderStatus,
)

REQUIRED = object()  # marks a column without a default


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], object]
    default: object = REQUIRED  # REQUIRED, or the value an empty/absent cell takes
    may_omit: bool = False  # the whole column may be missing even though cells are required when present

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    optional: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


qty = f.number(minimum=0.0, strict=True)
non_negative = f.number(minimum=0.0)
# sizes of the database columns (integrations/db/models.py): longer text would fail only on PostgreSQL
ID_LENGTH, NAME_LENGTH, UOM_LENGTH = 100, 300, 20
an_id = f.bounded_text(ID_LENGTH)
a_name = f.bounded_text(NAME_LENGTH)

CALENDARS = FileSpec(
    "calendars.csv",
    (
        Column("calendar_id", an_id),
        Column("weekday", f.choice(Weekday)),
        Column("start", f.clock_time),
        Column("end", f.clock_time),
    ),
)
CALENDAR_EXCEPTIONS = FileSpec(
    "calendar_exceptions.csv",
    (
        Column("calendar_id", an_id),
        Column("date", f.iso_date),
        Column("kind", f.choice(ExceptionKind)),
        Column("start", f.clock_time, None),
        Column("end", f.clock_time, None),
    ),
    optional=True,
)
RESOURCES = FileSpec(
    "resources.csv",
    (
        Column("resource_id", an_id),
        Column("name", a_name, None),
        Column("calendar_id", an_id),
        Column("units", f.integer(minimum=1), 1),
        Column("aliases", f.id_list, ()),
    ),
)
ITEMS = FileSpec(
    "items.csv",
    (
        Column("item_id", an_id),
        Column("name", a_name, None),
        Column("type", f.choice(ItemType)),
        Column("uom", f.bounded_text(UOM_LENGTH), "pcs"),
        Column("lead_time_days", f.integer(minimum=0), 0),
        Column("safety_stock", non_negative, 0.0),
        Column("min_lot", non_negative, 0.0),
        Column("lot_multiple", qty, 1.0),
        Column("aliases", f.id_list, ()),
    ),
)
BOM = FileSpec(
    "bom.csv",
    (
        Column("parent_id", an_id),
        Column("component_id", an_id),
        Column("qty_per", qty),
        Column("scrap_pct", f.number(minimum=0.0), 0.0),
    ),
)
ROUTINGS = FileSpec(
    "routings.csv",
    (
        Column("item_id", an_id),
        Column("step", f.integer(minimum=0)),
        Column("resource_id", f.text),
        Column("setup_minutes", non_negative, 0.0),
        Column("run_minutes_per_unit", non_negative, 0.0),
        Column("setup_family", an_id, None),
        Column("yield_pct", f.number(minimum=0.0, strict=True), 100.0),
    ),
)
SETUP_MATRIX = FileSpec(
    "setup_matrix.csv",
    (
        Column("from_family", an_id),
        Column("to_family", an_id),
        Column("setup_minutes", non_negative),
    ),
    optional=True,
)
INVENTORY = FileSpec(
    "inventory.csv",
    (
        Column("item_id", an_id),
        Column("on_hand", non_negative),
        Column("status", f.choice(StockStatus), StockStatus.AVAILABLE),
        Column("release_date", f.iso_date, None),
        Column("hold_date", f.iso_date, None),
    ),
)
PURCHASE_ORDERS = FileSpec(
    "purchase_orders.csv",
    (
        Column("po_id", an_id),
        Column("item_id", an_id),
        Column("qty", qty),
        Column("due_date", f.iso_date),
    ),
    optional=True,
)
WORK_ORDERS = FileSpec(
    "work_orders.csv",
    (
        Column("wo_id", an_id),
        Column("item_id", an_id),
        Column("qty", qty),
        Column("resource_id", an_id),
        Column("start", f.iso_datetime),
        Column("end", f.iso_datetime),
        Column("status", f.choice(WorkOrderStatus), WorkOrderStatus.RELEASED),
    ),
    optional=True,
)
SALES_ORDERS = FileSpec(
    "sales_orders.csv",
    (
        Column("order_id", an_id),
        Column("customer", a_name),
        Column("item_id", an_id),
        Column("qty", qty),
        Column("requested_date", f.iso_date),
        Column("promised_date", f.iso_date, None),
        Column("priority", f.choice(Priority), Priority.NORMAL),
        Column("status", f.choice(OrderStatus), OrderStatus.CONFIRMED),
        Column("shipped_date", f.iso_date, None),
        Column("shipped_qty", non_negative, None),
        Column("owner", an_id, None),
    ),
)
FORECAST = FileSpec(
    "forecast.csv",
    (Column("item_id", an_id), Column("period_start", f.iso_date), Column("qty", non_negative)),
    optional=True,
)
USERS = FileSpec(
    "users.csv",
    (
        Column("user_id", an_id),
        Column("name", a_name, None),
        Column("role", f.choice(Role)),
        Column("language", f.choice(Language), Language.EN),
        Column("feishu_id", an_id, None),
    ),
)

NOTE_LENGTH = 1000
QUALITY_EVENTS = FileSpec(
    "quality_events.csv",
    (
        Column("event_id", an_id),
        Column("date", f.iso_date),
        Column("kind", f.choice(QualityEventKind)),
        Column("item_id", an_id),
        Column("order_id", an_id, None),
        Column("customer_id", a_name, None),
        Column("qty", non_negative, 0.0),
        Column("status", f.choice(QualityEventStatus), QualityEventStatus.OPEN),
        Column("note", f.bounded_text(NOTE_LENGTH), None),
    ),
    optional=True,
)

ALL_FILES: tuple[FileSpec, ...] = (
    CALENDARS,
    CALENDAR_EXCEPTIONS,
    RESOURCES,
    ITEMS,
    BOM,
    ROUTINGS,
    SETUP_MATRIX,
    INVENTORY,
    PURCHASE_ORDERS,
    WORK_ORDERS,
    SALES_ORDERS,
    FORECAST,
    USERS,
    QUALITY_EVENTS,
)
