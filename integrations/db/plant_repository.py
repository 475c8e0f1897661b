"""Stores a `PlantSnapshot` in the database and loads it back, fast (Core, not ORM objects)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from integrations.db import models as m
from planning_core.model import (
    BomLine,
    Calendar,
    CalendarException,
    ExceptionKind,
    ForecastEntry,
    HeldStock,
    Item,
    ItemType,
    Language,
    OrderStatus,
    PlantInfo,
    PlantSnapshot,
    Priority,
    PurchaseOrder,
    QualityEvent,
    QualityEventKind,
    QualityEventStatus,
    Resource,
    Role,
    RoutingStep,
    SalesOrder,
    SetupChange,
    ShiftInterval,
    StockStatus,
    User,
    Weekday,
    WorkOrder,
    WorkOrderStatus,
)

_INSERT_CHUNK = 5_000


class NoPlantError(LookupError):
    """The database holds no plant yet."""


class SqlPlantRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def exists(self) -> bool:
        return self.session.scalar(select(func.count()).select_from(m.PlantRow)) == 1

    def version(self) -> int:
        version = self.session.scalar(select(m.PlantRow.version))
        if version is None:
            raise NoPlantError("no plant loaded")
        return int(version)

    def identity(self) -> str:
        row = self.session.execute(select(m.PlantRow.version, m.PlantRow.imported_at)).first()
        if row is None:
            raise NoPlantError("no plant loaded")
        return f"v{row.version}-{row.imported_at:%Y%m%dT%H%M%S%f}"

    def bump_version(self) -> int:
        self.session.execute(update(m.PlantRow).values(version=m.PlantRow.version + 1))
        return self.version()

    def replace(self, snapshot: PlantSnapshot, *, at: datetime) -> None:
        """Swap the whole plant for `snapshot`; atomic with the caller's transaction."""
        old_version = self.session.scalar(select(m.PlantRow.version)) or 0
        for table in m.PLANT_TABLES:
            self.session.execute(delete(table))
        self.session.execute(
            insert(m.PlantRow).values(
                id=1,
                name=snapshot.plant.name,
                timezone=snapshot.plant.timezone,
                country=snapshot.plant.country,
                version=old_version + 1,
                imported_at=at,
            )
        )
        for model, rows in _rows_of(snapshot):
            for start in range(0, len(rows), _INSERT_CHUNK):
                self.session.execute(insert(model), rows[start : start + _INSERT_CHUNK])

    def load(self) -> PlantSnapshot:
        plant_row = self.session.execute(select(m.PlantRow.__table__)).first()
        if plant_row is None:
            raise NoPlantError("no plant loaded")
        return PlantSnapshot(
            plant=PlantInfo(plant_row.name, plant_row.timezone, plant_row.country),
            items={r.item_id: _item(r) for r in self._all(m.ItemRow)},
            bom=tuple(BomLine(r.parent_id, r.component_id, r.qty_per, r.scrap_pct) for r in self._all(m.BomLineRow)),
            routings=tuple(_routing_step(r) for r in self._all(m.RoutingStepRow)),
            calendars=self._calendars(),
            resources={r.resource_id: _resource(r) for r in self._all(m.ResourceRow)},
            inventory={r.item_id: r.on_hand for r in self._all(m.InventoryRow)},
            purchase_orders=tuple(
                PurchaseOrder(r.po_id, r.item_id, r.qty, r.due_date) for r in self._all(m.PurchaseOrderRow)
            ),
            work_orders=tuple(
                WorkOrder(r.wo_id, r.item_id, r.qty, r.resource_id, r.start, r.end, WorkOrderStatus(r.status))
                for r in self._all(m.WorkOrderRow)
            ),
            sales_orders=tuple(sales_order(r) for r in self._all(m.SalesOrderRow)),
            forecast=tuple(ForecastEntry(r.item_id, r.period_start, r.qty) for r in self._all(m.ForecastRow)),
            users={r.user_id: User(r.user_id, r.name, Role(r.role), Language(r.language), r.feishu_id)
                   for r in self._all(m.UserRow)},
            setup_matrix=tuple(
                SetupChange(r.from_family, r.to_family, r.setup_minutes) for r in self._all(m.SetupChangeRow)
            ),
            held_stock=tuple(
                HeldStock(r.item_id, r.qty, StockStatus(r.status), r.release_date, r.hold_date)
                for r in self._all(m.HeldStockRow)
            ),
            quality_events=tuple(quality_event(r) for r in self._all(m.QualityEventRow)),
        )

    def _all(self, model: type[m.Base]) -> list[Any]:
        table = m.Base.metadata.tables[model.__tablename__]
        return list(self.session.execute(select(table).order_by(*table.primary_key.columns)))

    def _calendars(self) -> dict[str, Calendar]:
        shifts: dict[str, list[ShiftInterval]] = defaultdict(list)
        for r in self._all(m.CalendarShiftRow):
            shifts[r.calendar_id].append(ShiftInterval(Weekday(r.weekday), r.start, r.end))
        exceptions: dict[str, list[CalendarException]] = defaultdict(list)
        for r in self._all(m.CalendarExceptionRow):
            exceptions[r.calendar_id].append(CalendarException(r.calendar_id, r.date, ExceptionKind(r.kind), r.start, r.end))
        return {cid: Calendar(cid, tuple(s), tuple(exceptions.get(cid, ()))) for cid, s in shifts.items()}


def _item(r: Any) -> Item:
    return Item(
        item_id=r.item_id,
        name=r.name,
        type=ItemType(r.type),
        uom=r.uom,
        lead_time_days=r.lead_time_days,
        safety_stock=r.safety_stock,
        min_lot=r.min_lot,
        lot_multiple=r.lot_multiple,
        aliases=_split(r.aliases, ";"),
    )


