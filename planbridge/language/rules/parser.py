"""The rule parser: a message in, a `ParsedRequest` out. Deterministic, no model, no network.

Order matters: order ids, then dates, then items/resources/customers claim their parts of
the message before quantities are looked for in what is left, and the intent is chosen
last, on the message with those parts replaced by placeholders.
"""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz import process
from rapidfuzz.distance import OSA

from planbridge.language.frame import Intent, Metric, ParsedRequest, Slots, Source, Unmatched
from planbridge.language.rules.dates import find_dates, pick_due_date
from planbridge.language.rules.entities import Mention, find_entities, find_orders, unknown_customer
from planbridge.language.rules.intents import Classification, Found, capacity_context, classify
from planbridge.language.rules.lexicon import Lexicon, singular
from planbridge.language.rules.quantities import QuantityMention, find_quantities, pick_quantity
from planbridge.language.rules.text import (
    MARKS,
    Workspace,
    detect_language,
    has_cjk,
    is_traditional,
    normalize,
    to_simplified,
    word_set,
)
from planbridge.language.rules.windows import find_window
from planbridge.languages import EN, ZH, ZH_HANT

# Words worth repairing when misspelt: they carry intent or dates. (Plant words are added per plant.)
_KEYWORDS = word_set(
    "cancel change status stock inventory expedite urgent deliver delivery tomorrow shortage shortages capacity "
    "utilization backlog quote quotation earliest possible feasible postpone reschedule available warehouse "
    "january february march april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
)
# Real words that look like plant words ("value" ~ "valve"): never "repaired".
_LEAVE_ALONE = word_set(
    "value values valid great later lathes check cheque there where these those think thing things about "
    "after again could would should their other which while order orders ordered first until still today "
    "early every never maybe thanks hello sorry please happens happen need needs whats"
)
_STOP_AFTER_QTY = word_set(
    "to for by from before in within on at and or next this tomorrow today asap please pls ok if can could "
    "would will is are be delivered due needed each per more of them"
)
_GENERIC_NOUNS = word_set("pcs pc units unit pieces piece sets set ea nos items item more orders order")


def parse_rules(text: str, *, lexicon: Lexicon, as_of: date) -> ParsedRequest:
    """Parse one message against a plant's lexicon, resolving relative dates against `as_of`."""
    folded = normalize(text)
    traditional = is_traditional(folded)
    normalized = repair_typos(to_simplified(folded), lexicon)
    ws = Workspace(normalized)
    window = find_window(ws.lower, as_of)
    orders = find_orders(ws, lexicon)
    dates = find_dates(ws, as_of, detect_language(normalized))
    entities = find_entities(ws, lexicon, prefer_resources=capacity_context(ws.lower))
    customer = _first(entities, "customer") or unknown_customer(ws)
    quantities = find_quantities(ws)
    item = _first(entities, "item")
    resource = _first(entities, "resource")
    order = next((m for m in orders if m.key), None)
    unmatched_item = _unmatched(entities, "item") or (None if item else _unnamed_item(ws, quantities))
    qty = pick_quantity(quantities)
    found = Found(
        item=item is not None or unmatched_item is not None, qty=qty is not None, order=bool(orders),
        customer=customer is not None, resource=resource is not None, date=bool(dates),
        target=any(d.role == "target" for d in dates) or any(q.role == "target" for q in quantities),
    )
    language, has_language = _language_of(ws, traditional=traditional)
    verdict = classify(ws.lower, found)
    slots = Slots(
        item_id=item.key if item else None,
        qty=qty,
        due_date=pick_due_date(dates),
        customer=customer.key if customer else None,
        order_id=order.key if order else None,
        resource_id=resource.key if resource else None,
        metric=verdict.metric,
    )
    return ParsedRequest(
        intent=verdict.intent,
        slots=relevant_slots(verdict.intent, slots),
        source=Source.RULES,
        confidence=_confidence(verdict, unmatched_item),
        language=language,
        unmatched=Unmatched(
            item=unmatched_item,
            order=next((m.text for m in orders if m.key is None), None),
            resource=_unmatched(entities, "resource"),
        ),
        asks_approval=verdict.asks_approval,
        follow_up=verdict.follow_up,
        hint=verdict.hint,
        window=window if verdict.intent in WINDOW_INTENTS else None,
        has_language=has_language,
    )


