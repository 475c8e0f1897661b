"""Working calendars: weekly patterns, exceptions and public holidays → working time.

Algorithms work in *minutes since the planning origin* (as-of date, 00:00 in the
plant's time zone), measured in real elapsed time, so a DST change shortens or
lengthens a day exactly as a clock on the shop floor would.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from planning_core.model import Calendar, ExceptionKind, PlantInfo

Minutes = float
Interval = tuple[Minutes, Minutes]


@cache
def public_holidays(country: str, year: int) -> frozenset[date]:
    """Public holidays of a country (ISO code, e.g. `CN`) in one year."""
    return frozenset(holidays_lib.country_holidays(country, years=year).keys())


def _wall_intervals_on(calendar: Calendar, day: date, *, country: str | None) -> list[tuple[datetime, datetime]]:
    """Working intervals that start on `day`, as naive local wall-clock datetimes."""
    exceptions = [e for e in calendar.exceptions if e.date == day]
    closed_all_day = any(e.kind is ExceptionKind.CLOSED and e.start is None for e in exceptions)
    is_holiday = country is not None and day in public_holidays(country, day.year)
    intervals: list[tuple[datetime, datetime]] = []
    if not closed_all_day and not is_holiday:
        for shift in calendar.shifts:
            if shift.weekday.number == day.weekday():
                intervals.append(_span(day, shift.start, shift.end))
    for exc in exceptions:
        if exc.kind is ExceptionKind.CLOSED and exc.start is not None and exc.end is not None:
            intervals = _subtract(intervals, _span(day, exc.start, exc.end))
    for exc in exceptions:
        if exc.kind is ExceptionKind.OPEN and exc.start is not None and exc.end is not None:
            intervals.append(_span(day, exc.start, exc.end))
    return _merge(intervals)


def _span(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """A wall-clock interval; an end at or before the start runs past midnight."""
    begin = datetime.combine(day, start)
    finish = datetime.combine(day, end)
    if finish <= begin:
        finish += timedelta(days=1)
    return begin, finish


def _subtract(
    intervals: list[tuple[datetime, datetime]], cut: tuple[datetime, datetime]
) -> list[tuple[datetime, datetime]]:
    result = []
    for begin, finish in intervals:
        if finish <= cut[0] or begin >= cut[1]:
            result.append((begin, finish))
            continue
        if begin < cut[0]:
            result.append((begin, cut[0]))
        if finish > cut[1]:
            result.append((cut[1], finish))
    return result


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def working_intervals(
    calendar: Calendar, *, plant: PlantInfo, start: date, end: date
) -> list[tuple[datetime, datetime]]:
    """Working intervals that start on days `start`..`end` (inclusive), as aware datetimes."""
    tz = ZoneInfo(plant.timezone)
    wall: list[tuple[datetime, datetime]] = []
    day = start - timedelta(days=1)  # a night shift of the day before may reach into `start`
    while day <= end:
        wall.extend(_wall_intervals_on(calendar, day, country=plant.country))
        day += timedelta(days=1)
    first = datetime.combine(start, time(0), tzinfo=tz)
    aware = [(b.replace(tzinfo=tz), f.replace(tzinfo=tz)) for b, f in _merge(wall)]
    return [(max(b, first), f) for b, f in aware if f > first]


@dataclass(frozen=True)
class TimeAxis:
    """Converts between datetimes, plant-local dates and minutes since the origin."""

    origin_day: date
    timezone: str
    days: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def origin(self) -> datetime:
        return datetime.combine(self.origin_day, time(0), tzinfo=self.tz)

    @property
    def day_starts(self) -> Sequence[Minutes]:
        return _day_starts(self.origin_day, self.timezone, self.days)

    def to_minutes(self, moment: datetime) -> Minutes:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        return (moment.astimezone(UTC) - self.origin.astimezone(UTC)).total_seconds() / 60.0

    def to_datetime(self, minutes: Minutes) -> datetime:
        return (self.origin.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(self.tz)

    def day_start(self, day: date) -> Minutes:
        offset = (day - self.origin_day).days
        if 0 <= offset < self.days:
            return self.day_starts[offset]
        return self.to_minutes(datetime.combine(day, time(0), tzinfo=self.tz))

    def day_end(self, day: date) -> Minutes:
        return self.day_start(day + timedelta(days=1))

    def day_index(self, minutes: Minutes) -> int:
        """Index of the plant-local day a moment falls on (day 0 is the origin day)."""
        return bisect.bisect_right(self.day_starts, minutes) - 1

    def date_of(self, minutes: Minutes) -> date:
        return self.origin_day + timedelta(days=self.day_index(minutes))

    def completion_date(self, minutes: Minutes) -> date:
        """The day something finished at `minutes` ships: a finish exactly at midnight
        belongs to the day that just ended."""
        return self.date_of(minutes - 1e-6) if minutes > 0 else self.origin_day


@cache
def _day_starts(origin_day: date, timezone: str, days: int) -> tuple[Minutes, ...]:
    tz = ZoneInfo(timezone)
    origin_utc = datetime.combine(origin_day, time(0), tzinfo=tz).astimezone(UTC)
    starts = []
    for k in range(days + 1):
        local_midnight = datetime.combine(origin_day + timedelta(days=k), time(0), tzinfo=tz)
        starts.append((local_midnight.astimezone(UTC) - origin_utc).total_seconds() / 60.0)
    return tuple(starts)


def working_minutes(
    calendar: Calendar, *, plant: PlantInfo, axis: TimeAxis
) -> list[Interval]:
    """The calendar's working intervals over the axis, in minutes since its origin."""
    end_day = axis.origin_day + timedelta(days=axis.days - 1)
    return [
        (axis.to_minutes(b), axis.to_minutes(f))
        for b, f in working_intervals(calendar, plant=plant, start=axis.origin_day, end=end_day)
    ]
