"""A tiny builder for hand-made plants in material-planning tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from planning_core.model import (
    BomLine,
    Calendar,
    ForecastEntry,
    Item,
    ItemType,
    OrderStatus,
    PlantInfo,
    PlantSnapshot,
    PurchaseOrder,
    Resource,
    RoutingStep,
    SalesOrder,
    ShiftInterval,
    Weekday,
    WorkOrder,
    WorkOrderStatus,
)

MONDAY = date(2027, 1, 4)
WEEKDAYS = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


@dataclass
class PlantBuilder:
    """Mon–Fri 08:00–16:00 calendar "DAY" (480 working minutes a day) and resource "BENCH" by default."""

    timezone: str = "UTC"
    items: dict[str, Item] = field(default_factory=dict)
    bom: list[BomLine] = field(default_factory=list)
    routings: list[RoutingStep] = field(default_factory=list)
    inventory: dict[str, float] = field(default_factory=dict)
    purchase_orders: list[PurchaseOrder] = field(default_factory=list)
    work_orders: list[WorkOrder] = field(default_factory=list)
    sales_orders: list[SalesOrder] = field(default_factory=list)
    forecast: list[ForecastEntry] = field(default_factory=list)
    calendars: dict[str, Calendar] = field(default_factory=lambda: {
        "DAY": Calendar("DAY", tuple(ShiftInterval(d, time(8), time(16)) for d in WEEKDAYS)),
    })
    resources: dict[str, Resource] = field(default_factory=lambda: {"BENCH": Resource("BENCH", "Bench", "DAY")})

    def buy(
        self, item_id: str, *, lead_time_days: int = 0, on_hand: float = 0,
        safety_stock: float = 0, min_lot: float = 0, lot_multiple: float = 1,
    ) -> PlantBuilder:
        self.items[item_id] = Item(
            item_id, item_id.title(), ItemType.BUY, lead_time_days=lead_time_days,
            safety_stock=safety_stock, min_lot=min_lot, lot_multiple=lot_multiple,
        )
        self.inventory[item_id] = on_hand
        return self

    def make(
        self, item_id: str, *, run_minutes: float = 0, setup_minutes: float = 0, resource: str = "BENCH",
        on_hand: float = 0, routing: bool = True, safety_stock: float = 0, min_lot: float = 0, lot_multiple: float = 1,
    ) -> PlantBuilder:
        self.items[item_id] = Item(
            item_id, item_id.title(), ItemType.MAKE, safety_stock=safety_stock, min_lot=min_lot, lot_multiple=lot_multiple,
        )
        self.inventory[item_id] = on_hand
        if routing:
            self.routings.append(RoutingStep(item_id, 10, (resource,), setup_minutes, run_minutes))
        return self

    def uses(self, parent: str, component: str, qty_per: float, scrap_pct: float = 0.0) -> PlantBuilder:
        self.bom.append(BomLine(parent, component, qty_per, scrap_pct))
        return self

    def order(
        self, order_id: str, item_id: str, qty: float, due: date, *, customer: str = "ACME",
        status: OrderStatus = OrderStatus.CONFIRMED, requested: date | None = None,
        shipped: date | None = None, shipped_qty: float | None = None,
    ) -> PlantBuilder:
        self.sales_orders.append(SalesOrder(
            order_id, customer, item_id, qty, requested or due, due, status=status,
            shipped_date=shipped, shipped_qty=shipped_qty,
        ))
        return self

    def po(self, po_id: str, item_id: str, qty: float, due: date) -> PlantBuilder:
        self.purchase_orders.append(PurchaseOrder(po_id, item_id, qty, due))
        return self

    def wo(self, wo_id: str, item_id: str, qty: float, end: datetime, *, status: WorkOrderStatus = WorkOrderStatus.RELEASED) -> PlantBuilder:
        self.work_orders.append(WorkOrder(wo_id, item_id, qty, "BENCH", end.replace(hour=8), end, status))
        return self

    def forecast_qty(self, item_id: str, period_start: date, qty: float) -> PlantBuilder:
        self.forecast.append(ForecastEntry(item_id, period_start, qty))
        return self

    def build(self) -> PlantSnapshot:
        return PlantSnapshot(
            plant=PlantInfo("Test plant", self.timezone),
            items=dict(self.items),
            bom=tuple(self.bom),
            routings=tuple(self.routings),
            calendars=dict(self.calendars),
            resources=dict(self.resources),
            inventory=dict(self.inventory),
            purchase_orders=tuple(self.purchase_orders),
            work_orders=tuple(self.work_orders),
            sales_orders=tuple(self.sales_orders),
            forecast=tuple(self.forecast),
        )
