"""Follow-ups in a chat thread: "and 300?", "要是改成下周五呢？", or the answer to a question we asked.

The state of a thread is the last complete-or-not request (intent and slots), the
language, and the slot we asked the user for. A new message that stands on its own (its
own intent and its own item or order) starts afresh; an elliptical one borrows the
thread's intent and every slot it does not set itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from planbridge.language.frame import Intent, Metric, ParsedRequest, Slots
from planbridge.languages import EN, ZH, ZH_HANT

# Intents an elliptical follow-up may switch to while keeping the thread's item or order:
# "and the stock?", "any shortages?", "rush it then".
_SWITCHABLE = frozenset({Intent.STOCK, Intent.SHORTAGES, Intent.CAPACITY, Intent.ORDER_STATUS, Intent.RUSH, Intent.CANCEL})


@dataclass(frozen=True, slots=True)
class ThreadState:
    intent: Intent
    slots: Slots
    language: str
    awaiting: str | None = None  # the slot the last reply asked for
    turns: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent.value,
            "slots": self.slots.to_json(),
            "language": self.language,
            "awaiting": self.awaiting,
            "turns": self.turns,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThreadState | None:
        try:
            raw = data.get("slots") or {}
            slots = Slots(
                item_id=raw.get("item_id"),
                qty=float(raw["qty"]) if raw.get("qty") is not None else None,
                due_date=date.fromisoformat(raw["due_date"]) if raw.get("due_date") else None,
                customer=raw.get("customer"),
                order_id=raw.get("order_id"),
                resource_id=raw.get("resource_id"),
                metric=Metric(raw["metric"]) if raw.get("metric") else None,
            )
            return cls(Intent(data["intent"]), slots, str(data.get("language") or "en"),
                       data.get("awaiting"), int(data.get("turns") or 1))
        except (KeyError, ValueError, TypeError):
            return None  # a state we cannot read is a thread we start afresh


def continue_thread(request: ParsedRequest, state: ThreadState | None) -> ParsedRequest:
    """The request as meant in its thread: elliptical messages complete the previous one."""
    if state is None or state.intent in (Intent.HELP, Intent.DIGEST):
        return request
    own = request.slots
    standalone = request.intent is not Intent.UNKNOWN and (own.item_id or own.order_id or request.unmatched.item)
    if standalone and not request.follow_up:
        return request
    if request.intent is Intent.UNKNOWN:
        if not (own.filled() or request.follow_up or request.hint):
            return request  # "thanks" after an answer is not a follow-up
        intent = request.hint if request.hint in _SWITCHABLE else state.intent
    elif request.intent is state.intent or request.intent in _SWITCHABLE or request.follow_up:
        intent = request.intent if request.intent in _SWITCHABLE else state.intent
    else:
        return request
    merged = state.slots.overlaid_with(own)
    if intent is not state.intent and intent not in (Intent.QUOTE, Intent.RUSH):
        merged = merged.without("due_date") if intent is Intent.STOCK else merged
    return replace(request, intent=intent, slots=merged, context_used=True, hint=None)


def next_state(request: ParsedRequest, *, previous: ThreadState | None, awaiting: str | None) -> ThreadState:
    turns = previous.turns + 1 if previous else 1
    return ThreadState(request.intent, request.slots, request.language, awaiting, turns)


def reply_language(request: ParsedRequest, *, user_language: str | None, thread_language: str | None, text: str) -> str:
    """The language (and script) the question is written in; a message with no words of its own
    ("SO-2417?", "500") keeps the thread's language, else the user's setting, else English."""
    if request.has_language:
        return request.language
    if thread_language:
        return thread_language
    return user_language if user_language in (EN, ZH, ZH_HANT) else EN
