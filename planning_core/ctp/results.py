"""What a quote or rush analysis returns: plain data, rendered into words by the service layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property

from planning_core.plan import Plan


class ConstraintKind(StrEnum):
    STOCK = "stock"
    RECEIPT = "receipt"
    PURCHASE_LEAD_TIME = "purchase_lead_time"
    CAPACITY = "capacity"
    MATERIAL = "material"
    CALENDAR = "calendar"
    DATA = "data"


class CheckStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True, slots=True)
class PartialDelivery:
    qty: float
    date: date


@dataclass(frozen=True, slots=True)
class BindingConstraint:
    """Something that holds the promise date back, with the facts to explain it.

    `facts` holds the numbers a sentence needs (dates as ISO strings, quantities,
    PO ids); the service layer renders them in the user's language.
    """

    kind: ConstraintKind
    item_id: str | None = None
    resource_id: str | None = None
    facts: tuple[tuple[str, str], ...] = ()

    def fact(self, key: str) -> str | None:
        return dict(self.facts).get(key)


@dataclass(frozen=True, slots=True)
class ReviewCheck:
    status: CheckStatus
    reason_code: str  # e.g. "no_routing", "short", "loaded", "late"
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class OrderReview:
    """The five checks a sales and production meeting runs on a new order."""

    technical: ReviewCheck
    material: ReviewCheck
    capacity: ReviewCheck
    date: ReviewCheck
    quality: ReviewCheck = ReviewCheck(CheckStatus.OK, "clear")


@dataclass(frozen=True)
class Quote:
    item_id: str
    qty: float
    as_of: date
    due_date: date | None
    promise_date: date | None  # None: the quantity can never be made
    partial: tuple[PartialDelivery, ...]
    constraints: tuple[BindingConstraint, ...]
    review: OrderReview
    plan_source: Callable[[], Plan] | None = field(default=None, repr=False, compare=False)
    exact: bool = True  # False: a first answer (feasible, possibly later than the earliest day)
    first_answer_date: date | None = None  # set when the exact day is earlier than the first answer

    @cached_property
    def plan(self) -> Plan | None:
        """The plan behind the answer (built when asked: on a large plant it holds every order)."""
        return None if self.plan_source is None else self.plan_source()

    @property
    def feasible_by_due(self) -> bool | None:
        if self.due_date is None:
            return None
        return self.promise_date is not None and self.promise_date <= self.due_date


@dataclass(frozen=True, slots=True)
class ImpactedOrder:
    order_id: str
    customer: str
    item_id: str
    qty: float
    promised_date: date
    projected_date: date | None  # None: cannot be completed at all any more

    @property
    def days_late(self) -> int | None:
        return None if self.projected_date is None else (self.projected_date - self.promised_date).days


@dataclass(frozen=True)
class RushImpact:
    order_id: str | None  # None for a new (not yet booked) demand
    item_id: str
    qty: float
    as_of: date
    due_date: date
    promise_date: date | None
    impacted: tuple[ImpactedOrder, ...]
    constraints: tuple[BindingConstraint, ...]
    plan_source: Callable[[], Plan] | None = field(default=None, repr=False, compare=False)
    exact: bool = True  # False: projected on the committed plan only, not re-optimised

    @cached_property
    def plan(self) -> Plan | None:
        """The plan behind the answer (built when asked: on a large plant it holds every order)."""
        return None if self.plan_source is None else self.plan_source()

    @property
    def feasible_by_due(self) -> bool:
        return self.promise_date is not None and self.promise_date <= self.due_date
