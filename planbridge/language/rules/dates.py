"""Dates in messages, absolute and relative, English and Chinese, resolved against `as_of`.

Conventions (documented for users and for the evaluation set):
  - a date without a year is the next such date on or after `as_of`;
  - "Friday", "周五": the first Friday strictly after `as_of`; "this Friday", "本周五": Friday of
    the current week; "next Friday", "下周五": Friday of next week; "下下周五": the week after;
  - "this week" / "本周" = Friday of this week, "next week" / "下周" = Friday of next week;
  - "in two weeks", "两周内", "within 10 days", "10天内": `as_of` plus that many days (weeks,
    months); "5 working days", "5个工作日": Monday-to-Friday days;
  - "end of month" / "月底" = the last day of the month; "mid-month" / "月中" = the 15th;
  - "before Christmas", "春节前": the day before the holiday; "by Christmas": the day itself;
    "before Jan 15" and "1月15日前" are deadlines, so they mean Jan 15 itself;
  - "15/12" is day/month; "12/15" month/day; when both readings are valid ("1/12"), the one
    nearer in the future wins.
English month names with a day ("Dec 15", "15th of December, 2026") are read by `dateparser`;
everything relative is done here, because dateparser reads "next Wednesday" as the first
Wednesday after today and does not read Chinese relative dates at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from planbridge.language.rules import calendar_words as cw
from planbridge.language.rules.numbers import chinese_number, english_number
from planbridge.language.rules.text import DATE_MARK, Workspace, ascii_words

_CN_NUM = "[零一二两三四五六七八九十百半]"
_EN_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|a couple of|a few)"
_MONTH = "|".join(sorted(cw.MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(cw.WEEKDAYS, key=len, reverse=True))

_SOURCE_CUE = re.compile(ascii_words(r"(?:\bfrom|\bwas|\boriginally|\binstead of|\brather than|原定|原来|原本|本来|从|而不是)\s*$"))
_TARGET_CUE = re.compile(ascii_words(
    r"(?:\bto|\buntil|\btill|\binto|改到|改成|改为|推迟到|延期到|延后到|延到|提前到|挪到|推到|调到|->|→)\s*$"
))


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    value: date
    rank: int  # rule order: lower = more explicit ("Jan 15" outranks the "Friday" next to it)
    role: str  # "target" (after "to", "改到"), "source" (after "from", "原定") or "plain"


@dataclass(frozen=True, slots=True)
class _Context:
    as_of: date
    language: str
    ws: Workspace


Resolver = Callable[[re.Match[str], _Context], date | None]


def _number(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text in ("a", "an", "one"):
        return 1
    if text == "a couple of":
        return 2
    if text == "a few":
        return 3
    if text == "半":
        return None
    value = chinese_number(text)
    if value is None:
        value = english_number(text.split())
    return int(value) if value is not None and value.is_integer() else None


def _ymd(m: re.Match[str], c: _Context) -> date | None:
    return cw.safe_date(int(m["y"]), int(m["m"]), int(m["d"]))


def _numeric_with_year(m: re.Match[str], c: _Context) -> date | None:
    year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    a, b = int(m["a"]), int(m["b"])
    readings = [cw.safe_date(year, b, a), cw.safe_date(year, a, b)]  # day/month first
    return next((d for d in readings if d), None)


def _numeric_no_year(m: re.Match[str], c: _Context) -> date | None:
    a, b = int(m["a"]), int(m["b"])
    readings = [d for d in (cw.future_month_day(c.as_of, b, a), cw.future_month_day(c.as_of, a, b)) if d]
    return min(readings) if readings else None


def _cn_month_day(m: re.Match[str], c: _Context) -> date | None:
    month, day = _number(m["m"]), _number(m["d"])
    if month is None or day is None:
        return None
    if m["y"]:
        return cw.safe_date(int(m["y"]), month, day)
    return cw.future_month_day(c.as_of, month, day)


def _cn_month_part(m: re.Match[str], c: _Context) -> date | None:
    month = _number(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    start = cw.future_month_day(c.as_of, month, 1) or c.as_of
    if month == c.as_of.month:
        start = date(c.as_of.year, month, 1)
    return _month_part(start, m["part"])


def _month_part(first: date, part: str) -> date:
    if part in ("底", "末", "end", "late"):
        return cw.end_of_month(first)
    if part in ("中", "mid", "middle"):
        return first.replace(day=15)
    return first


def _relative_month_day(m: re.Match[str], c: _Context) -> date | None:
    day = _number(m["d"])
    months = 0 if m["which"] in ("本", "这", "这个", "今") else m["which"].count("下")
    first = cw.first_of_month(c.as_of, months)
    return cw.safe_date(first.year, first.month, day) if day else None


def _day_of_month(m: re.Match[str], c: _Context) -> date | None:
    day = _number(m["d"])
    return cw.future_day_of_month(c.as_of, day) if day else None


def _cn_period(m: re.Match[str], c: _Context) -> date | None:
    groups = m.groupdict()
    which, unit, part = groups.get("which") or "", groups.get("unit") or "月", groups.get("part") or ""
    offset = which.count("下")
    if unit == "年":
        return date(c.as_of.year, 12, 31)
    if unit == "月":
        if part == "初":
            return cw.first_of_month(c.as_of, max(offset, 1))
        if part == "中":
            return cw.first_of_month(c.as_of, offset).replace(day=15)
        return cw.end_of_month(c.as_of, offset)
    return cw.end_of_week(c.as_of, offset)


def _cn_weekday(m: re.Match[str], c: _Context) -> date:
    weekday = cw.CN_WEEKDAYS[m["d"]]
    which = m["which"] or ""
    if "下" in which:
        return cw.weekday_in_weeks(c.as_of, weekday, which.count("下"))
    if which.startswith(("这", "本")):
        return cw.weekday_this_week(c.as_of, weekday)
    return cw.next_weekday(c.as_of, weekday)


def _duration(m: re.Match[str], c: _Context) -> date | None:
    unit = m["unit"]
    raw = (m["n"] or "").strip()
    if raw in ("半", "half a", "half"):
        return c.as_of + timedelta(days=15 if unit in ("月", "month") else 3)
    count = _number(raw) if raw else 1
    if count is None:
        return None
    if m["work"]:
        return cw.plus_working_days(c.as_of, count)
    if unit in ("天", "日", "day"):
        return c.as_of + timedelta(days=count)
    if unit in ("周", "星期", "礼拜", "week"):
        return c.as_of + timedelta(weeks=count)
    if unit == "fortnight":
        return c.as_of + timedelta(weeks=2 * count)
    return cw.plus_months(c.as_of, count)


def _cn_relative_day(m: re.Match[str], c: _Context) -> date:
    offsets = {"今天": 0, "今日": 0, "当天": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
    return c.as_of + timedelta(days=offsets[m[0]])


def _en_relative_day(m: re.Match[str], c: _Context) -> date:
    word = m[0]
    if "after" in word:
        return c.as_of + timedelta(days=2)
    return c.as_of + timedelta(days=0 if word in ("today", "tonight") else 1)


_CN_HOLIDAYS = {
    "春节": "spring_festival", "过年": "spring_festival", "新年": "new_year", "元旦": "new_year",
    "国庆": "national_day", "国庆节": "national_day", "五一": "labour_day", "劳动节": "labour_day",
    "中秋": "mid_autumn", "中秋节": "mid_autumn", "端午": "dragon_boat", "端午节": "dragon_boat",
    "圣诞": "christmas", "圣诞节": "christmas", "清明": "qingming", "清明节": "qingming",
}


def _cn_holiday(m: re.Match[str], c: _Context) -> date | None:
    day = cw.next_holiday(c.as_of, _CN_HOLIDAYS[m["h"]])
    if day is None:
        return None
    return day - timedelta(days=1) if m["before"] else day


def _en_holiday_key(name: str) -> str:
    name = name.replace("-", " ")
    if "chinese" in name or name in ("cny", "spring festival"):
        return "spring_festival"
    for words, key in (("christmas", "christmas"), ("xmas", "christmas"), ("x mas", "christmas"),
                       ("new year", "new_year"), ("national day", "national_day"), ("golden week", "national_day"),
                       ("labor day", "labour_day"), ("labour day", "labour_day"), ("mid autumn", "mid_autumn"),
                       ("dragon boat", "dragon_boat"), ("easter", "easter"), ("thanksgiving", "thanksgiving")):
        if words in name:
            return key
    return "christmas"


def _en_holiday(m: re.Match[str], c: _Context) -> date | None:
    day = cw.next_holiday(c.as_of, _en_holiday_key(m["h"]))
    if day is None:
        return None
    before = m["cue"] in ("before", "ahead of", "prior to")
    return day - timedelta(days=1) if before else day


def _en_month_name(m: re.Match[str], c: _Context) -> date | None:
    # dateparser reads the words ("Sept.", "15th of December, 2026"); the "next such date"
    # convention for a date without a year stays ours.
    parsed = _dateparser(m[0], c.as_of)
    month = parsed.month if parsed else cw.MONTHS[m["mon"].rstrip(".")]
    day = parsed.day if parsed else int(m["d"])
    if m["y"]:
        return cw.safe_date(int(m["y"]), month, day)
    return cw.future_month_day(c.as_of, month, day)


@lru_cache(maxsize=512)
def _dateparser_cached(text: str, as_of: date) -> date | None:
    settings = {
        "RELATIVE_BASE": datetime.combine(as_of, datetime.min.time()),
        "PREFER_DATES_FROM": "future",
        "REQUIRE_PARTS": ["day", "month"],
    }
    import dateparser  # slow to import; only month-name dates need it

    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def _dateparser(text: str, as_of: date) -> date | None:
    cleaned = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text).replace(" of ", " ")
    return _dateparser_cached(cleaned, as_of)


def _en_month_part(m: re.Match[str], c: _Context) -> date | None:
    month = cw.MONTHS[m["mon"].rstrip(".")]
    first = date(c.as_of.year, month, 1)
    if first < cw.first_of_month(c.as_of, 0):
        first = date(c.as_of.year + 1, month, 1)
    part = m["part"].replace("the ", "").replace(" of", "").replace("-", "").strip()
    return _month_part(first, {"beginning": "start", "start": "start", "early": "start"}.get(part, part))


def _en_period(m: re.Match[str], c: _Context) -> date | None:
    which, unit = (m["which"] or "this").strip(), m["unit"]
    offset = 1 if which == "next" else 0
    if unit == "week":
        return cw.end_of_week(c.as_of, offset)
    if unit == "month":
        return cw.end_of_month(c.as_of, offset)
    if unit == "quarter":
        return cw.end_of_quarter(c.as_of, offset)
    return date(c.as_of.year + offset, 12, 31)


def _en_abbreviation(m: re.Match[str], c: _Context) -> date | None:
    return {"eom": cw.end_of_month(c.as_of), "eow": cw.end_of_week(c.as_of),
            "eoy": date(c.as_of.year, 12, 31)}.get(m[0].replace(" ", "").replace("-", "").replace("monthend", "eom")
                                                   .replace("yearend", "eoy"))


def _en_start_of_next_month(m: re.Match[str], c: _Context) -> date:
    return cw.first_of_month(c.as_of, 1)


def _en_mid_month(m: re.Match[str], c: _Context) -> date | None:
    return cw.future_day_of_month(c.as_of, 15)


_ABBREVIATION_CUES = re.compile(ascii_words(r"(?:\bby|\bon|\btill|\buntil|\bbefore|\bfor|\bthis|\bnext|\bdue|\bcoming)\s*$"))


def _en_weekday(m: re.Match[str], c: _Context) -> date | None:
    name = m["wd"]
    if name not in cw.FULL_WEEKDAY_NAMES and not (m["which"] or _ABBREVIATION_CUES.search(c.ws.before(m.start(), 10))):
        return None  # "sat", "sun", "wed" are words too: abbreviations need "by", "on", "next"...
    weekday = cw.WEEKDAYS[name]
    which = (m["which"] or m["which2"] or "").strip()
    if which in ("next", "following") or (m["which2"] or "") == "next":
        return cw.weekday_in_weeks(c.as_of, weekday, 1)
    if which == "this":
        return cw.weekday_this_week(c.as_of, weekday)
    return cw.next_weekday(c.as_of, weekday)


def _ordinal_day(m: re.Match[str], c: _Context) -> date | None:
    return cw.future_day_of_month(c.as_of, int(m["d"]))


_CN_DAY = rf"(?:\d{{1,2}}|{_CN_NUM}{{1,3}})"

# Ordered: more explicit rules first; each claims its span before the next looks.
_RULES: tuple[tuple[str, Resolver], ...] = (
    (r"(?<!\d)(?P<y>20\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*(?:日|号)?(?!\d)", _ymd),
    (r"(?<![\d/.:])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>20\d{2}|\d{2})(?![\d/])", _numeric_with_year),
    (rf"(?:(?P<y>20\d{{2}})\s*年\s*)?(?P<m>{_CN_DAY})\s*月份?\s*(?P<d>{_CN_DAY})\s*(?:日|号|號)?", _cn_month_day),
    (rf"(?P<m>\d{{1,2}}|{_CN_NUM}{{1,3}})\s*月份?(?P<part>底|末|中|初)", _cn_month_part),
    (rf"(?P<which>本|这个|这|今|下下个|下下|下个|下)月\s*(?P<d>{_CN_DAY})\s*(?:日|号|號)", _relative_month_day),
    (rf"(?P<n>\d+|{_CN_NUM}{{1,4}})\s*个?\s*(?:(?P<work>工作日)|(?P<unit>天|日|周|星期|礼拜|月))\s*(?:之内|以内|内|之后|以后|后)",
     _duration),
    (rf"(?:未来|接下来|今后)\s*(?P<n>\d+|{_CN_NUM}{{1,4}})\s*个?\s*(?:(?P<work>工作日)|(?P<unit>天|周|星期|礼拜|月))",
     _duration),
    (r"大后天|后天|明天|明日|今天|今日|当天", _cn_relative_day),
    (r"(?P<h>春节|过年|新年|元旦|国庆节|国庆|五一|劳动节|中秋节|中秋|端午节|端午|圣诞节|圣诞|清明节|清明)\s*(?P<before>之前|以前|前)?",
     _cn_holiday),
    (r"(?P<which>下下个|下下|下个|下|这个|这|本|上个|上)?\s*(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])", _cn_weekday),
    (r"(?P<which>下下个|下下|下个|下|这个|这|本|今)?(?P<unit>月|年)(?P<part>底|末|中|初)", _cn_period),
    (r"(?P<which>下下个|下下|下个|下|这个|这|本)(?P<unit>周|星期|礼拜|月)(?![一二三四五六日天1-7])", _cn_period),
    (r"(?P<which>本|这个|这|当)月(?P<part>底|末)?", _cn_period),
    (rf"(?<![\d月])(?P<d>{_CN_DAY})\s*(?:号|號)(?!订单|单)", _day_of_month),
    (rf"\b(?P<mon>{_MONTH})\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s*(?P<y>20\d{{2}}))?\b", _en_month_name),
    (rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{_MONTH})\b\.?(?:,?\s*(?P<y>20\d{{2}}))?", _en_month_name),
    (rf"\b(?P<part>mid|middle of|the middle of|end of|the end of|late|early|beginning of|the beginning of|start of|the start of)[\s-]*(?P<mon>{_MONTH})\b",
     _en_month_part),
    (r"(?<![\d/.:,])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/])", _numeric_no_year),
    (r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\b(?:today|tonight|tomorrow|tomorow|tommorow|tmrw|tmr)\b", _en_relative_day),
    (r"\b(?:(?P<cue>before|by|until|till|ahead of|prior to)\s+)?(?P<h>chinese new year|cny|spring festival|christmas|xmas|x-mas|new year(?:'s)?(?: day| eve)?|national day|golden week|labou?r day|mid[- ]autumn(?: festival)?|dragon boat(?: festival)?|easter|thanksgiving)\b",
     _en_holiday),
    (rf"\b(?:in|within|inside|inside of|in the next|over the next|during the next|the next|next)\s+(?P<n>{_EN_NUM}|half a)\s+(?P<work>working\s+|business\s+)?(?P<unit>day|week|month|fortnight)s?\b",
     _duration),
    (rf"\b(?P<n>{_EN_NUM})\s+(?P<work>working\s+|business\s+)?(?P<unit>day|week|month)s?\s+(?:from\s+(?:now|today)|out|time)\b",
     _duration),
    (r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?P<which>this\s+|next\s+)?(?P<unit>month|week|year|quarter)\b", _en_period),
    (r"\b(?:eom|eow|eoy|month[- ]end|year[- ]end)\b", _en_abbreviation),
    (r"\b(?:the\s+)?(?:start|beginning)\s+of\s+next\s+month\b", _en_start_of_next_month),
    (r"\bmid[- ]?month\b", _en_mid_month),
    (rf"\b(?:(?P<which>this|next|coming|following|upcoming)\s+)?(?:week\s+)?(?P<wd>{_WEEKDAY})\b(?:\s+(?P<which2>next|this)\s+week)?",
     _en_weekday),
    (r"\b(?P<which>this|next)\s+(?P<unit>week|month)\b", _en_period),
    (r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\b", _ordinal_day),
)
_COMPILED = tuple((re.compile(ascii_words(pattern)), resolve) for pattern, resolve in _RULES)


def find_dates(ws: Workspace, as_of: date, language: str) -> list[DateMention]:
    """Every date in the message, in text order; their spans are claimed in `ws`."""
    context = _Context(as_of, language, ws)
    found: list[DateMention] = []
    for rank, (pattern, resolve) in enumerate(_COMPILED):
        for match in pattern.finditer(ws.lower):
            if not match.group(0).strip() or not ws.is_free(match.start(), match.end()):
                continue
            value = resolve(match, context)
            if value is None:
                continue
            found.append(DateMention(match.start(), match.end(), value, rank, _role(ws, match.start())))
            ws.claim(match.start(), match.end(), DATE_MARK)
    return sorted(found, key=lambda d: d.start)


def _role(ws: Workspace, start: int) -> str:
    before = ws.before(start, 16).rstrip(" ,:")
    if _SOURCE_CUE.search(before):
        return "source"
    if _TARGET_CUE.search(before):
        return "target"
    return "plain"


def pick_due_date(mentions: list[DateMention]) -> date | None:
    """The date the request is about: a "to …" date first, never a "from …" one, else the last.

    Two dates next to each other ("Friday, Jan 8") are one date said twice: the more
    explicit one wins.
    """
    candidates = [m for m in mentions if m.role != "source"]
    if not candidates:
        return None
    targets = [m for m in candidates if m.role == "target"]
    if targets:
        return targets[-1].value
    last = candidates[-1]
    if len(candidates) >= 2:
        previous = candidates[-2]
        if last.start - previous.end <= 3 and previous.rank < last.rank:
            return previous.value
    return last.value
