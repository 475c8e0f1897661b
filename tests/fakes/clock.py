"""A clock that says what the test tells it."""

from __future__ import annotations

from datetime import UTC, date, datetime


class FakeClock:
    def __init__(self, now: datetime, *, today: date | None = None) -> None:
        self.current = now
        self.fixed_today = today

    def now(self) -> datetime:
        return self.current

    def today(self, timezone: str) -> date:
        from zoneinfo import ZoneInfo

        return self.fixed_today or self.current.astimezone(ZoneInfo(timezone)).date()


def at_noon(day: date) -> FakeClock:
    """Noon UTC on `day`, with `day` as today in every time zone."""
    return FakeClock(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), today=day)
