"""Finding items, resources, customers and orders in a message.

Exact spellings (id, name, alias; any case, any separator, plurals) win; the longest
match wins where spellings overlap ("DN80 ball valve" over "ball"); a few typos are
forgiven by fuzzy matching (rapidfuzz) with one hard rule: digits must match exactly,
because "DN300" is not a misspelt "DN100". A size code next to a generic name that
contradicts the item ("DN300 闸阀" where 闸阀 is the DN100 gate valve) is a different,
unknown item: it is reported as unmatched, never silently swapped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from planbridge.language.rules.lexicon import CODE_TOKEN, Lexicon, Spelling, singular
from planbridge.language.rules.text import CUSTOMER_MARK, ITEM_MARK, ORDER_MARK, RESOURCE_MARK, Workspace, word_set

_TOKEN = re.compile(r"[a-z]+|\d+|[\u3400-\u9fff\uf900-\ufaff]")
_MARK_OF = {"item": ITEM_MARK, "resource": RESOURCE_MARK, "customer": CUSTOMER_MARK}
_WORD = re.compile(r"[a-z][a-z0-9\-']*|\d+[a-z]*")

# Words that never start or make up an entity mention on their own (fuzzy windows skip them).
_STOP_WORDS = word_set(
    "a an the of for to by from in on at and or is are be can could we you they it its this that "
    "these those our my your their do does did have has had will would should please pls need needs "
    "want wants how when what which where who why much many any some more less than with without "
    "order orders qty quantity pcs pc units unit piece pieces ea set sets date dates deliver delivery "
    "ship shipped make quote stock check status rush cancel change customer client asap ok"
)


@dataclass(frozen=True, slots=True)
class Mention:
    kind: str  # item, resource, customer, order
    key: str | None  # None: named, but nothing in the plant matches (or several do)
    start: int
    end: int
    text: str
    candidates: tuple[str, ...] = ()  # when ambiguous: the keys it could be


# ---------------------------------------------------------------- orders

_ORDER_LIKE = re.compile(r"(?<![a-z0-9])([a-z]{1,6})(\s?[-_#]?\s?)(\d{1,8})(?![0-9])")
_ORDER_NUMBER = (
    re.compile(r"(?:\border|订单|单号)\s*(?:no\.?|number|#|号)?\s*#?\s*(?P<n>\d{2,8})(?![0-9])"),
    re.compile(r"(?<![a-z0-9])#\s*(?P<n>\d{2,8})(?![0-9])"),
    re.compile(r"(?<![a-z0-9\-])(?P<n>\d{2,8})\s*号?\s*(?:订单|单)"),
)


def find_orders(ws: Workspace, lexicon: Lexicon) -> list[Mention]:
    """Order ids ("SO-2418", "so 2418", "A-2", "order 2418", "2418号订单"), known or not."""
    found: list[Mention] = []
    for match in _ORDER_LIKE.finditer(ws.lower):
        letters, separator, number = match.groups()
        raw = match.group(0)
        order_id = lexicon.order_ids.get(letters + number)
        if order_id and len(letters) <= 1 and raw.replace(" ", "") != order_id.lower():
            continue  # "a 2" in a sentence is not order A-2
        known_shape = separator.strip() in ("-", "_", "#") or not (separator or len(letters) <= 1)
        if order_id is None and (letters not in lexicon.order_prefixes or not known_shape):
            continue  # unknown ids only in the plant's own shape ("SO-2999"), never "so 300"
        if not ws.is_free(match.start(), match.end()):
            continue
        found.append(Mention("order", order_id, match.start(), match.end(), ws.original[match.start() : match.end()]))
        ws.claim(match.start(), match.end(), ORDER_MARK)
    for pattern in _ORDER_NUMBER:
        for match in pattern.finditer(ws.lower):
            ids = lexicon.order_ids_by_number.get(match["n"].lstrip("0") or "0", [])
            start, end = match.start("n"), match.end("n")
            if len(ids) != 1 or not ws.is_free(start, end):
                continue
            found.append(Mention("order", ids[0], start, end, match["n"]))
            ws.claim(start, end, ORDER_MARK)
    return sorted(found, key=lambda m: m.start)


# ---------------------------------------------------------------- items, resources, customers


def find_entities(ws: Workspace, lexicon: Lexicon, *, prefer_resources: bool) -> list[Mention]:
    """Items, resources and customers named in the message; their spans are claimed."""
    mentions = _exact(ws, lexicon, prefer_resources=prefer_resources)
    mentions = [_check_code_conflict(ws, lexicon, m) for m in mentions]
    for mention in mentions:
        ws.claim(mention.start, mention.end, _MARK_OF[mention.kind])
    missing = {"item", "resource", "customer"} - {m.kind for m in mentions}
    if missing:
        for mention in _fuzzy(ws, lexicon, missing):
            mentions.append(mention)
            ws.claim(mention.start, mention.end, _MARK_OF[mention.kind])
    for kind in ("item", "resource"):
        if not any(m.kind == kind for m in mentions):
            partial = _by_partial_name(ws, lexicon, kind)
            if partial:
                mentions.append(partial)
                ws.claim(partial.start, partial.end, _MARK_OF[kind])
    if not any(m.kind == "item" for m in mentions):
        coded = _by_code(ws, lexicon)
        if coded:
            mentions.append(coded)
            ws.claim(coded.start, coded.end, ITEM_MARK)
    # "enough bearings for the GB350 orders": a plain noun said first is the subject.
    named = _by_head_noun(ws, lexicon)
    if named and not any(m.kind == "item" and m.start < named.start for m in mentions):
        mentions.append(named)
        ws.claim(named.start, named.end, ITEM_MARK)
    return sorted(mentions, key=lambda m: m.start)


def _exact(ws: Workspace, lexicon: Lexicon, *, prefer_resources: bool) -> list[Mention]:
    spans: dict[tuple[int, int], list[Spelling]] = defaultdict(list)
    text = ws.lower
    for token in _TOKEN.finditer(text):
        start = token.start()
        if start > 0 and token.group().isascii() and text[start - 1].isascii() and text[start - 1].isalnum():
            continue
        for spelling in lexicon.candidates(token.group()):
            match = spelling.pattern.match(text, start)
            if match and ws.is_free(start, match.end()):
                spans[(start, match.end())].append(spelling)
    chosen: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for (start, end), spellings in sorted(spans.items(), key=lambda kv: (-(kv[0][1] - kv[0][0]), kv[0][0])):
        if any(start < e and s < end for s, e in taken):
            continue
        mention = _resolve(spellings, start, end, ws, lexicon, prefer_resources=prefer_resources)
        chosen.append(mention)
        taken.append((start, end))
    return chosen


def _resolve(
    spellings: list[Spelling], start: int, end: int, ws: Workspace, lexicon: Lexicon, *, prefer_resources: bool
) -> Mention:
    """One spelling, several meanings ("paint": the paint booth or the epoxy paint)."""
    text = ws.original[start:end]
    by_kind: dict[str, list[str]] = defaultdict(list)
    for spelling in spellings:
        if spelling.key not in by_kind[spelling.kind]:
            by_kind[spelling.kind].append(spelling.key)
    if "item" in by_kind and "resource" in by_kind:
        by_kind.pop("item" if prefer_resources else "resource")
    kind = next(k for k in ("item", "resource", "customer") if k in by_kind)
    keys = by_kind[kind]
    if len(keys) > 1 and kind == "item":
        top = [k for k in keys if k in lexicon.top_level_items]
        keys = top if len(top) == 1 else keys
    if len(keys) == 1:
        return Mention(kind, keys[0], start, end, text)
    return Mention(kind, None, start, end, text, tuple(sorted(keys)))


def _check_code_conflict(ws: Workspace, lexicon: Lexicon, mention: Mention) -> Mention:
    """"DN300 gate valve": the alias says DN100 gate valve, the size says otherwise."""
    if mention.kind != "item" or mention.key is None:
        return mention
    owned = lexicon.item_codes.get(mention.key, frozenset())
    if not owned or CODE_TOKEN.search(ws.lower[mention.start : mention.end]):
        return mention
    families = {re.match(r"[a-z]+", code).group(0) for code in owned}  # type: ignore[union-attr]
    before = re.search(r"([a-z]{1,4})[\s\-]?(\d{2,5})\s*$", ws.lower[max(0, mention.start - 12) : mention.start])
    after = re.match(r"\s*([a-z]{1,4})[\s\-]?(\d{2,5})(?![0-9])", ws.lower[mention.end : mention.end + 12])
    for found, side in ((before, "before"), (after, "after")):
        if found and found.group(1) in families and found.group(1) + found.group(2) not in owned:
            start = mention.start - (len(found.group(0))) if side == "before" else mention.start
            end = mention.end if side == "before" else mention.end + len(found.group(0))
            return Mention("item", None, start, end, ws.original[start:end].strip())
    return mention


def _fuzzy(ws: Workspace, lexicon: Lexicon, kinds: set[str]) -> list[Mention]:
    """Typos: "gate vlaves", "ball valvs", "Globx" (digits must still match exactly)."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(ws.lower)]
    if not words:
        return []
    choices: dict[int, str] = {}
    owners: dict[int, Spelling] = {}
    for index, spelling in enumerate(lexicon.spellings):
        if spelling.kind in kinds and spelling.text.isascii() and len(spelling.text) >= 5:
            choices[index], owners[index] = spelling.text, spelling
    if not choices:
        return []
    best: dict[str, tuple[float, int, int, Spelling]] = {}
    for i in range(len(words)):
        for n in (1, 2, 3, 4):
            window = words[i : i + n]
            if len(window) < n or window[0][2] in _STOP_WORDS or window[-1][2] in _STOP_WORDS:
                continue
            start, end = window[0][0], window[-1][1]
            if not ws.is_free(start, end):
                continue
            phrase = " ".join(w[2] for w in window)
            if len(phrase) < 5 or (n == 1 and phrase.endswith(("ing", "ed", "ly"))):
                continue  # "all" is not a misspelt "ball", "late" not "lathe", "chasing" not "casing"
            hit = process.extractOne(phrase, choices, scorer=fuzz.ratio, score_cutoff=84)
            if hit is None or hit[0][0] != phrase[0]:
                continue
            spelling = owners[hit[2]]
            if re.findall(r"\d+", phrase) != re.findall(r"\d+", spelling.text):
                continue
            score = hit[1] + 0.01 * (end - start)
            if spelling.kind not in best or score > best[spelling.kind][0]:
                best[spelling.kind] = (score, start, end, spelling)
    chosen: list[Mention] = []
    for _score, start, end, spelling in sorted(best.values(), key=lambda b: -b[0]):
        if any(start < m.end and m.start < end for m in chosen):
            continue
        chosen.append(Mention(spelling.kind, spelling.key, start, end, ws.original[start:end]))
    return chosen


