"""Quotes and rush impact: the service functions the CLI, REST API and bot call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planbridge.errors import PlanbridgeError
from planbridge.services.context import ServiceContext
from planning_core.ctp.results import Quote, RushImpact


@dataclass(frozen=True)
class QuoteCommand:
    item: str  # id, name or alias
    qty: float
    due: date | None = None
    customer: str | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None  # "en" or "zh"; default: the user's language, else English


@dataclass(frozen=True)
class QuoteAnswer:
    quote: Quote
    item_name: str
    customer: str | None
    language: str
    explanation: str

    def to_json(self) -> dict[str, object]:
        raise PlanbridgeError("quote JSON is not built yet (issue #3)")


@dataclass(frozen=True)
class RushCommand:
    due: date
    order_id: str | None = None
    item: str | None = None
    qty: float | None = None
    customer: str | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class RushAnswer:
    impact: RushImpact
    language: str
    explanation: str

    def to_json(self) -> dict[str, object]:
        raise PlanbridgeError("rush JSON is not built yet (issue #3)")


def quote(cmd: QuoteCommand, ctx: ServiceContext) -> QuoteAnswer:
    raise PlanbridgeError("`quote` is not built yet (issue #3)")


def rush_impact(cmd: RushCommand, ctx: ServiceContext) -> RushAnswer:
    raise PlanbridgeError("`rush` is not built yet (issue #3)")
