"""Quantities: "500", "1,200", "1.2k", "x 400", "two hundred", "五百", "1.2万", "一千二百个", "50台".

Run after dates, orders and entities have claimed their spans, so the "100" of "DN100",
the "15" of "Jan 15" and the "2418" of "SO-2418" are gone. What is left is scored: a
unit ("pcs", "个", "台") or an item right next to it makes a number a quantity; a time
unit ("days", "天"), money, a percentage or a clock time makes it something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planbridge.language.rules.numbers import (
    CN_NUMERAL_CHARS,
    ENGLISH_MAGNITUDE_WORDS,
    ENGLISH_NUMBER_WORDS,
    chinese_number,
    english_number,
    numeric_value,
)
from planbridge.language.rules.text import ITEM_MARK, OTHER_MARK, Workspace, ascii_words

_UNITS = r"(?:pcs|pc|pieces|piece|units|unit|ea|each|sets|set|nos|kgs|kg|tons|台|个|件|套|只|支|根|把|片|条|公斤|千克|吨)"
_UNIT_AFTER = re.compile(rf"\s*(?:{_UNITS})(?![a-z])")
_NOT_A_QUANTITY_AFTER = re.compile(ascii_words(
    r"\s*(?:%|percent|:\d|/\d|-\d|(?:st|nd|rd|th)\b|days?\b|weeks?\b|months?\b|years?\b|hours?\b|hrs?\b|mins?\b|"
    r"minutes?\b|am\b|pm\b|yuan\b|rmb\b|usd\b|dollars?\b|euros?\b|天|周|星期|礼拜|个月|个星期|个工作日|个小时|月|日|号|年|"
    r"小时|点|分钟|元|块钱|美元|万元|岁|次|%)"
))
_MONEY_BEFORE = re.compile(r"[$¥€£]\s*$")
_DIGITS = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<suffix>\s?(?:k|千|万|w)(?![a-z])|\s?打|\s+dozens?\b)?"
)
# "一打", "两打", "半打": dozens counted in Chinese
_CHINESE_DOZENS = re.compile(rf"(?P<num>[{CN_NUMERAL_CHARS}]+|半)\s*打(?!算|开|印|电话|折|工|扰)")
DOZEN = 12.0
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?e[+-]?\d{1,3}(?![a-z0-9])")
_CHINESE = re.compile(rf"[{CN_NUMERAL_CHARS}]+")
_ENGLISH = re.compile(ascii_words(
    r"\b(?:(?:" + "|".join(sorted(ENGLISH_NUMBER_WORDS, key=len, reverse=True)) + r")(?:[\s-]+|\b))+"
))
_CUES_BEFORE = re.compile(ascii_words(
    r"(?:\bqty|\bquantity|\bx|\bneed|\bneeds|\border|\bwant|\bwants|\bfor|\bof|\bdo|\bmake|\bship|\bdeliver|"
    r"\bquote|\bget|\bsupply|\bbuild|数量|要|订|需要|报|共|买|做|交|生产|下单)\s*:?\s*$"
))
_TARGET_BEFORE = re.compile(ascii_words(
    r"(?:\bto|\binto|改成|改为|改到|加到|减到|增加到|减少到|降到|提高到|调到|变成|->|→)\s*$"
))
_SOURCE_BEFORE = re.compile(ascii_words(r"(?:\bfrom|\binstead of|\boriginally|\bwas|原来|原定|本来|从)\s*$"))


@dataclass(frozen=True, slots=True)
class QuantityMention:
    start: int
    end: int
    value: float
    score: float
    role: str  # "target" ("to 300", "改成300"), "source" ("from 120") or "plain"


def find_quantities(ws: Workspace) -> list[QuantityMention]:
    found: list[QuantityMention] = []
    for finder in (_chinese_dozens, lambda w: [*_digit_quantities(w), *_chinese_quantities(w), *_english_quantities(w)]):
        more = finder(ws)  # dozens first: the "一" of "一打" is not a quantity of its own
        for q in more:
            ws.claim(q.start, q.end, OTHER_MARK)
        found += more
    return sorted(found, key=lambda q: q.start)


def pick_quantity(mentions: list[QuantityMention]) -> float | None:
    """The quantity the request is about: a "to …" one first, never a "from …" one, else the best scored."""
    candidates = [m for m in mentions if m.role != "source" and m.value > 0]
    if not candidates:
        return None
    targets = [m for m in candidates if m.role == "target"]
    if targets:
        return targets[-1].value
    return max(candidates, key=lambda m: (m.score, -m.start)).value


def _digit_quantities(ws: Workspace) -> list[QuantityMention]:
    found = []
    # "1e9": read as the number it is, so the planning services refuse it as too much (a typo
    # read as "1" would quietly quote one piece)
    scientific = [m for m in _SCIENTIFIC.finditer(ws.lower) if ws.is_free(m.start(), m.end())
                  and _free_standing(ws, m.start())]
    for match in scientific:
        found.append(_mention(ws, match.start(), match.end(), float(match.group()), bonus=1.0))
    for match in _DIGITS.finditer(ws.lower):
        start, end = match.start(), match.end()
        if any(s.start() <= start < s.end() for s in scientific):
            continue
        if not ws.is_free(start, end) or not _free_standing(ws, start):
            continue
        if _NOT_A_QUANTITY_AFTER.match(ws.lower, end) or _MONEY_BEFORE.search(ws.before(start, 3)):
            continue
        suffix = (match.group("suffix") or "").strip()
        dozens = suffix.startswith(("dozen", "打"))
        value = numeric_value(match.group("num"), "" if dozens else suffix)
        if value is not None and dozens:
            value *= DOZEN
        if value is None:
            continue
        found.append(_mention(ws, start, end, value, bonus=1.0 if suffix or "," in match.group("num") else 0.0))
    return found


def _chinese_dozens(ws: Workspace) -> list[QuantityMention]:
    found = []
    for match in _CHINESE_DOZENS.finditer(ws.lower):
        start, end = match.start(), match.end()
        if not ws.is_free(start, end):
            continue
        count = 0.5 if match.group("num") == "半" else chinese_number(match.group("num"))
        if count:
            found.append(_mention(ws, start, end, count * DOZEN, bonus=1.0))
    return found


def _free_standing(ws: Workspace, start: int) -> bool:
    """Not glued to a word ("DN300", "V100", "M16"); "x500" and "×500" are fine."""
    if start == 0:
        return True
    previous = ws.lower[start - 1]
    if previous == "x":
        return start < 2 or not ws.lower[start - 2].isalpha()
    return not (previous.isascii() and (previous.isalnum() or previous in "-./#_"))


def _chinese_quantities(ws: Workspace) -> list[QuantityMention]:
    found = []
    for match in _CHINESE.finditer(ws.lower):
        start, end = match.start(), match.end()
        if not ws.is_free(start, end) or _NOT_A_QUANTITY_AFTER.match(ws.lower, end):
            continue
        value = chinese_number(match.group())
        has_unit = _UNIT_AFTER.match(ws.lower, end) is not None
        magnitude = any(ch in "百千万亿" for ch in match.group()) and len(match.group()) >= 2
        if value is None or not (has_unit or magnitude or _next_is_item(ws, end)):
            continue  # a lone "一" is "a", not a quantity ("一下", "一共")
        found.append(_mention(ws, start, end, value, bonus=0.0))
    return found


def _english_quantities(ws: Workspace) -> list[QuantityMention]:
    found = []
    for match in _ENGLISH.finditer(ws.lower):
        words = match.group().replace("-", " ").split()
        while words and words[-1] in ("and", "a", "an", "half"):
            words.pop()
        if not words:
            continue
        text = " ".join(words)
        start = match.start()
        end = start + len(match.group().rstrip(" -"))
        end = start + ws.lower[start:end].rfind(words[-1]) + len(words[-1])
        value = english_number(words)
        if value is None or not ws.is_free(start, end):
            continue
        magnitude = any(w in ENGLISH_MAGNITUDE_WORDS for w in words)
        if not (magnitude or _UNIT_AFTER.match(ws.lower, end) or _next_is_item(ws, end)) or text in ("a", "an"):
            continue  # "one of them", "the two orders"
        if _NOT_A_QUANTITY_AFTER.match(ws.lower, end):
            continue
        found.append(_mention(ws, start, end, value, bonus=0.0))
    return found


def _next_is_item(ws: Workspace, end: int) -> bool:
    rest = ws.text[end : end + 3].lstrip()
    return rest.startswith(ITEM_MARK)


def _previous_is_item(ws: Workspace, start: int) -> bool:
    return ws.text[max(0, start - 3) : start].rstrip().endswith(ITEM_MARK)


def _mention(ws: Workspace, start: int, end: int, value: float, *, bonus: float) -> QuantityMention:
    unit = _UNIT_AFTER.match(ws.lower, end)
    if unit:
        end = unit.end()
    score = bonus + (3.0 if unit else 0.0)
    if _next_is_item(ws, end) or _previous_is_item(ws, start):
        score += 2.0
    before = ws.before(start, 14)
    if _CUES_BEFORE.search(before):
        score += 1.0
    role = "source" if _SOURCE_BEFORE.search(before) else "target" if _TARGET_BEFORE.search(before) else "plain"
    return QuantityMention(start, end, value, score, role)