def _by_code(ws: Workspace, lexicon: Lexicon) -> Mention | None:
    """A bare size code ("DN80") names the one finished item that carries it."""
    for match in CODE_TOKEN.finditer(ws.lower):
        if not ws.is_free(match.start(), match.end()):
            continue
        code = match.group(1) + match.group(2)
        owners = [item for item, codes in lexicon.item_codes.items() if code in codes]
        top = [item for item in owners if item in lexicon.top_level_items]
        chosen = owners if len(owners) == 1 else top
        text = ws.original[match.start() : match.end()]
        if len(chosen) == 1:
            return Mention("item", chosen[0], match.start(), match.end(), text)
        families = {re.match(r"[a-z]+", c).group(0) for codes in lexicon.item_codes.values() for c in codes}  # type: ignore[union-attr]
        if match.group(1) in families:
            return Mention("item", None, match.start(), match.end(), text, tuple(sorted(chosen or owners)))
    return None


def _by_partial_name(ws: Workspace, lexicon: Lexicon, kind: str) -> Mention | None:
    """"hobbing machine" for the Gear hobbing machine: two or more words of one name, in order."""
    words = [(m.start(), m.end(), singular(m.group())) for m in re.finditer(r"[a-z]{3,}", ws.lower)]
    for i in range(len(words)):
        for n in (3, 2):
            window = words[i : i + n]
            if len(window) < n or not ws.is_free(window[0][0], window[-1][1]):
                continue
            if any(w[2] in _STOP_WORDS for w in window):
                continue
            phrase = " ".join(w[2] for w in window)
            owners = {key for k, key in lexicon.word_runs.get(phrase, ()) if k == kind}
            if len(owners) == 1:
                start, end = window[0][0], window[-1][1]
                return Mention(kind, owners.pop(), start, end, ws.original[start:end])
    return None


