"""The daily digest: delivery, backlog, late orders, shortages, load per resource and pending requests.

`build_digest` gathers the figures from the KPI and request services into a `Digest`;
rendering it as text, a chat card or a chart is done by pure functions in
`planbridge/presentation/`. Subscriptions and their once-per-period posting are in
`services/subscriptions.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from planbridge.errors import BadRequest
from planbridge.languages import EN, is_known, normalize
from planbridge.records import RequestStatus, StoredRequest
from planbridge.services.context import ServiceContext
from planbridge.services.material import KpiCommand, kpis
from planbridge.services.quoting import order_outlook
from planbridge.services.requests import list_requests
from planning_core.kpi import KpiReport, OpenLine
from planning_core.model import PlantSnapshot
from planning_core.mrp import Shortage
from planning_core.quality import QualityKpis

TOP_SHORTAGES = 5
LISTED_ORDERS = 5


@dataclass(frozen=True)
class DigestCommand:
    as_of: date | None = None
    language: str | None = None  # "en" or "zh"; default: settings.digest_language
    top_shortages: int = TOP_SHORTAGES


@dataclass(frozen=True)
class OrderLine:
    order_id: str
    customer: str
    item_id: str
    qty: float
    due_date: date
    days_late: int
    short_items: tuple[str, ...]


@dataclass(frozen=True)
class ShortageLine:
    item_id: str
    uom: str
    short_from: date
    until: date | None
    qty: float
    orders: tuple[str, ...]
    customers: tuple[str, ...]  # of `orders`, same order


@dataclass(frozen=True)
class ResourceLine:
    resource_id: str
    utilization: float | None  # 0..1
    load_ratio: float | None  # uncapped (rough-cut only): above 1 is overloaded

    @property
    def overloaded(self) -> bool:
        return self.load_ratio is not None and self.load_ratio > 1.0


@dataclass(frozen=True)
class TrendPoint:
    """One seven-day window of shipments, ending on `last_day`."""

    last_day: date
    shipped: int
    on_time: int
    otd: float | None


@dataclass(frozen=True)
class PendingRequest:
    request_id: str
    kind: str
    order_id: str | None
    requested_by: str
    requested_by_name: str
    created_at: datetime
    promise_date: str | None
    impacted: int


@dataclass(frozen=True)
class ProjectedLine:
    """A confirmed order the promise engine sees finishing after its promise (finite capacity)."""

    order_id: str
    customer: str
    item_id: str
    qty: float
    promised_date: date
    projected_date: date | None


@dataclass(frozen=True)
class Digest:
    """Today's figures and the lists behind them; the presentation layer names things in `language`."""

    snapshot: PlantSnapshot
    as_of: date
    language: str
    otd: float | None
    otif: float | None
    shipped: int
    on_time: int
    backlog: int
    late_open: tuple[OrderLine, ...]
    at_risk: tuple[OrderLine, ...]
    shortage_count: int
    top_shortages: tuple[ShortageLine, ...]
    resources: tuple[ResourceLine, ...]
    utilization_source: str
    trend: tuple[TrendPoint, ...]
    pending: tuple[PendingRequest, ...]
    # The same view quotes use: confirmed orders that will miss their promise on finite
    # capacity and real material (empty when the digest is built without the engine).
    projected_late: tuple[ProjectedLine, ...] = ()
    quality: QualityKpis | None = None  # None: the plant has no quality data (no section)

    @property
    def plant_name(self) -> str:
        return self.snapshot.plant.name

    @property
    def timezone(self) -> str:
        return self.snapshot.plant.timezone


