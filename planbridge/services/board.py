"""The planner's board and the Gantt charts: one Gantt model of a schedule, drawn as a PNG
(`presentation.charts`) and as the browser board (`presentation.board`).

The model is pure data (no words): one row per resource with its name and its closed time,
one bar per batch on a resource (the shifts it runs in as segments) with the orders it serves,
their customers, quantity, start, end, promise and a status: on time, at risk or late.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from planbridge.errors import Conflict
from planbridge.records import RequestStatus, StoredRequest
from planbridge.services.context import ServiceContext
from planbridge.services.digest import Digest, DigestCommand, build_digest
from planbridge.services.lateness import OrderState, Outlook, order_states
from planbridge.services.lookup import find_user
from planbridge.services.requests import Decide, decide_request, list_requests
from planbridge.services.scheduling import latest_saved_schedule
from planning_core.calendars import working_intervals
from planning_core.model import PlantSnapshot, User, WorkOrderStatus
from planning_core.scheduling.saved import SavedSchedule

MIN_DAYS, MAX_DAYS = 7, 28
PENDING_SHOWN = 50
ORDERS_SHOWN = 300  # late first, then at risk: the rest of a large plant's order book is on time

Span = tuple[datetime, datetime]


class BarStatus(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"  # on time in the schedule, but the promise engine sees it late or material is short
    LATE = "late"  # completes after its promise in the schedule (or cannot be scheduled)
    WORK_ORDER = "work_order"  # released or running work already on the floor

    @property
    def rank(self) -> int:
        """How bad: a bar serving several orders takes its worst order's status."""
        return (BarStatus.WORK_ORDER, BarStatus.ON_TIME, BarStatus.AT_RISK, BarStatus.LATE).index(self)


@dataclass(frozen=True)
class GanttBar:
    resource_id: str
    order_ids: tuple[str, ...]  # several for a campaign batch; the work order's id for a work order
    item_id: str
    customers: tuple[str, ...]
    qty: float
    start: datetime
    end: datetime
    promised: date | None  # the earliest promise of its orders
    status: BarStatus
    segments: tuple[Span, ...]  # the working intervals it runs in, inside the chart's window


@dataclass(frozen=True)
class GanttRow:
    resource_id: str
    name: str
    aliases: tuple[str, ...]
    bars: tuple[GanttBar, ...]
    closed: tuple[Span, ...]  # closed time of its calendar inside the window


@dataclass(frozen=True)
class GanttChart:
    as_of: date
    start: datetime
    end: datetime
    rows: tuple[GanttRow, ...]

    @property
    def days(self) -> int:
        return round((self.end - self.start).total_seconds() / 86400)

    def share(self, moment: datetime) -> float:
        """Where a moment falls across the window, 0 to 1 (the board places bars by it)."""
        whole = (self.end - self.start).total_seconds()
        return min(1.0, max(0.0, (moment - self.start).total_seconds() / whole))

    @property
    def bars(self) -> list[GanttBar]:
        return [bar for row in self.rows for bar in row.bars]


# -- the Gantt model --------------------------------------------------------------------------


def order_statuses(document: Mapping[str, Any], at_risk: Collection[str] = ()) -> dict[str, BarStatus]:
    """Each scheduled order's status: late when the schedule completes it after its promise
    (or cannot schedule it), at risk when `at_risk` names it, else on time."""
    statuses = {}
    for order in document.get("orders", []):
        late = order.get("completion") is None or (order.get("late_days") or 0) > 0
        statuses[order["order_id"]] = (BarStatus.LATE if late else
                                       BarStatus.AT_RISK if order["order_id"] in at_risk else BarStatus.ON_TIME)
    return statuses


def gantt_chart(document: Mapping[str, Any], snapshot: PlantSnapshot, *, at_risk: Collection[str] = (),
                days: int | None = None) -> GanttChart:
    """The Gantt model of a schedule document (`planbridge schedule --json`, saved or fresh) over the
    first `days` days from its as-of date (default: its span, 7 to 28 days)."""
    tz = ZoneInfo(snapshot.plant.timezone)
    as_of = date.fromisoformat(document["as_of"])
    start = datetime.combine(as_of, time(0), tzinfo=tz)
    operations = [_operation(op) for op in document.get("operations", [])]
    if days is None:
        last = max((op["end"] for op in operations), default=start)
        days = min(MAX_DAYS, max(MIN_DAYS, math.ceil((last - start).total_seconds() / 86400) + 1))
    end = datetime.combine(as_of + timedelta(days=days), time(0), tzinfo=tz)
    operations = [{**op, "start": op["start"].astimezone(tz), "end": op["end"].astimezone(tz)} for op in operations
                  if op["start"] < end and op["end"] > start and op["end"] > op["start"]]
    statuses = order_statuses(document, at_risk)
    shares = {b["batch_id"]: tuple(s["order_id"] for s in b["orders"]) for b in document.get("merged_batches", [])}
    bars: dict[str, list[GanttBar]] = defaultdict(list)
    for bar in _batch_bars(operations, shares, statuses, snapshot, start, end):
        bars[bar.resource_id].append(bar)
    for bar in _work_order_bars(snapshot, start, end):
        bars[bar.resource_id].append(bar)
    rows = tuple(
        GanttRow(r.resource_id, r.name, r.aliases, tuple(sorted(bars.get(r.resource_id, []), key=lambda b: b.start)),
                 closed_time(snapshot, r.calendar_id, start, end))
        for r in sorted(snapshot.resources.values(), key=lambda r: r.resource_id)
    )
    return GanttChart(as_of, start, end, rows)


