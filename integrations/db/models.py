"""SQLAlchemy 2 table models. One database holds one plant; alembic owns the schema."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    Unicode,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class PlantRow(Base):
    """The single plant this database holds; `version` changes whenever plant data does."""

    __tablename__ = "plant"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer, default=1)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ItemRow(Base):
    __tablename__ = "items"
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(8))
    uom: Mapped[str] = mapped_column(String(20))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    safety_stock: Mapped[float] = mapped_column(Float)
    min_lot: Mapped[float] = mapped_column(Float)
    lot_multiple: Mapped[float] = mapped_column(Float)
    aliases: Mapped[str] = mapped_column(Text, default="")  # ';'-separated, as in the CSV


class BomLineRow(Base):
    __tablename__ = "bom_lines"
    parent_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), primary_key=True)
    component_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), primary_key=True)
    qty_per: Mapped[float] = mapped_column(Float)
    scrap_pct: Mapped[float] = mapped_column(Float)


class RoutingStepRow(Base):
    __tablename__ = "routing_steps"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_ids: Mapped[str] = mapped_column(Text)  # '|'-separated alternatives, as in the CSV
    setup_minutes: Mapped[float] = mapped_column(Float)
    run_minutes_per_unit: Mapped[float] = mapped_column(Float)
    setup_family: Mapped[str | None] = mapped_column(String(100))
    yield_pct: Mapped[float] = mapped_column(Float, default=100.0, server_default="100")


class SetupChangeRow(Base):
    """One entry of the set-up matrix (setup_matrix.csv)."""

    __tablename__ = "setup_changes"
    from_family: Mapped[str] = mapped_column(String(100), primary_key=True)
    to_family: Mapped[str] = mapped_column(String(100), primary_key=True)
    setup_minutes: Mapped[float] = mapped_column(Float)


class CalendarShiftRow(Base):
    __tablename__ = "calendar_shifts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    calendar_id: Mapped[str] = mapped_column(String(100), index=True)
    weekday: Mapped[str] = mapped_column(String(3))
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)


class CalendarExceptionRow(Base):
    __tablename__ = "calendar_exceptions"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    calendar_id: Mapped[str] = mapped_column(String(100), index=True)
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    start: Mapped[time | None] = mapped_column(Time)
    end: Mapped[time | None] = mapped_column(Time)


class ResourceRow(Base):
    __tablename__ = "resources"
    resource_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    calendar_id: Mapped[str] = mapped_column(String(100))
    units: Mapped[int] = mapped_column(Integer)
    aliases: Mapped[str] = mapped_column(Text, default="")


class InventoryRow(Base):
    __tablename__ = "inventory"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), primary_key=True)
    on_hand: Mapped[float] = mapped_column(Float)


class HeldStockRow(Base):
    """A lot of stock quality holds (inventory.csv rows with status hold or quarantine)."""

    __tablename__ = "held_stock"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    qty: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12))
    release_date: Mapped[date | None] = mapped_column(Date)
    hold_date: Mapped[date | None] = mapped_column(Date)


class QualityEventRow(Base):
    """A complaint, return or non-conformance (quality_events.csv, or logged from chat or the CLI)."""

    __tablename__ = "quality_events"
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(100))
    customer_id: Mapped[str | None] = mapped_column(String(300))
    qty: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)


class PurchaseOrderRow(Base):
    __tablename__ = "purchase_orders"
    po_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"))
    qty: Mapped[float] = mapped_column(Float)
    due_date: Mapped[date] = mapped_column(Date)


class WorkOrderRow(Base):
    __tablename__ = "work_orders"
    wo_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"))
    qty: Mapped[float] = mapped_column(Float)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.resource_id"))
    start: Mapped[datetime] = mapped_column(DateTime)  # plant-local wall clock
    end: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10))


class SalesOrderRow(Base):
    __tablename__ = "sales_orders"
    order_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    customer: Mapped[str] = mapped_column(String(300))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"))
    qty: Mapped[float] = mapped_column(Float)
    requested_date: Mapped[date] = mapped_column(Date)
    promised_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), index=True)
    shipped_date: Mapped[date | None] = mapped_column(Date)
    shipped_qty: Mapped[float | None] = mapped_column(Float)
    owner: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default="import")  # import, booking
    # set when an approved change made the order late: to be re-promised
    projected_date: Mapped[date | None] = mapped_column(Date)
    repromise_request: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OrderEventRow(Base):
    """The order journal: every booking and approved change after the last import, in order.

    Each `serve` process keeps its resident promise state current by replaying what is
    newer than what it has applied; a fresh process replays all of it onto the imported
    orders. An import empties it (the new plant is the new base)."""

    __tablename__ = "order_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # book, rush, change, cancel
    order_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ForecastRow(Base):
    __tablename__ = "forecast"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    qty: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="import")  # import, statistical


class UserRow(Base):
    __tablename__ = "users"
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(2))
    feishu_id: Mapped[str | None] = mapped_column(String(100))


class ChangeRequestRow(Base):
    """A rush, change or cancellation waiting for a production lead's decision."""

    __tablename__ = "change_requests"
    request_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # rush, change, cancel
    order_id: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    impact: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending, approved, rejected
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    plant_version: Mapped[int] = mapped_column(Integer)  # the data the impact was computed on


class AuditEntryRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ScheduleRunRow(Base):
    """A saved finite-capacity schedule; the newest one feeds the digest and utilisation KPIs."""

    __tablename__ = "schedule_runs"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    as_of: Mapped[date] = mapped_column(Date)
    plant_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class ConversationRow(Base):
    """Slots remembered per chat thread, so follow-ups can reuse them."""

    __tablename__ = "conversations"
    thread_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DigestSubscriptionRow(Base):
    """A digest posted to a channel at a local time, daily or weekly, with the sections of its audience."""

    __tablename__ = "digest_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(100))
    at: Mapped[str] = mapped_column(String(5))  # HH:MM
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    weekday: Mapped[str | None] = mapped_column(String(3))  # None: every day
    sections: Mapped[list[Any]] = mapped_column(JSON)
    owner: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DigestClaimRow(Base):
    """Who posts a subscription's digest of one period: the primary key makes the claim unique,
    the lease lets another worker take over when the holder died."""

    __tablename__ = "digest_claims"
    subscription_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    holder: Mapped[str] = mapped_column(String(100))
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ChatReceiptRow(Base):
    """A chat event or click by its platform key (event id, message + action): the primary key makes
    handling it exactly once; the lease lets a retry take over from a handler that died."""

    __tablename__ = "chat_receipts"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer)
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)


class JobRow(Base):
    """A background job (schedule, MRP, forecast, digest, promise-state rebuild) and its result."""

    __tablename__ = "jobs"
    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    reply_channel: Mapped[str | None] = mapped_column(String(100))
    reply_thread: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    result_posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ScheduledJobRow(Base):
    """APScheduler's SQLAlchemy job store (its own layout), kept in the application database so that
    a subscription's next run survives restarts; alembic creates it like every other table."""

    __tablename__ = "apscheduler_jobs"
    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


Index("ix_sales_orders_item", SalesOrderRow.item_id)
Index("ix_audit_subject", AuditEntryRow.subject)

PLANT_TABLES: tuple[type[Base], ...] = (
    # children before parents, so deleting in this order respects foreign keys
    BomLineRow,
    RoutingStepRow,
    SetupChangeRow,
    InventoryRow,
    HeldStockRow,
    QualityEventRow,
    PurchaseOrderRow,
    WorkOrderRow,
    OrderEventRow,
    SalesOrderRow,
    ForecastRow,
    ItemRow,
    ResourceRow,
    CalendarShiftRow,
    CalendarExceptionRow,
    UserRow,
    PlantRow,
)
