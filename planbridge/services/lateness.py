"""Which orders are late, will be late, or are at risk: one answer for status, lists, KPIs and the digest.

Three facts, named the same everywhere (the catalogue's `lateness.*` words):

- *past due*: promised before today and not shipped;
- *will be late on finite capacity*: the promise engine (the one that quotes) projects it complete
  after its promise;
- *at risk*: projected on time, but MRP pegs a shortage of a part of it to it (material that is
  not ordered yet).

A CP-SAT schedule may sequence orders differently: `planbridge schedule` says so in these words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_item
from planbridge.services.quoting import order_outlook
from planning_core.kpi import open_lines
from planning_core.mrp import MrpParams, run_mrp


class Outlook(StrEnum):
    PAST_DUE = "past_due"  # promised before today (and, projected, when it will be done)
    LATE = "late"  # will be complete after its promise, on finite capacity
    AT_RISK = "at_risk"  # on time on finite capacity, but short of material not yet ordered
    ON_TRACK = "on_track"


@dataclass(frozen=True)
class OrderState:
    order_id: str
    customer: str
    item_id: str
    qty: float
    promised_date: date
    projected_date: date | None  # on finite capacity; None: cannot be completed within the horizon
    outlook: Outlook
    short_items: tuple[str, ...] = ()

    @property
    def days_late(self) -> int | None:
        if self.projected_date is None:
            return None
        return max((self.projected_date - self.promised_date).days, 0)


@dataclass(frozen=True)
class LateOrdersCommand:
    customer: str | None = None
    item: str | None = None
    first: date | None = None  # the window asked about (both days included); None: any time
    last: date | None = None
    as_of: date | None = None


@dataclass(frozen=True)
class LateOrdersAnswer:
    orders: tuple[OrderState, ...]  # late first (past due, then will be late), then at risk; by promise
    as_of: date
    customer: str | None
    item_id: str | None
    first: date | None
    last: date | None


def order_states(ctx: ServiceContext, *, as_of: date | None = None) -> dict[str, OrderState]:
    """Every open order with its projected date on finite capacity and its outlook."""
    snapshot = ctx.snapshot()
    today = ctx.as_of(as_of, snapshot)
    plan = run_mrp(snapshot, MrpParams(as_of=today))
    short = {line.order_id: line.short_items for line in open_lines(snapshot, as_of=today, shortages=plan.shortages)["at_risk"]}
    states = {}
    for o in order_outlook(ctx, as_of=today):
        if o.promised_date < today:
            outlook = Outlook.PAST_DUE
        elif o.projected_date is None or o.projected_date > o.promised_date:
            outlook = Outlook.LATE
        elif o.order_id in short:
            outlook = Outlook.AT_RISK
        else:
            outlook = Outlook.ON_TRACK
        states[o.order_id] = OrderState(o.order_id, o.customer, o.item_id, o.qty, o.promised_date, o.projected_date,
                                        outlook, tuple(short.get(o.order_id, ())))
    return states


def late_orders(cmd: LateOrdersCommand, ctx: ServiceContext) -> LateOrdersAnswer:
    """Orders past due, projected late or at risk, for a customer or an item, promised in a window
    (a past-due order counts in a window it is not done before)."""
    snapshot = ctx.snapshot()
    today = ctx.as_of(cmd.as_of, snapshot)
    item_id = find_item(snapshot, cmd.item).item_id if cmd.item else None
    first, last = cmd.first, cmd.last

    def in_window(state: OrderState) -> bool:
        if first is None or last is None:
            return True
        if state.outlook is Outlook.PAST_DUE:  # still late in the window: not done before it starts
            return state.projected_date is None or state.projected_date >= first
        return first <= state.promised_date <= last

    rank = {Outlook.PAST_DUE: 0, Outlook.LATE: 1, Outlook.AT_RISK: 2}
    chosen = sorted(
        (s for s in order_states(ctx, as_of=today).values()
         if s.outlook is not Outlook.ON_TRACK and in_window(s)
         and (cmd.customer is None or s.customer.casefold() == cmd.customer.casefold())
         and (item_id is None or s.item_id == item_id)),
        key=lambda s: (rank[s.outlook], s.promised_date, s.order_id),
    )
    return LateOrdersAnswer(tuple(chosen), today, cmd.customer, item_id, first, last)