def _routing_step(r: Any) -> RoutingStep:
    return RoutingStep(r.item_id, r.step, _split(r.resource_ids, "|"), r.setup_minutes, r.run_minutes_per_unit,
                       r.setup_family, r.yield_pct)


def quality_event(r: Any) -> QualityEvent:
    return QualityEvent(r.event_id, r.date, QualityEventKind(r.kind), r.item_id, r.order_id, r.customer_id, r.qty,
                        QualityEventStatus(r.status), r.note)


def quality_event_values(e: QualityEvent) -> dict[str, Any]:
    """Column values of one quality event row (also used when one is logged)."""
    return {
        "event_id": e.event_id, "date": e.date, "kind": e.kind.value, "item_id": e.item_id, "order_id": e.order_id,
        "customer_id": e.customer_id, "qty": e.qty, "status": e.status.value, "note": e.note,
    }


def _resource(r: Any) -> Resource:
    return Resource(r.resource_id, r.name, r.calendar_id, r.units, _split(r.aliases, ";"))


def sales_order(r: Any) -> SalesOrder:
    return SalesOrder(
        order_id=r.order_id,
        customer=r.customer,
        item_id=r.item_id,
        qty=r.qty,
        requested_date=r.requested_date,
        promised_date=r.promised_date,
        priority=Priority(r.priority),
        status=OrderStatus(r.status),
        shipped_date=r.shipped_date,
        shipped_qty=r.shipped_qty,
        owner=r.owner,
        projected_date=r.projected_date,
        repromise_request=r.repromise_request,
    )


def sales_order_values(order: SalesOrder) -> dict[str, Any]:
    """Column values of one sales order row (also used when booking a new order)."""
    return {
        "order_id": order.order_id,
        "customer": order.customer,
        "item_id": order.item_id,
        "qty": order.qty,
        "requested_date": order.requested_date,
        "promised_date": order.promised_date,
        "priority": order.priority.value,
        "status": order.status.value,
        "shipped_date": order.shipped_date,
        "shipped_qty": order.shipped_qty,
        "owner": order.owner,
        "projected_date": order.projected_date,
        "repromise_request": order.repromise_request,
    }


def _split(value: str, separator: str) -> tuple[str, ...]:
    return tuple(part for part in value.split(separator) if part) if value else ()


def _rows_of(s: PlantSnapshot) -> list[tuple[type[m.Base], list[dict[str, Any]]]]:
    """Insert rows per table, parents before children."""
    return [
        (m.CalendarShiftRow, [
            {"calendar_id": c.calendar_id, "weekday": sh.weekday.value, "start": sh.start, "end": sh.end}
            for c in s.calendars.values() for sh in c.shifts
        ]),
        (m.CalendarExceptionRow, [
            {"calendar_id": e.calendar_id, "date": e.date, "kind": e.kind.value, "start": e.start, "end": e.end}
            for c in s.calendars.values() for e in c.exceptions
        ]),
        (m.ResourceRow, [
            {"resource_id": r.resource_id, "name": r.name, "calendar_id": r.calendar_id, "units": r.units, "aliases": ";".join(r.aliases)}
            for r in s.resources.values()
        ]),
        (m.ItemRow, [
            {
                "item_id": i.item_id, "name": i.name, "type": i.type.value, "uom": i.uom,
                "lead_time_days": i.lead_time_days, "safety_stock": i.safety_stock, "min_lot": i.min_lot,
                "lot_multiple": i.lot_multiple, "aliases": ";".join(i.aliases),
            }
            for i in s.items.values()
        ]),
        (m.UserRow, [
            {"user_id": u.user_id, "name": u.name, "role": u.role.value, "language": u.language.value,
             "feishu_id": u.feishu_id}
            for u in s.users.values()
        ]),
        (m.BomLineRow, [
            {"parent_id": b.parent_id, "component_id": b.component_id, "qty_per": b.qty_per, "scrap_pct": b.scrap_pct}
            for b in s.bom
        ]),
        (m.RoutingStepRow, [
            {
                "item_id": r.item_id, "step": r.step, "resource_ids": "|".join(r.resource_ids),
                "setup_minutes": r.setup_minutes, "run_minutes_per_unit": r.run_minutes_per_unit,
                "setup_family": r.setup_family, "yield_pct": r.yield_pct,
            }
            for r in s.routings
        ]),
        (m.SetupChangeRow, [
            {"from_family": c.from_family, "to_family": c.to_family, "setup_minutes": c.setup_minutes}
            for c in s.setup_matrix
        ]),
        (m.InventoryRow, [{"item_id": k, "on_hand": v} for k, v in s.inventory.items()]),
        (m.HeldStockRow, [
            {"item_id": h.item_id, "qty": h.qty, "status": h.status.value, "release_date": h.release_date,
             "hold_date": h.hold_date}
            for h in s.held_stock
        ]),
        (m.QualityEventRow, [quality_event_values(e) for e in s.quality_events]),
        (m.PurchaseOrderRow, [
            {"po_id": p.po_id, "item_id": p.item_id, "qty": p.qty, "due_date": p.due_date} for p in s.purchase_orders
        ]),
        (m.WorkOrderRow, [
            {
                "wo_id": w.wo_id, "item_id": w.item_id, "qty": w.qty, "resource_id": w.resource_id,
                "start": w.start, "end": w.end, "status": w.status.value,
            }
            for w in s.work_orders
        ]),
        (m.SalesOrderRow, [sales_order_values(o) for o in s.sales_orders]),
        (m.ForecastRow, [
            {"item_id": f.item_id, "period_start": f.period_start, "qty": f.qty} for f in s.forecast
        ]),
    ]