def build_digest(cmd: DigestCommand, ctx: ServiceContext) -> Digest:
    """Gather today's figures (one MRP run, inside the KPI service) and the pending requests."""
    language = digest_language(cmd.language or ctx.settings.digest_language)
    if cmd.top_shortages < 0:
        raise BadRequest(f"top_shortages must not be negative, not {cmd.top_shortages}")
    answer = kpis(KpiCommand(as_of=cmd.as_of), ctx)
    pending = list_requests(ctx, status=RequestStatus.PENDING.value, limit=50)
    digest = digest_from(answer.report, answer.snapshot, pending, language=language, top_shortages=cmd.top_shortages)
    late = tuple(
        ProjectedLine(o.order_id, o.customer, o.item_id, o.qty, o.promised_date, o.projected_date)
        for o in order_outlook(ctx, as_of=answer.report.as_of)
        if o.projected_date is None or o.projected_date > o.promised_date
    )
    return replace(digest, projected_late=late)


def digest_from(
    report: KpiReport, snapshot: PlantSnapshot, pending: Sequence[StoredRequest], *, language: str,
    top_shortages: int = TOP_SHORTAGES,
) -> Digest:
    """The digest of a KPI report (pure: no database)."""
    window = report.last_30_days
    return Digest(
        snapshot=snapshot,
        as_of=report.as_of,
        language=language,
        otd=window.otd,
        otif=window.otif,
        shipped=len(window.shipped),
        on_time=window.on_time,
        backlog=len(report.open["backlog"]),
        late_open=tuple(_order_line(o) for o in report.open["late_open"]),
        at_risk=tuple(_order_line(o) for o in report.open["at_risk"]),
        shortage_count=len(report.shortages),
        top_shortages=tuple(_shortage_line(s, snapshot) for s in top_pegged(report.shortages, top_shortages)),
        resources=tuple(
            ResourceLine(r.resource_id, r.utilization, r.load_ratio)
            for r in report.utilization.resources
        ),
        utilization_source=report.utilization.source,
        trend=tuple(TrendPoint(w.last, len(w.shipped), w.on_time, w.otd) for w in report.trend),
        pending=tuple(_pending(r, snapshot) for r in pending),
        quality=report.quality if _has_quality_data(snapshot) else None,
    )


def _has_quality_data(snapshot: PlantSnapshot) -> bool:
    return bool(snapshot.held_stock or snapshot.quality_events or snapshot.has_yields)


def top_pegged(shortages: Sequence[Shortage], limit: int) -> list[Shortage]:
    """Shortages that hurt sales orders first, earliest first, then the ones hurting most orders."""
    ranked = sorted(shortages, key=lambda s: (not s.orders, s.date, -len(s.orders), -s.qty, s.item_id))
    return ranked[:limit]


def digest_language(value: str | None) -> str:
    if value is None:
        return EN
    if not is_known(value):
        raise BadRequest(f"digest language must be en or zh, not {value!r}")
    return normalize(value)


# -- the audit log ---------------------------------------------------------------------------


def digest_subject(day: date, channel: str) -> str:
    """The audit log's subject of a posted digest (`services.subscriptions` posts each period once)."""
    return f"digest:{day.isoformat()}:{channel}"[:100]  # the audit log's subject column holds 100


# -- lines ---------------------------------------------------------------------------------


def _order_line(line: OpenLine) -> OrderLine:
    return OrderLine(line.order_id, line.customer, line.item_id, line.qty, line.due_date, line.days_late,
                     line.short_items)


def _shortage_line(s: Shortage, snapshot: PlantSnapshot) -> ShortageLine:
    item = snapshot.items.get(s.item_id)
    orders = snapshot.orders_by_id
    return ShortageLine(
        s.item_id, item.uom if item else "", s.date, s.until, s.qty,
        tuple(s.orders), tuple(orders[o].customer if o in orders else "?" for o in s.orders),
    )


def _pending(r: StoredRequest, snapshot: PlantSnapshot) -> PendingRequest:
    user = snapshot.users.get(r.requested_by)
    return PendingRequest(r.request_id, r.kind, r.order_id, r.requested_by, user.name if user else r.requested_by,
                          r.created_at, r.impact.get("promise_date"), len(r.impact.get("impacted") or []))