def _by_head_noun(ws: Workspace, lexicon: Lexicon) -> Mention | None:
    """"motors" names the one item called a motor; "电机" the one whose Chinese name ends so.
    A word several items share ("valves", "阀体") names none of them."""
    for match in re.finditer(r"[a-z]{4,}|[\u3400-\u9fff]{2,}", ws.lower):
        word = match.group()
        if word.isascii():
            candidates = [(match.start(), match.end(), singular(word))]
        else:
            candidates = [(match.start() + i, match.start() + i + n, word[i : i + n])
                          for n in (3, 2) for i in range(len(word) - n + 1)]
        for start, end, noun in candidates:
            owners = lexicon.head_nouns.get(noun, set())
            if len(owners) == 1 and ws.is_free(start, end):
                return Mention("item", next(iter(owners)), start, end, ws.original[start:end])
    return None


# ---------------------------------------------------------------- customers the plant does not know yet

_EN_CUSTOMER = re.compile(
    r"\b(?:for|from|to|customer|client|enquiry from|inquiry from)\s*:?\s+"
    r"(?P<name>[A-Z][\w&'.]*(?:\s+(?:[A-Z][\w&'.]*|&))*)"
)
_ZH_CUSTOMER = re.compile(
    r"(?:新客户|客户)[:：]?\s*(?P<name>(?![说要想问的催那这也都还已在是])[\u4e00-\u9fffA-Za-z]{2,12}?)"
    r"(?=要|想|问|需要|询价|询|订|下单|的|说)"
)
_NOT_NAMES = word_set(
    "i we you he she they it us me the a an this that monday tuesday wednesday thursday friday saturday sunday "
    "january february march april may june july august september october november december asap ok pls please "
    "today tomorrow next end"
)


def unknown_customer(ws: Workspace) -> Mention | None:
    """"for Stark Industries", "新客户海河水务要…": a customer who has no orders yet."""
    for match in _EN_CUSTOMER.finditer(ws.text):
        name = match.group("name").strip(" .,'")
        words = name.split()
        while words and words[-1].lower() in _NOT_NAMES:
            words.pop()
        if not words or words[0].lower() in _NOT_NAMES or any(ch.isdigit() for ch in name):
            continue
        name = " ".join(words)
        start = match.start("name")
        if len(name) >= 2 and ws.is_free(start, start + len(name)):
            return Mention("customer", name, start, start + len(name), name)
    for match in _ZH_CUSTOMER.finditer(ws.text):
        start, end = match.start("name"), match.end("name")
        if ws.is_free(start, end):
            return Mention("customer", match.group("name"), start, end, match.group("name"))
    return None
