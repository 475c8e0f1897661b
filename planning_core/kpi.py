"""Delivery, backlog, capacity and forecast KPIs, each with the list of orders behind it.

Definitions (docs/kpi.md has them with worked examples):

- A *shipped* order has status `shipped` and a `shipped_date`; it ships *in a window of N
  days ending on the as-of date* when as_of - N < shipped_date <= as_of.
- *On time*: shipped_date <= due date (promised date, else requested date).
  *In full*: shipped quantity (`shipped_qty`, else `qty`) >= `qty`.
- OTD = on-time shipped orders / shipped orders in the window; OTIF = on time and in full /
  shipped orders. Both are None when nothing shipped in the window.
- *Backlog*: open orders (status `confirmed`). *Late open*: backlog orders whose due date is
  before the as-of date. *At risk*: backlog orders not yet late that MRP pegs to a shortage of
  one of their parts (not of the ordered item itself).
- Utilisation: see `rough_cut_utilization` and `saved_utilization`.
- Forecast accuracy: see `forecast_accuracy`.
- Quality (first-pass yield, complaints and returns per 1,000 shipped, held stock, open NCRs):
  see `planning_core.quality.QualityKpis`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from planning_core.calendars import Interval, TimeAxis, working_minutes
from planning_core.model import OrderStatus, PlantSnapshot, SalesOrder, WorkOrderStatus
from planning_core.mrp import PlannedOrder, Shortage
from planning_core.mrp.inputs import forecast_periods
from planning_core.quality import QualityKpis, quality_kpis

TREND_WEEKS = 8
ACCURACY_WEEKS = 8
UTILIZATION_DAYS = 14


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


# -- deliveries ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShippedLine:
    order_id: str
    customer: str
    item_id: str
    qty: float
    shipped_qty: float
    due_date: date
    shipped_date: date

    @property
    def days_late(self) -> int:
        return max(0, (self.shipped_date - self.due_date).days)

    @property
    def on_time(self) -> bool:
        return self.shipped_date <= self.due_date

    @property
    def in_full(self) -> bool:
        return self.shipped_qty >= self.qty - 1e-9

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id, "customer": self.customer, "item_id": self.item_id, "qty": self.qty,
            "shipped_qty": self.shipped_qty, "due_date": self.due_date.isoformat(),
            "shipped_date": self.shipped_date.isoformat(), "days_late": self.days_late,
            "on_time": self.on_time, "in_full": self.in_full,
        }


@dataclass(frozen=True)
class DeliveryWindow:
    """Orders shipped in (first - 1 day, last]: `first` and `last` are both inside."""

    first: date
    last: date
    shipped: tuple[ShippedLine, ...]

    @property
    def on_time(self) -> int:
        return sum(line.on_time for line in self.shipped)

    @property
    def on_time_in_full(self) -> int:
        return sum(line.on_time and line.in_full for line in self.shipped)

    @property
    def otd(self) -> float | None:
        return _ratio(self.on_time, len(self.shipped))

    @property
    def otif(self) -> float | None:
        return _ratio(self.on_time_in_full, len(self.shipped))

    def to_json(self) -> dict[str, Any]:
        return {
            "first_day": self.first.isoformat(), "last_day": self.last.isoformat(), "shipped": len(self.shipped),
            "on_time": self.on_time, "on_time_in_full": self.on_time_in_full, "otd": self.otd, "otif": self.otif,
        }


def delivery_window(snapshot: PlantSnapshot, *, last: date, days: int) -> DeliveryWindow:
    """Orders shipped in the `days` days ending on `last` (inclusive)."""
    first = last - timedelta(days=days - 1)
    lines = [
        ShippedLine(
            o.order_id, o.customer, o.item_id, o.qty,
            o.shipped_qty if o.shipped_qty is not None else o.qty, o.due_date, o.shipped_date,
        )
        for o in snapshot.sales_orders
        if o.status is OrderStatus.SHIPPED and o.shipped_date is not None and first <= o.shipped_date <= last
    ]
    return DeliveryWindow(first, last, tuple(sorted(lines, key=lambda s: (s.shipped_date, s.order_id))))


def weekly_trend(snapshot: PlantSnapshot, *, as_of: date, weeks: int = TREND_WEEKS) -> list[DeliveryWindow]:
    """Seven-day windows ending on the as-of date and the `weeks - 1` weeks before it, oldest first."""
    return [delivery_window(snapshot, last=as_of - timedelta(days=7 * k), days=7) for k in reversed(range(weeks))]


# -- open orders -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenLine:
    order_id: str
    customer: str
    item_id: str
    qty: float
    due_date: date
    days_late: int  # days past due on the as-of date (0 when not late)
    short_items: tuple[str, ...] = ()  # items MRP finds short for this order

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id, "customer": self.customer, "item_id": self.item_id, "qty": self.qty,
            "due_date": self.due_date.isoformat(), "days_late": self.days_late, "short_items": list(self.short_items),
        }


def _open_line(order: SalesOrder, as_of: date, short_items: Sequence[str] = ()) -> OpenLine:
    late = max(0, (as_of - order.due_date).days)
    return OpenLine(order.order_id, order.customer, order.item_id, order.qty, order.due_date, late, tuple(short_items))


def open_lines(snapshot: PlantSnapshot, *, as_of: date, shortages: Sequence[Shortage]) -> dict[str, list[OpenLine]]:
    """The backlog, its late orders and the orders at risk, each sorted by due date."""
    # Parts the order needs: a shortage of the order's own item is its timing, which the promise
    # engine answers ("will miss its promise on finite capacity"), not material at risk.
    item_of = {o.order_id: o.item_id for o in snapshot.open_orders}
    short_for: dict[str, list[str]] = defaultdict(list)
    for s in shortages:
        for order_id in s.orders:
            if s.item_id not in short_for[order_id] and s.item_id != item_of.get(order_id):
                short_for[order_id].append(s.item_id)
    backlog = sorted(snapshot.open_orders, key=lambda o: (o.due_date, o.order_id))
    return {
        "backlog": [_open_line(o, as_of, short_for.get(o.order_id, ())) for o in backlog],
        "late_open": [_open_line(o, as_of, short_for.get(o.order_id, ())) for o in backlog if o.due_date < as_of],
        "at_risk": [
            _open_line(o, as_of, short_for[o.order_id])
            for o in backlog if o.due_date >= as_of and short_for.get(o.order_id)
        ],
    }


# -- utilisation -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResourceLoad:
    resource_id: str
    utilization: float | None  # 0..1; None when the resource has no working time in the window
    load_minutes: float | None = None  # rough cut only
    available_minutes: float | None = None
    load_ratio: float | None = None  # load / available, not capped: above 1 means overloaded

    def to_json(self) -> dict[str, Any]:
        return {
            "resource_id": self.resource_id, "utilization": self.utilization,
            "load_minutes": None if self.load_minutes is None else round(self.load_minutes, 1),
            "available_minutes": None if self.available_minutes is None else round(self.available_minutes, 1),
            "load_ratio": self.load_ratio,
            "overloaded": self.load_ratio is not None and self.load_ratio > 1.0,
        }


@dataclass(frozen=True)
class Utilization:
    source: str  # "schedule" or "rough_cut"
    resources: tuple[ResourceLoad, ...]
    note: str = ""

    def by_resource(self) -> dict[str, float | None]:
        return {r.resource_id: r.utilization for r in self.resources}


def saved_utilization(document: Mapping[str, Any], snapshot: PlantSnapshot, *, note: str = "") -> Utilization:
    """Utilisation from a saved `planbridge schedule` document (its `resources` list)."""
    values = {r["resource_id"]: r.get("utilization_next_14_days") for r in document.get("resources", [])}
    loads = tuple(
        ResourceLoad(rid, None if values.get(rid) is None else round(float(values[rid]), 4))
        for rid in sorted(snapshot.resources)
    )
    return Utilization("schedule", loads, note)


def rough_cut_utilization(
    snapshot: PlantSnapshot, *, as_of: date, planned: Sequence[PlannedOrder], days: int = UTILIZATION_DAYS,
    skip_due_before: date | None = None,
) -> Utilization:
    """Rough-cut load of the next `days` days against the resources' working time.

    Load = (a) the working minutes each released or running work order keeps its resource
    busy inside the window, plus (b) for every MRP planned *make* order due before the
    window ends, setup + run × the units each routing step starts (the quantity over the yields
    from that step on), shared among the step's
    alternative resources in proportion to their available minutes (with `skip_due_before`,
    only those due from that day on: a window that starts later). Available = working
    minutes of the resource's calendar in the window × units. Utilisation is load /
    available capped at 1; `load_ratio` keeps the uncapped value so overloads show.
    """
    axis = TimeAxis(as_of, snapshot.plant.timezone, days)
    window_end = axis.day_start(as_of + timedelta(days=days))
    windows = {
        rid: [(s, min(e, window_end)) for s, e in working_minutes(snapshot.calendars[r.calendar_id],
                                                                   plant=snapshot.plant, axis=axis) if s < window_end]
        for rid, r in snapshot.resources.items()
    }
    available = {rid: snapshot.resources[rid].units * sum(e - s for s, e in w) for rid, w in windows.items()}
    load: dict[str, float] = defaultdict(float)
    for wo in snapshot.work_orders:
        if wo.status is not WorkOrderStatus.DONE and wo.resource_id in windows:
            load[wo.resource_id] += _overlap(axis.to_minutes(wo.start), axis.to_minutes(wo.end), windows[wo.resource_id])
    last_day = as_of + timedelta(days=days)
    for order in planned:
        if order.due_date >= last_day or (skip_due_before is not None and order.due_date < skip_due_before):
            continue  # due after the window, or (a later window) done before it starts
        for step in snapshot.routing_of.get(order.item_id, ()):
            started = order.qty * snapshot.started_per_good(order.item_id, step.step)  # more below 100% yield
            _spread(load, available, step.resource_ids, step.minutes_for(started))
    loads = []
    for rid in sorted(snapshot.resources):
        ratio = _ratio(load[rid], available[rid])
        loads.append(ResourceLoad(
            rid, None if ratio is None else min(1.0, ratio), load[rid], available[rid], ratio,
        ))
    return Utilization("rough_cut", tuple(loads))


def _spread(load: dict[str, float], available: Mapping[str, float], resource_ids: Sequence[str], minutes: float) -> None:
    known = [r for r in resource_ids if r in available]
    total = sum(available[r] for r in known)
    for r in known:
        load[r] += minutes * (available[r] / total if total else 1.0 / len(known))


def _overlap(start: float, end: float, windows: Sequence[Interval]) -> float:
    return sum(max(0.0, min(end, e) - max(start, s)) for s, e in windows)


# -- forecast accuracy -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccuracyLine:
    item_id: str
    period_start: date
    forecast: float
    actual: float

    def to_json(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "period_start": self.period_start.isoformat(),
                "forecast": round(self.forecast, 4), "actual": round(self.actual, 4)}


@dataclass(frozen=True)
class ForecastAccuracy:
    lines: tuple[AccuracyLine, ...]

    @property
    def forecast_total(self) -> float:
        return sum(line.forecast for line in self.lines)

    @property
    def actual_total(self) -> float:
        return sum(line.actual for line in self.lines)

    @property
    def wape(self) -> float | None:
        return _ratio(sum(abs(line.forecast - line.actual) for line in self.lines), self.actual_total)

    @property
    def bias(self) -> float | None:
        return _ratio(self.forecast_total - self.actual_total, self.actual_total)

    def to_json(self) -> dict[str, Any]:
        return {
            "wape": self.wape, "bias": self.bias, "periods": len(self.lines),
            "items": len({line.item_id for line in self.lines}),
            "forecast_qty": round(self.forecast_total, 4), "actual_qty": round(self.actual_total, 4),
        }


def forecast_accuracy(snapshot: PlantSnapshot, *, as_of: date, weeks: int = ACCURACY_WEEKS) -> ForecastAccuracy | None:
    """Forecast against actual shipments over the last `weeks` weeks of completed periods.

    A forecast row's period runs from its `period_start` to the item's next one (as in MRP).
    Periods that have ended by the as-of date and started on or after as_of - 7 × weeks
    count. Actual = shipped quantity of the item's orders with a shipped date in the period.
    WAPE = Σ|forecast - actual| / Σ actual; bias = (Σ forecast - Σ actual) / Σ actual.
    None when no such period exists.
    """
    if not snapshot.forecast:
        return None
    fc = forecast_periods(snapshot.forecast)
    start = pd.Timestamp(as_of - timedelta(days=7 * weeks))
    fc = fc[(fc["end"] <= pd.Timestamp(as_of)) & (fc["start"] >= start)]
    if fc.empty:
        return None
    shipped = [o for o in snapshot.sales_orders if o.status is OrderStatus.SHIPPED and o.shipped_date is not None]
    by_item: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for o in shipped:
        assert o.shipped_date is not None
        by_item[o.item_id].append((o.shipped_date, o.shipped_qty if o.shipped_qty is not None else o.qty))
    lines = []
    for item_id, first, end, qty in zip(fc["item_id"], fc["start"], fc["end"], fc["qty"], strict=True):
        begin, stop = first.date(), end.date()
        actual = sum(q for d, q in by_item.get(item_id, ()) if begin <= d < stop)
        lines.append(AccuracyLine(str(item_id), begin, float(qty), float(actual)))
    return ForecastAccuracy(tuple(lines))


# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiReport:
    as_of: date
    period_days: int
    last_30_days: DeliveryWindow
    period: DeliveryWindow
    trend: tuple[DeliveryWindow, ...]
    open: Mapping[str, Sequence[OpenLine]]
    utilization: Utilization
    shortages: tuple[Shortage, ...]
    accuracy: ForecastAccuracy | None
    extra: Mapping[str, Any] = field(default_factory=dict)
    quality: QualityKpis | None = None

    def to_json(self) -> dict[str, Any]:
        late_shipped = [s.to_json() for s in self.last_30_days.shipped if not s.on_time]
        return {
            "as_of": self.as_of.isoformat(),
            "otd_last_30_days": self.last_30_days.otd,
            "otif_last_30_days": self.last_30_days.otif,
            "shipped_last_30_days": len(self.last_30_days.shipped),
            "backlog_orders": len(self.open["backlog"]),
            "late_open_orders": len(self.open["late_open"]),
            "at_risk_orders": len(self.open["at_risk"]),
            "utilization_next_14_days": self.utilization.by_resource(),
            "utilization_source": self.utilization.source,
            "shortages": len(self.shortages),
            "forecast_accuracy": self.accuracy.to_json() if self.accuracy else None,
            **({"quality": self.quality.to_json()} if self.quality is not None else {}),
            "period": {"days": self.period_days, **self.period.to_json()},
            "trend": [w.to_json() for w in self.trend],
            "details": {
                "shipped_last_30_days": [s.to_json() for s in self.last_30_days.shipped],
                "late_shipments_last_30_days": late_shipped,
                **{name: [line.to_json() for line in lines] for name, lines in self.open.items()},
                "shortages": [s.to_json() for s in self.shortages],
                "utilization": [r.to_json() for r in self.utilization.resources],
                "utilization_note": self.utilization.note,
                "forecast_accuracy": [line.to_json() for line in self.accuracy.lines] if self.accuracy else [],
            },
            **self.extra,
        }


def kpi_report(
    snapshot: PlantSnapshot,
    *,
    as_of: date,
    period_days: int = 30,
    shortages: Sequence[Shortage],
    utilization: Utilization,
) -> KpiReport:
    """All KPIs as of a date; MRP shortages and utilisation are computed by the caller."""
    return KpiReport(
        as_of=as_of,
        period_days=period_days,
        last_30_days=delivery_window(snapshot, last=as_of, days=30),
        period=delivery_window(snapshot, last=as_of, days=period_days),
        trend=tuple(weekly_trend(snapshot, as_of=as_of)),
        open=open_lines(snapshot, as_of=as_of, shortages=shortages),
        utilization=utilization,
        shortages=tuple(shortages),
        accuracy=forecast_accuracy(snapshot, as_of=as_of),
        quality=quality_kpis(snapshot, as_of=as_of),
    )