WINDOW_INTENTS = frozenset({Intent.LATE_ORDERS, Intent.KPI, Intent.CAPACITY})


def _language_of(ws: Workspace, *, traditional: bool) -> tuple[str, bool]:
    """The language of the words around the names, ids, numbers and dates (which have none):
    "en", "zh" or "zh-Hant"; and whether there were any such words at all ("SO-2417?" has none)."""
    words = "".join(ch for ch in ws.text if ch not in MARKS)
    if not has_cjk(words) and not re.search(r"[A-Za-z]{2,}", words):
        return EN, False
    language = detect_language(words)
    return (ZH_HANT if language == ZH and traditional else language), True


def relevant_slots(intent: Intent, slots: Slots) -> Slots:
    """Drop what the intent cannot use ("how many orders are late this week": no due date)."""
    if intent in (Intent.DIGEST, Intent.HELP):
        return Slots()
    if intent is Intent.LATE_ORDERS:
        return Slots(item_id=slots.item_id, customer=slots.customer)
    if intent is Intent.AVAILABLE:
        slots = slots.without("qty", "order_id")
    if intent is Intent.KPI:
        slots = slots.without("qty", "due_date")
    if intent is Intent.CAPACITY:
        return slots if slots.metric in (None, Metric.UTILIZATION) else slots.without("metric")
    if intent not in (Intent.KPI, Intent.UNKNOWN):
        slots = slots.without("metric", "resource_id")
    return slots


def repair_typos(text: str, lexicon: Lexicon) -> str:
    """Misspelt keywords and plant words back to their spelling ("cancle", "vlaves", "wendesday")."""
    vocabulary = _KEYWORDS | lexicon.vocabulary
    plurals = {word + "s" for word in vocabulary}
    choices = sorted(vocabulary | plurals)

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        low = word.lower()
        if low in vocabulary or low in plurals or low in _LEAVE_ALONE or singular(low) in vocabulary:
            return word
        if low.endswith(("ing", "ed", "ly")):
            return word  # inflected words are real words ("chasing" is not a misspelt "casing")
        # One slip (a letter missed, added, changed or two swapped) in a short word, two in a long one:
        # "vlaves", "cancle", "wendesday" are repaired; "chasing" does not become "casting".
        hit = process.extractOne(low, choices, scorer=OSA.distance, score_cutoff=1 if len(low) < 9 else 2)
        if hit is None or hit[0][0] != low[0]:
            return word
        return hit[0].capitalize() if word[0].isupper() else hit[0]

    return re.sub(r"(?<![A-Za-z])[A-Za-z]{5,}(?![A-Za-z])", fix, text)


def _first(mentions: list[Mention], kind: str) -> Mention | None:
    return next((m for m in mentions if m.kind == kind and m.key), None)


def _unmatched(mentions: list[Mention], kind: str) -> str | None:
    return next((m.text for m in mentions if m.kind == kind and m.key is None), None)


def _unnamed_item(ws: Workspace, quantities: list[QuantityMention]) -> str | None:
    """"150 Widget-X to Globex": the words after a quantity name an item the plant does not have."""
    for quantity in quantities:
        rest = ws.text[quantity.end :]
        match = re.match(r"\s*(?:x\s+)?([A-Za-z][\w\-]*(?:\s+[A-Za-z][\w\-]*){0,3})", rest)
        if not match or any(ch in MARKS for ch in match.group(1)):
            continue
        words: list[str] = []
        for word in match.group(1).split():
            if word.lower() in _STOP_AFTER_QTY:
                break
            words.append(word)
        if words and not all(w.lower() in _GENERIC_NOUNS for w in words):
            return " ".join(words)
    return None


def _confidence(verdict: Classification, unmatched_item: str | None) -> float:
    return verdict.confidence - (0.1 if unmatched_item else 0.0)
