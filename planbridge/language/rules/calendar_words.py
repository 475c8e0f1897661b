"""Date arithmetic the date rules share: weekdays, weeks, month ends, working days, holidays."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}
FULL_MONTH_NAMES = tuple(name for name in MONTHS if len(name) > 4)
FULL_WEEKDAY_NAMES = tuple(name for name in WEEKDAYS if name.endswith("day"))
CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
               "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def next_weekday(as_of: date, weekday: int) -> date:
    """The first such weekday strictly after `as_of` ("Friday" said on a Friday means next week's)."""
    return as_of + timedelta(days=(weekday - as_of.weekday()) % 7 or 7)


def weekday_this_week(as_of: date, weekday: int) -> date:
    """That weekday of the current Monday-to-Sunday week; if already past, the next one."""
    day = monday_of(as_of) + timedelta(days=weekday)
    return day if day >= as_of else next_weekday(as_of, weekday)


def weekday_in_weeks(as_of: date, weekday: int, weeks: int) -> date:
    """"next Wednesday" / "下周三": that weekday of the week `weeks` after the current one."""
    return monday_of(as_of) + timedelta(days=7 * weeks + weekday)


def end_of_week(as_of: date, weeks: int = 0) -> date:
    """Friday, the last working day, of this (0) or a later week; never before `as_of`."""
    friday = monday_of(as_of) + timedelta(days=7 * weeks + 4)
    return friday if friday >= as_of else as_of


def end_of_month(as_of: date, months: int = 0) -> date:
    year, month = add_months(as_of.year, as_of.month, months)
    return date(year, month, calendar.monthrange(year, month)[1])


def first_of_month(as_of: date, months: int) -> date:
    year, month = add_months(as_of.year, as_of.month, months)
    return date(year, month, 1)


def end_of_quarter(as_of: date, quarters: int = 0) -> date:
    last_month = ((as_of.month - 1) // 3 + 1) * 3
    return end_of_month(date(as_of.year, last_month, 1), 3 * quarters)


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def plus_months(as_of: date, months: int) -> date:
    year, month = add_months(as_of.year, as_of.month, months)
    return date(year, month, min(as_of.day, calendar.monthrange(year, month)[1]))


def plus_working_days(as_of: date, days: int) -> date:
    """`days` Monday-to-Friday days after `as_of` (plant calendars are not consulted: it is a due date)."""
    day = as_of
    for _ in range(days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def future_month_day(as_of: date, month: int, day: int) -> date | None:
    """Month and day without a year: the next such date on or after `as_of`."""
    for year in (as_of.year, as_of.year + 1):
        candidate = safe_date(year, month, day)
        if candidate and candidate >= as_of:
            return candidate
    return None


def future_day_of_month(as_of: date, day: int) -> date | None:
    """"the 20th" / "20号": this month's if still ahead, else next month's."""
    for months in (0, 1, 2):
        year, month = add_months(as_of.year, as_of.month, months)
        candidate = safe_date(year, month, day)
        if candidate and candidate >= as_of:
            return candidate
    return None


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Holidays people name as deadlines. Fixed-date ones are computed; moving ones come from the
# `holidays` package (Chinese calendar) or dateutil (Easter).
_FIXED_HOLIDAYS = {"christmas": (12, 25), "new_year": (1, 1), "national_day": (10, 1), "labour_day": (5, 1)}
_CN_HOLIDAY_NAMES = {
    "spring_festival": "Chinese New Year (Spring Festival)",
    "mid_autumn": "Mid-Autumn Festival",
    "dragon_boat": "Dragon Boat Festival",
    "qingming": "Tomb-Sweeping Day",
}


def next_holiday(as_of: date, key: str) -> date | None:
    """The next date (on or after `as_of`) of a holiday by key: christmas, spring_festival, ..."""
    for year in (as_of.year, as_of.year + 1):
        day = _holiday_in(year, key)
        if day is not None and day >= as_of:
            return day
    return None


def _holiday_in(year: int, key: str) -> date | None:
    if key in _FIXED_HOLIDAYS:
        month, day = _FIXED_HOLIDAYS[key]
        return date(year, month, day)
    if key == "easter":
        return easter(year)
    if key == "thanksgiving":
        november_first = date(year, 11, 1)
        return november_first + timedelta(days=(3 - november_first.weekday()) % 7 + 21)
    name = _CN_HOLIDAY_NAMES.get(key)
    return _chinese_holidays(year).get(name) if name else None


@lru_cache(maxsize=8)
def _chinese_holidays(year: int) -> dict[str, date]:
    first: dict[str, date] = {}
    for day, name in sorted(holidays.country_holidays("CN", years=year).items()):
        first.setdefault(str(name), day)
    return first
