"""A concrete plan: which operation runs when on which resource, which supply serves which demand.

Both the capable-to-promise engine and the finite-capacity scheduler return a `Plan`;
`planning_core.checker` validates any plan against the plant without knowing who built it.
Times are minutes since the planning origin (as-of date 00:00 in the plant's time zone);
`TimeAxis` turns them into datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from planning_core.calendars import Minutes, TimeAxis


class SupplyKind(StrEnum):
    STOCK = "stock"
    RECEIPT = "receipt"  # an open purchase order
    HOLD_RELEASE = "hold_release"  # stock on quality hold, released on its date
    PURCHASE = "purchase"  # a new purchase, arriving after the lead time
    WORK_ORDER = "work_order"  # output of a released or running work order
    PRODUCTION = "production"  # output of operations in this plan


@dataclass(frozen=True, slots=True)
class Operation:
    """`qty` units of `item_id` through routing `step` on `resource_id` during [start, end).

    A batch may be split into several operations (across time or alternative
    resources). Each operation lies inside one working interval of its resource.
    `busy_minutes` is the resource time the work takes; None means the whole of
    [start, end) (a scheduled batch). Bucketed plans (capable-to-promise) give less:
    the resource then shares the window with other work, evenly, and output accrues
    evenly over the window. `setup_minutes` is the part of the busy time spent on
    set-up. `demand_id` pegs the operation to the order it serves (None: shared stock).
    """

    item_id: str
    step: int
    resource_id: str
    start: Minutes
    end: Minutes
    qty: float
    demand_id: str | None = None
    setup_minutes: float = 0.0
    batch_id: str | None = None  # operations of one batch share the batch's set-up
    busy_minutes: Minutes | None = None

    @property
    def minutes(self) -> Minutes:
        """Resource time the operation takes."""
        return self.end - self.start if self.busy_minutes is None else self.busy_minutes


@dataclass(frozen=True, slots=True)
class Purchase:
    """A new purchase of a bought item (beyond open purchase orders)."""

    item_id: str
    qty: float
    arrival: Minutes


@dataclass(frozen=True, slots=True)
class Delivery:
    """`qty` of a sales order's item handed to the customer order at `at`."""

    order_id: str
    item_id: str
    qty: float
    at: Minutes


@dataclass(frozen=True, slots=True)
class SupplyUse:
    """Which supply fed which demand: for explanations, not needed by the checker."""

    item_id: str
    kind: SupplyKind
    ref: str | None  # PO id, work order id, or None
    qty: float
    demand_id: str | None
    available_at: Minutes


@dataclass(frozen=True, slots=True)
class Promise:
    """A claim the plan makes: `qty` of `item_id` delivered to `order_id` by the end of `due`."""

    order_id: str
    item_id: str
    qty: float
    due: date


@dataclass(frozen=True, slots=True)
class MergedBatch:
    """A batch that serves several orders at once (a campaign): the operations with `batch_id`
    make `qty` of `item_id`, shared as `shares` (order id, quantity) say."""

    batch_id: str
    item_id: str
    shares: tuple[tuple[str, float], ...]

    @property
    def qty(self) -> float:
        return sum(qty for _, qty in self.shares)


@dataclass(frozen=True)
class Plan:
    axis: TimeAxis
    operations: tuple[Operation, ...] = ()
    purchases: tuple[Purchase, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    supply_uses: tuple[SupplyUse, ...] = ()
    promises: tuple[Promise, ...] = ()
    merged_batches: tuple[MergedBatch, ...] = ()