def _operation(op: Mapping[str, Any]) -> dict[str, Any]:
    # In UTC: comparing datetimes of one fixed zone is much faster than across zones (large plants).
    return {**op, "start": datetime.fromisoformat(op["start"]).astimezone(UTC),
            "end": datetime.fromisoformat(op["end"]).astimezone(UTC)}


def _batch_bars(operations: Sequence[dict[str, Any]], shares: Mapping[str, tuple[str, ...]],
                statuses: Mapping[str, BarStatus], snapshot: PlantSnapshot, start: datetime,
                end: datetime) -> list[GanttBar]:
    """One bar per batch and resource: a batch split over shifts is one bar with several segments."""
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    for op in operations:
        batch = op.get("batch_id") or f"{op['order_id']}/{op['item_id']}"
        groups[(op["resource_id"], batch, op["step"])].append(op)
    orders = snapshot.orders_by_id
    bars = []
    for (resource_id, batch, _), ops in groups.items():
        segments = tuple((max(op["start"], start), min(op["end"], end)) for op in sorted(ops, key=lambda o: o["start"]))
        order_ids = shares.get(batch) or tuple(dict.fromkeys(op["order_id"] for op in ops if op["order_id"]))
        known = [orders[o] for o in order_ids if o in orders]
        status = max((statuses.get(o, BarStatus.ON_TIME) for o in order_ids), key=lambda s: s.rank,
                     default=BarStatus.ON_TIME)
        promises = [o.promised_date for o in known if o.promised_date is not None]
        bars.append(GanttBar(
            resource_id, order_ids, ops[0]["item_id"], tuple(dict.fromkeys(o.customer for o in known)),
            round(sum(float(op["qty"]) for op in ops), 6), min(op["start"] for op in ops), max(op["end"] for op in ops),
            min(promises, default=None), status, segments,
        ))
    return bars


def _work_order_bars(snapshot: PlantSnapshot, start: datetime, end: datetime) -> list[GanttBar]:
    bars = []
    for wo in snapshot.work_orders:
        begin, finish = _aware(wo.start, start), _aware(wo.end, start)
        if wo.status is not WorkOrderStatus.DONE and begin < end and finish > max(begin, start):
            segment = (max(begin, start), min(finish, end))
            bars.append(GanttBar(wo.resource_id, (wo.wo_id,), wo.item_id, (), wo.qty, begin, finish, None,
                                 BarStatus.WORK_ORDER, (segment,)))
    return bars


def _aware(moment: datetime, reference: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=reference.tzinfo)


def closed_time(snapshot: PlantSnapshot, calendar_id: str, start: datetime, end: datetime) -> tuple[Span, ...]:
    """The gaps between a calendar's working intervals inside [start, end)."""
    calendar = snapshot.calendars.get(calendar_id)
    if calendar is None:
        return ((start, end),)
    last_day = (end - timedelta(minutes=1)).date()
    open_spans = working_intervals(calendar, plant=snapshot.plant, start=start.date(), end=last_day)
    closed, cursor = [], start
    for begin, finish in open_spans:
        begin, finish = max(begin, start), min(finish, end)
        if begin > cursor:
            closed.append((cursor, begin))
        cursor = max(cursor, finish)
    if cursor < end:
        closed.append((cursor, end))
    return tuple(closed)


# -- the board ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardOrder:
    """An open order on the board: its promise, when the schedule completes it, when the promise
    engine projects it, and its status."""

    order_id: str
    customer: str
    item_id: str
    qty: float
    promised_date: date
    scheduled_date: date | None
    projected_date: date | None
    status: BarStatus


@dataclass(frozen=True)
class BoardView:
    user: User
    language: str
    snapshot: PlantSnapshot
    schedule: SavedSchedule | None
    current: bool  # the saved schedule was made on the plant data as it stands
    gantt: GanttChart | None
    orders: tuple[BoardOrder, ...]  # the first ORDERS_SHOWN of `board_orders`
    more_orders: int  # open orders not shown
    pending: tuple[StoredRequest, ...]
    digest: Digest

    @property
    def may_decide(self) -> bool:
        return self.user.may_approve


