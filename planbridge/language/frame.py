"""What a message means: an intent and seven slots (CONTRACT section 2, `parse`).

A `ParsedRequest` is what both the rule parser and the language-model path produce,
and the only thing the rest of the application sees of the user's words.

`source` is a short string:
  - "rules": the deterministic rule parser answered;
  - "llm": a language model answered (its output validated against the plant);
  - "rules_fallback": the model was asked but failed (time-out, error, a forbidden or
    malformed tool call); the rule parser's answer is used and `note` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any


class Intent(StrEnum):
    QUOTE = "quote"
    AVAILABLE = "available"  # how many can be ready by a date
    RUSH = "rush"
    CHANGE = "change"
    CANCEL = "cancel"
    ORDER_STATUS = "order_status"
    LATE_ORDERS = "late_orders"  # which orders are or will be late / at risk
    STOCK = "stock"
    CAPACITY = "capacity"
    SHORTAGES = "shortages"
    KPI = "kpi"
    DIGEST = "digest"
    QUALITY = "quality"  # open complaints, returns and NCRs, held stock (of a customer or an item)
    HELP = "help"
    UNKNOWN = "unknown"


class Metric(StrEnum):
    OTD = "otd"
    OTIF = "otif"
    BACKLOG = "backlog"
    LATE_ORDERS = "late_orders"
    UTILIZATION = "utilization"
    FORECAST_ACCURACY = "forecast_accuracy"
    SHORTAGES = "shortages"


class Source(StrEnum):
    RULES = "rules"
    LLM = "llm"
    RULES_FALLBACK = "rules_fallback"


SLOT_NAMES: tuple[str, ...] = ("item_id", "qty", "due_date", "customer", "order_id", "resource_id", "metric")


@dataclass(frozen=True, slots=True)
class Slots:
    item_id: str | None = None
    qty: float | None = None
    due_date: date | None = None
    customer: str | None = None
    order_id: str | None = None
    resource_id: str | None = None
    metric: Metric | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "qty": json_number(self.qty),
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "customer": self.customer,
            "order_id": self.order_id,
            "resource_id": self.resource_id,
            "metric": self.metric.value if self.metric else None,
        }

    def filled(self) -> set[str]:
        return {name for name in SLOT_NAMES if getattr(self, name) is not None}

    def overlaid_with(self, newer: Slots) -> Slots:
        """These slots, with every slot that `newer` fills taken from `newer` (follow-ups)."""
        return replace(self, **{name: getattr(newer, name) for name in newer.filled()})

    def without(self, *names: str) -> Slots:
        return replace(self, **dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class Window:
    """The period a list, load or KPI question is about ("this week", "下个月"), both days included."""

    first: date
    last: date

    def to_json(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Things the user named that the plant does not know (kept so the reply can suggest)."""

    item: str | None = None
    order: str | None = None
    resource: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"item": self.item, "order": self.order, "resource": self.resource}


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    intent: Intent
    slots: Slots
    source: Source
    confidence: float
    language: str  # "en", "zh" or "zh-Hant": the language (and script) the message is written in
    unmatched: Unmatched = field(default_factory=Unmatched)
    asks_approval: bool = False  # the text asks the bot to approve something (it never does)
    note: str | None = None  # why the model's answer was not used, or other remarks
    follow_up: bool = False  # elliptical ("and 300?", "要是改成下周五呢？"): completes an earlier request
    hint: Intent | None = None  # what the cue words of an elliptical message point to, if anything
    context_used: bool = False  # slots were taken from earlier messages of the thread
    window: Window | None = None  # the period asked about, for lists, loads and KPIs
    has_language: bool = True  # False: nothing but ids, numbers and dates ("SO-2417?"): no language of its own

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent.value,
            "slots": self.slots.to_json(),
            "source": self.source.value,
            "confidence": round(self.confidence, 2),
            "language": self.language,
            "unmatched": self.unmatched.to_json(),
            "asks_approval": self.asks_approval,
            "note": self.note,
            "follow_up": self.follow_up,
            "context_used": self.context_used,
            "window": self.window.to_json() if self.window else None,
        }


def json_number(value: float | None) -> int | float | None:
    """Whole quantities print as integers ("qty": 500, not 500.0)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
