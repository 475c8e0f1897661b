"""Periods a question is about ("this week", "下个月", "the next two weeks"), both days included.

A list, load or KPI question names a period, not a deadline: "what's late this week" is about
Monday to Sunday of the current week, where a quote "by this week" means its Friday (see
`dates.py`). Conventions: "this/next/last week" are Monday–Sunday weeks; "this/next/last month"
calendar months; "today", "tomorrow" one day; "the next N days/weeks", "未来两周", "两周内" start
today; "the last N days" end yesterday; "by the end of the month", "月底前" run from today to the
month's last day. Run on the message in Simplified Chinese (Traditional is converted first).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from planbridge.language.frame import Window
from planbridge.language.rules import calendar_words as cw
from planbridge.language.rules.numbers import chinese_number, english_number
from planbridge.language.rules.text import ascii_words

_EN_COUNT = r"(?P<n>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|fourteen|thirty|a couple of|a few)"
_CN_COUNT = r"(?P<n>\d+|[一二两三四五六七八九十]{1,3})"
_NOT_A_WEEKDAY = r"(?![一二三四五六日天1-7])"


def _count(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    named = {"a": 1, "one": 1, "a couple of": 2, "a few": 3}.get(text)
    if named is not None:
        return named
    value = chinese_number(text) if not text.isascii() else english_number(text.split())
    return int(value) if value is not None and value.is_integer() else None


def _week(as_of: date, weeks: int) -> Window:
    monday = cw.monday_of(as_of) + timedelta(weeks=weeks)
    return Window(monday, monday + timedelta(days=6))


def _month(as_of: date, months: int) -> Window:
    first = cw.first_of_month(as_of, months)
    return Window(first, cw.end_of_month(first))


def _ahead(as_of: date, m: re.Match[str]) -> Window | None:
    count = _count(m["n"]) if m["n"] else 1
    if count is None or count <= 0:
        return None
    unit = m["unit"]
    days = count * (7 if unit in ("week", "周", "星期", "礼拜") else 30 if unit in ("month", "月") else 1)
    return Window(as_of, as_of + timedelta(days=days - 1))


def _past(as_of: date, m: re.Match[str]) -> Window | None:
    count = _count(m["n"])
    if count is None or count <= 0:
        return None
    days = count * (7 if m["unit"] == "week" else 1)
    return Window(as_of - timedelta(days=days), as_of - timedelta(days=1))


Resolver = Callable[[date, re.Match[str]], Window | None]

_RULES: tuple[tuple[str, Resolver], ...] = (
    (rf"\b(?:in\s+|within\s+|over\s+|during\s+|for\s+)?the\s+(?:next|coming)\s+{_EN_COUNT}\s+(?P<unit>day|week|month)s?\b",
     _ahead),
    (r"\b(?:in|within|over)\s+the\s+(?:next|coming)\s+(?P<n>)(?P<unit>week|month)\b", _ahead),
    (rf"\bnext\s+{_EN_COUNT}\s+(?P<unit>day|week)s\b", _ahead),
    (rf"\b(?:the\s+)?(?:last|past)\s+{_EN_COUNT}\s+(?P<unit>day|week)s\b", _past),
    (rf"(?:未来|接下来|今后|之后)\s*{_CN_COUNT}\s*个?\s*(?P<unit>天|周|星期|礼拜|月)", _ahead),
    (rf"{_CN_COUNT}\s*个?\s*(?P<unit>天|周|星期|礼拜|月)\s*(?:之内|以内|内)", _ahead),
    (r"\b(?:by|before|until|till)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month\b|月底(?:之前|以前|前)|本月底前|这个月底前",
     lambda a, m: Window(a, cw.end_of_month(a))),
    (r"\b(?:this|the\s+current)\s+week\b|本周|这周|这个星期|本星期|这星期|这礼拜|这个礼拜|本礼拜" + _NOT_A_WEEKDAY,
     lambda a, m: _week(a, 0)),
    (r"\b(?:next|the\s+coming|the\s+following)\s+week\b|下周|下个星期|下星期|下礼拜|下个礼拜" + _NOT_A_WEEKDAY,
     lambda a, m: _week(a, 1)),
    (r"\b(?:last|the\s+past|the\s+previous|previous)\s+week\b|上周|上个星期|上星期|上礼拜|上个礼拜" + _NOT_A_WEEKDAY,
     lambda a, m: _week(a, -1)),
    (r"\b(?:this|the\s+current)\s+month\b|本月|这个月|这月|当月", lambda a, m: _month(a, 0)),
    (r"\b(?:next|the\s+coming)\s+month\b|下个月|下月", lambda a, m: _month(a, 1)),
    (r"\b(?:last|the\s+past|the\s+previous|previous)\s+month\b|上个月|上月", lambda a, m: _month(a, -1)),
    (r"\btoday\b|今天|今日", lambda a, m: Window(a, a)),
    (r"\btomorrow\b|明天|明日", lambda a, m: Window(a + timedelta(days=1), a + timedelta(days=1))),
)
_COMPILED = tuple((re.compile(ascii_words(pattern)), resolve) for pattern, resolve in _RULES)


def find_window(text: str, as_of: date) -> Window | None:
    """The first period named in `text` (lower case, Simplified), by the rules' order."""
    for pattern, resolve in _COMPILED:
        match = pattern.search(text)
        if match:
            window = resolve(as_of, match)
            if window is not None:
                return window
    return None
