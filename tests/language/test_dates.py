"""Each date rule, in English and Chinese, against a Monday (2027-01-04) unless said otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from planbridge.language.rules.dates import find_dates, pick_due_date
from planbridge.language.rules.text import Workspace, normalize

MONDAY = date(2027, 1, 4)
WEDNESDAY_BEFORE_CHRISTMAS = date(2026, 12, 16)


def due(text: str, as_of: date = MONDAY) -> date | None:
    ws = Workspace(normalize(text))
    language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
    return pick_due_date(find_dates(ws, as_of, language))


@pytest.mark.parametrize(("text", "expected"), [
    # absolute
    ("by Jan 15", date(2027, 1, 15)),
    ("by Dec 15", date(2027, 12, 15)),  # without a year: the next Dec 15 on or after today
    ("15th of December, 2026", date(2026, 12, 15)),
    ("December 15th 2027", date(2027, 12, 15)),
    ("on 15 Jan", date(2027, 1, 15)),
    ("Sept. 3", date(2027, 9, 3)),
    ("2027-02-10", date(2027, 2, 10)),
    ("2027/2/10", date(2027, 2, 10)),
    ("15/12", date(2027, 12, 15)),  # day/month
    ("12/15", date(2027, 12, 15)),  # month/day: 15 cannot be a month
    ("1/12", date(2027, 1, 12)),  # both readings valid: the nearer one (Jan 12, not Dec 1)
    ("15/12/2027", date(2027, 12, 15)),
    ("by the 20th", date(2027, 1, 20)),
    ("the 2nd", date(2027, 2, 2)),  # Jan 2 is past: next month
    ("mid-January", date(2027, 1, 15)),
    ("end of February", date(2027, 2, 28)),
    # relative
    ("today", MONDAY),
    ("tomorrow", date(2027, 1, 5)),
    ("the day after tomorrow", date(2027, 1, 6)),
    ("Friday", date(2027, 1, 8)),
    ("by Fri", date(2027, 1, 8)),
    ("Monday", date(2027, 1, 11)),  # strictly after today
    ("this Friday", date(2027, 1, 8)),
    ("next Wednesday", date(2027, 1, 13)),  # Wednesday of next week
    ("Friday next week", date(2027, 1, 15)),
    ("in two weeks", date(2027, 1, 18)),
    ("within 10 days", date(2027, 1, 14)),
    ("in 5 working days", date(2027, 1, 11)),
    ("in 3 weeks", date(2027, 1, 25)),
    ("two weeks from now", date(2027, 1, 18)),
    ("in a fortnight", date(2027, 1, 18)),
    ("within a month", date(2027, 2, 4)),
    ("end of month", date(2027, 1, 31)),
    ("by the end of the month", date(2027, 1, 31)),
    ("EOM", date(2027, 1, 31)),
    ("end of next month", date(2027, 2, 28)),
    ("end of the week", date(2027, 1, 8)),
    ("this week", date(2027, 1, 8)),
    ("next week", date(2027, 1, 15)),
    ("end of the year", date(2027, 12, 31)),
    # holidays
    ("before Christmas", date(2027, 12, 24)),
    ("by Christmas", date(2027, 12, 25)),
    ("before Chinese New Year", date(2027, 2, 5)),
    # typos are repaired before the rules see them (see test_parser), so the rules see clean words
])
def test_english_dates(text: str, expected: date) -> None:
    assert due(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("12月20日", date(2027, 12, 20)),
    ("1月15日前", date(2027, 1, 15)),  # a deadline: the date itself
    ("1月15号", date(2027, 1, 15)),
    ("一月十五日", date(2027, 1, 15)),
    ("2027年2月3日", date(2027, 2, 3)),
    ("20号", date(2027, 1, 20)),
    ("下个月5号", date(2027, 2, 5)),
    ("今天", MONDAY),
    ("明天", date(2027, 1, 5)),
    ("后天", date(2027, 1, 6)),
    ("大后天", date(2027, 1, 7)),
    ("周五", date(2027, 1, 8)),
    ("星期三", date(2027, 1, 6)),
    ("本周五", date(2027, 1, 8)),
    ("这周五前", date(2027, 1, 8)),
    ("下周三", date(2027, 1, 13)),
    ("下星期一", date(2027, 1, 11)),
    ("下下周一", date(2027, 1, 18)),
    ("两周内", date(2027, 1, 18)),
    ("10天内", date(2027, 1, 14)),
    ("三天后", date(2027, 1, 7)),
    ("10个工作日内", date(2027, 1, 18)),
    ("一个月内", date(2027, 2, 4)),
    ("三个月内", date(2027, 4, 4)),
    ("未来两周", date(2027, 1, 18)),
    ("月底", date(2027, 1, 31)),
    ("这个月底前", date(2027, 1, 31)),
    ("下个月底", date(2027, 2, 28)),
    ("下周", date(2027, 1, 15)),
    ("本周", date(2027, 1, 8)),
    ("年底", date(2027, 12, 31)),
    ("春节前", date(2027, 2, 5)),
    ("国庆节前", date(2027, 9, 30)),
])
def test_chinese_dates(text: str, expected: date) -> None:
    assert due(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("before Christmas", date(2026, 12, 24)),
    ("圣诞节前", date(2026, 12, 24)),
    ("before new year", date(2026, 12, 31)),
    ("元旦前", date(2026, 12, 31)),
    ("end of month", date(2026, 12, 31)),
    ("月底", date(2026, 12, 31)),
    ("next Friday", date(2026, 12, 25)),
    ("下周三", date(2026, 12, 23)),
    ("Friday", date(2026, 12, 18)),
    ("Jan 15", date(2027, 1, 15)),  # across the year end
    ("1月5日", date(2027, 1, 5)),
])
def test_dates_near_the_year_end(text: str, expected: date) -> None:
    assert due(text, WEDNESDAY_BEFORE_CHRISTMAS) == expected


def test_a_weekday_named_on_that_weekday_means_next_week() -> None:
    friday = date(2027, 1, 8)
    assert due("Friday", friday) == date(2027, 1, 15)
    assert due("周五", friday) == date(2027, 1, 15)


def test_the_target_of_a_move_wins_over_its_origin() -> None:
    assert due("move it from Jan 15 to Jan 20") == date(2027, 1, 20)
    assert due("从1月15日改到1月20日") == date(2027, 1, 20)


def test_a_weekday_said_next_to_its_date_is_one_date() -> None:
    assert due("by Friday, Jan 15") == date(2027, 1, 15)


@pytest.mark.parametrize("text", [
    "we may need more", "she sat down", "the sun is out", "500 pcs", "DN100 gate valve", "SO-2418", "5.5 kW motor",
    "30天OTIF", "a 2 hour job",
])
def test_words_that_are_not_dates(text: str) -> None:
    assert due(text) is None


def test_claimed_dates_leave_no_number_behind() -> None:
    ws = Workspace(normalize("deliver 500 by Jan 15"))
    find_dates(ws, MONDAY, "en")
    assert "15" not in ws.text and "500" in ws.text