@dataclass(frozen=True)
class BoardCommand:
    user_id: str
    language: str  # the reader's: the digest's figures name things in it
    days: int | None = None


def saved_gantt(ctx: ServiceContext, *, days: int | None = None) -> GanttChart | None:
    """The Gantt model of the newest saved schedule (None: none was saved), at-risk orders marked
    as on the board."""
    saved = latest_saved_schedule(ctx)
    if saved is None:
        return None
    return gantt_chart(saved.document, ctx.snapshot(), at_risk=_at_risk(order_states(ctx)), days=days)


def digest_gantt(saved: SavedSchedule, digest: Digest, *, days: int | None = None) -> GanttChart:
    """A saved schedule's Gantt for a digest: at risk are the orders the digest lists as past due,
    late on finite capacity or short of material."""
    at_risk = {o.order_id for o in (*digest.late_open, *digest.at_risk)} | {p.order_id for p in digest.projected_late}
    return gantt_chart(saved.document, digest.snapshot, at_risk=at_risk, days=days)


def _at_risk(states: Mapping[str, OrderState]) -> set[str]:
    return {s.order_id for s in states.values() if s.outlook is not Outlook.ON_TRACK}


def board_view(cmd: BoardCommand, ctx: ServiceContext) -> BoardView:
    """Everything the board shows: the newest saved schedule as a Gantt, the open orders, pending
    requests and the digest's figures."""
    snapshot = ctx.snapshot()
    user = find_user(snapshot, cmd.user_id)
    digest = build_digest(DigestCommand(language=cmd.language), ctx)
    states = order_states(ctx, as_of=digest.as_of)
    at_risk = _at_risk(states)
    saved = latest_saved_schedule(ctx)
    gantt = gantt_chart(saved.document, snapshot, at_risk=at_risk, days=cmd.days) if saved else None
    with ctx.uow_factory() as uow:
        version = uow.plant.version()
    orders = board_orders(states, saved.document if saved else None)
    return BoardView(
        user, cmd.language, snapshot, saved, saved is not None and saved.plant_version == version, gantt,
        orders[:ORDERS_SHOWN], max(0, len(orders) - ORDERS_SHOWN),
        tuple(list_requests(ctx, status=RequestStatus.PENDING.value, limit=PENDING_SHOWN)), digest,
    )


def board_orders(states: Mapping[str, OrderState], document: Mapping[str, Any] | None) -> tuple[BoardOrder, ...]:
    """Open orders, late first, then at risk, then on time, each by promise: the schedule's status where
    it has the order, else the promise engine's."""
    scheduled = {o["order_id"]: o for o in (document or {}).get("orders", [])}
    statuses = order_statuses(document or {}, _at_risk(states))
    rows = []
    for state in sorted(states.values(), key=lambda s: (s.promised_date, s.order_id)):
        status = statuses.get(state.order_id) or _outlook_status(state.outlook)
        completion = scheduled.get(state.order_id, {}).get("completion_date")
        rows.append(BoardOrder(state.order_id, state.customer, state.item_id, state.qty, state.promised_date,
                               date.fromisoformat(completion) if completion else None, state.projected_date, status))
    return tuple(sorted(rows, key=lambda o: -o.status.rank))  # stable: by promise within a status


def _outlook_status(outlook: Outlook) -> BarStatus:
    if outlook in (Outlook.PAST_DUE, Outlook.LATE):
        return BarStatus.LATE
    return BarStatus.AT_RISK if outlook is Outlook.AT_RISK else BarStatus.ON_TIME


# -- who reads the board, and decisions from it ---------------------------------------------


def board_user(ctx: ServiceContext, user_id: str) -> User:
    """The user signing in to the board (NotFound for an unknown id)."""
    return find_user(ctx.snapshot(), user_id.strip())


@dataclass(frozen=True)
class BoardDecision:
    """A request after a click on Approve or Reject: as decided now, or as someone decided it before
    (`already`: the click changed nothing)."""

    request: StoredRequest
    explanation: str | None
    already: bool


def decide_from_board(cmd: Decide, ctx: ServiceContext) -> BoardDecision:
    """The chat's decision (same service, role checks and audit); a request decided already is
    shown as it was decided, so a second click only sees the result."""
    try:
        answer = decide_request(cmd, ctx)
    except Conflict:
        with ctx.uow_factory() as uow:
            stored = uow.requests.get(cmd.request_id)
        if stored is None:
            raise
        return BoardDecision(stored, None, already=True)
    return BoardDecision(answer.request, answer.explanation, already=False)


def user_names(ctx: ServiceContext) -> dict[str, str]:
    """Each user's name by id (the board names requesters and deciders)."""
    return {u.user_id: u.name for u in ctx.snapshot().users.values()}
