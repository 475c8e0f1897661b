"""Checking what a language model proposed against the schema and the plant.

Nothing a model writes is trusted: ids must exist in the plant (an unknown item, order or
resource is dropped and kept only as an "unmatched" mention for the reply), quantities
must be positive and finite, dates must parse and must not lie in the past, metrics must
be one of the contract's. Names are resolved with the same matcher the rules use, so
"gate valves DN100" from a model lands on DN100-GATE just like from a user.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from planbridge.language.frame import Intent, Metric, Slots, Unmatched
from planbridge.language.rules.dates import find_dates, pick_due_date
from planbridge.language.rules.entities import Mention, find_entities, find_orders
from planbridge.language.rules.lexicon import Lexicon
from planbridge.language.rules.parser import relevant_slots
from planbridge.language.rules.text import Workspace, detect_language, normalize
from planning_core.model import PlantSnapshot

MAX_QTY = 1e9
MAX_NAME_LENGTH = 80


@dataclass(frozen=True, slots=True)
class ModelFrame:
    """A tool call's arguments, still untrusted."""

    FIELDS: ClassVar[frozenset[str]] = frozenset({"item", "qty", "due_date", "customer", "order_id", "resource", "metric"})

    intent: Intent
    item: str | None = None
    qty: float | None = None
    due_date: str | None = None
    customer: str | None = None
    order_id: str | None = None
    resource: str | None = None
    metric: str | None = None


def resolve_frame(
    frame: ModelFrame, *, lexicon: Lexicon, snapshot: PlantSnapshot | None, as_of: date
) -> tuple[Slots, Unmatched]:
    """Slots that refer only to things the plant has, and what did not match."""
    item_id, item_text = _resolve_named(frame.item, lexicon, "item", snapshot.items.keys() if snapshot else ())
    resource_id, resource_text = _resolve_named(
        frame.resource, lexicon, "resource", snapshot.resources.keys() if snapshot else ()
    )
    order_id, order_text = _resolve_order(frame.order_id, lexicon)
    slots = Slots(
        item_id=item_id,
        qty=valid_qty(frame.qty),
        due_date=parse_model_date(frame.due_date, as_of=as_of),
        customer=_resolve_customer(frame.customer, lexicon),
        order_id=order_id,
        resource_id=resource_id,
        metric=_metric(frame.metric),
    )
    return relevant_slots(frame.intent, slots), Unmatched(item=item_text, order=order_text, resource=resource_text)


def valid_qty(value: float | None) -> float | None:
    if value is None or not isinstance(value, int | float) or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) and 0 < number <= MAX_QTY else None


def parse_model_date(text: str | None, *, as_of: date) -> date | None:
    """ISO first; then the rule parser's date rules; then dateparser. Never a date before `as_of`."""
    if not text or not isinstance(text, str):
        return None
    cleaned = normalize(text)[:60]
    parsed: date | None
    try:
        parsed = date.fromisoformat(cleaned[:10])
    except ValueError:
        ws = Workspace(cleaned)
        parsed = pick_due_date(find_dates(ws, as_of, detect_language(cleaned)))
        if parsed is None:
            import dateparser  # slow to import; only free-form model dates need it

            settings = {"RELATIVE_BASE": datetime.combine(as_of, datetime.min.time()), "PREFER_DATES_FROM": "future"}
            found = dateparser.parse(cleaned, languages=["en", "zh"], settings=settings)
            parsed = found.date() if found else None
    return parsed if parsed is not None and parsed >= as_of else None


def _resolve_named(
    text: str | None, lexicon: Lexicon, kind: str, ids: Collection[str]
) -> tuple[str | None, str | None]:
    if not text or not isinstance(text, str):
        return None, None
    cleaned = normalize(text)[:MAX_NAME_LENGTH]
    if cleaned in ids:
        return cleaned, None
    mention = _best_mention(cleaned, lexicon, kind)
    if mention is not None and mention.key is not None:
        return mention.key, None
    return None, cleaned


def _best_mention(text: str, lexicon: Lexicon, kind: str) -> Mention | None:
    ws = Workspace(text)
    mentions = [m for m in find_entities(ws, lexicon, prefer_resources=kind == "resource") if m.kind == kind]
    return mentions[0] if mentions else None


def _resolve_order(text: str | None, lexicon: Lexicon) -> tuple[str | None, str | None]:
    if not text or not isinstance(text, str):
        return None, None
    cleaned = normalize(text)[:MAX_NAME_LENGTH]
    canonical = re.sub(r"[^0-9a-z\u3400-\u9fff]", "", cleaned.lower())
    if canonical in lexicon.order_ids:
        return lexicon.order_ids[canonical], None
    found = [m for m in find_orders(Workspace(cleaned), lexicon) if m.key]
    return (found[0].key, None) if found else (None, cleaned)


def _resolve_customer(text: str | None, lexicon: Lexicon) -> str | None:
    """A known customer by its plant spelling; a new one as written (one line, kept short)."""
    if not text or not isinstance(text, str):
        return None
    cleaned = " ".join(normalize(text).split())[:MAX_NAME_LENGTH]
    mention = _best_mention(cleaned, lexicon, "customer")
    if mention is not None and mention.key is not None:
        return mention.key
    return cleaned or None


def _metric(text: str | None) -> Metric | None:
    try:
        return Metric(str(text).strip().lower()) if text else None
    except ValueError:
        return None
