"""What the plant calls things: items, resources, customers and order ids, indexed for matching.

Built once per plant snapshot (`lexicon_for`), so a warm bot matches a message in well
under a millisecond even for thousands of items: each spelling is indexed by its first
token, and only the spellings whose first token occurs in the message are tried.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from planbridge.language.rules.text import to_simplified
from planning_core.model import PlantSnapshot

_TOKEN = re.compile(r"[a-z]+|\d+|[\u3400-\u9fff\uf900-\ufaff]")
_SEPARATORS = r"[\s\-_.,/·]*"
_COMPANY_SUFFIXES = re.compile(
    r"(?:[\s,]+(?:inc|corp|corporation|co|ltd|llc|gmbh|ag|plc|limited|group)\.?)+$|(?:有限公司|股份有限公司|集团|公司)$"
)
CODE_TOKEN = re.compile(r"(?<![a-z0-9])([a-z]{1,4})[\s\-]?(\d{2,5})(?![0-9])")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def singular(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(("xes", "ches", "shes", "sses")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


@dataclass(frozen=True, slots=True)
class Spelling:
    kind: str  # "item", "resource", "customer"
    key: str  # item_id, resource_id or the customer's name as the plant writes it
    text: str  # the spelling, lower case
    pattern: re.Pattern[str]
    length: int  # number of characters that carry meaning (for "longest wins")


@dataclass
class Lexicon:
    """Spellings of everything a message may name, with a first-token index."""

    spellings: list[Spelling] = field(default_factory=list)
    by_first_token: dict[str, list[Spelling]] = field(default_factory=lambda: defaultdict(list))
    order_ids: dict[str, str] = field(default_factory=dict)  # canonical form → order id
    order_ids_by_number: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    order_prefixes: set[str] = field(default_factory=set)
    top_level_items: frozenset[str] = frozenset()
    item_codes: dict[str, frozenset[str]] = field(default_factory=dict)  # item → its "dn100"-like codes
    vocabulary: frozenset[str] = frozenset()  # ASCII words of all spellings (for typo repair)
    head_nouns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # "motor" → items called so
    # consecutive words of names ("hobbing machine") → (kind, key) of the names that contain them
    word_runs: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    display: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) → a readable name

    def add(self, kind: str, key: str, spelling: str) -> None:
        text = " ".join(to_simplified(spelling).lower().split())  # messages are matched in Simplified
        parts = tokens(text)
        if not parts:
            return
        pattern = re.compile(_spelling_pattern(parts))
        entry = Spelling(kind, key, text, pattern, sum(len(p) for p in parts))
        self.spellings.append(entry)
        self.by_first_token[parts[0]].append(entry)
        words = [singular(w) for w in re.findall(r"[a-z]+", text)]
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                self.word_runs[" ".join(words[i : i + n])].add((kind, key))

    def candidates(self, token: str) -> list[Spelling]:
        found = self.by_first_token.get(token, [])
        base = singular(token)
        if base != token:
            found = found + self.by_first_token.get(base, [])
        return found


def _spelling_pattern(parts: list[str]) -> str:
    pieces: list[str] = []
    for part in parts:
        piece = re.escape(part)
        if part.isalpha() and part.isascii() and len(part) > 2:
            # plurals: "valves", "gearboxes", "bodies"
            piece = re.escape(part[:-1]) + r"(?:y|ies)" if part.endswith("y") else piece + r"(?:e?s)?"
        pieces.append(piece)
    body = _SEPARATORS.join(pieces)
    if parts[-1].isascii():
        body += r"(?![a-z0-9])"
    return body


def _head_nouns(spelling: str) -> set[str]:
    """What a spelling is *called* when said short: its first and last word ("Motor 7.5 kW" → motor),
    or the end of a Chinese name ("7.5千瓦电机" → 电机, 千瓦电机)."""
    words = [w for w in re.findall(r"[a-z]+", spelling.lower()) if len(w) >= 4]
    nouns = {singular(words[0]), singular(words[-1])} if words else set()
    chinese = re.search(r"[\u3400-\u9fff]{2,}$", spelling)
    if chinese:
        run = chinese.group(0)
        nouns |= {run[-n:] for n in (2, 3) if len(run) > n}
    return nouns


def _order_canonical(order_id: str) -> str:
    return re.sub(r"[^0-9a-z\u3400-\u9fff]", "", order_id.lower())


def build_lexicon(snapshot: PlantSnapshot | None) -> Lexicon:
    lexicon = Lexicon()
    if snapshot is None:
        return lexicon
    for item in snapshot.items.values():
        for spelling in (item.item_id, item.name, *item.aliases):
            lexicon.add("item", item.item_id, spelling)
        lexicon.display[("item", item.item_id)] = item.name
        codes = {a + b for text in (item.item_id, item.name, *item.aliases) for a, b in CODE_TOKEN.findall(text.lower())}
        lexicon.item_codes[item.item_id] = frozenset(codes)
        for spelling in (item.name, *item.aliases):
            for noun in _head_nouns(spelling):
                lexicon.head_nouns[noun].add(item.item_id)
    for resource in snapshot.resources.values():
        for spelling in (resource.resource_id, resource.name, *resource.aliases):
            lexicon.add("resource", resource.resource_id, spelling)
        lexicon.display[("resource", resource.resource_id)] = resource.name
    customers = sorted({order.customer for order in snapshot.sales_orders})
    first_words = [c.split()[0].lower() for c in customers if len(c.split()) > 1]
    for customer in customers:
        lexicon.add("customer", customer, customer)
        short = _COMPANY_SUFFIXES.sub("", customer.lower()).strip()
        if short and short != customer.lower():
            lexicon.add("customer", customer, short)
        words = customer.lower().split()
        if len(words) > 1 and len(words[0]) >= 5 and words[0].isalpha() and first_words.count(words[0]) == 1:
            lexicon.add("customer", customer, words[0])  # "Nordwind" for Nordwind Energy
        lexicon.display[("customer", customer)] = customer
    for order in snapshot.sales_orders:
        lexicon.order_ids[_order_canonical(order.order_id)] = order.order_id
        number = re.search(r"(\d+)\D*$", order.order_id)
        if number:
            lexicon.order_ids_by_number[number.group(1).lstrip("0") or "0"].append(order.order_id)
        prefix = re.match(r"[A-Za-z]+", order.order_id)
        if prefix:
            lexicon.order_prefixes.add(prefix.group(0).lower())
    lexicon.top_level_items = frozenset(i for i in snapshot.items if not snapshot.parents_of.get(i))
    lexicon.vocabulary = frozenset(
        word for s in lexicon.spellings for word in re.findall(r"[a-z]{5,}", s.text)
    )
    return lexicon


# Snapshots are unhashable (they hold dicts): cache by identity, drop the entry when the snapshot goes.
_CACHE: dict[int, Lexicon] = {}
_CACHE_LOCK = threading.Lock()


def lexicon_for(snapshot: PlantSnapshot | None) -> Lexicon:
    """The lexicon of a snapshot, built once and kept while the snapshot lives."""
    if snapshot is None:
        return Lexicon()
    key = id(snapshot)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = build_lexicon(snapshot)
            _CACHE[key] = cached
            weakref.finalize(snapshot, _CACHE.pop, key, None)
        return cached
