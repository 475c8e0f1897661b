"""Dates, date spans, quantities and percentages as people read them, and numbers as JSON writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from planbridge.presentation.catalogue import t
from planning_core.units import is_counted, whole_up


def day(value: date | str | None, lang: str, *, today: date | None = None) -> str:
    """"Dec 2" / "12月2日"; the year is added when it is not `today`'s."""
    if value is None:
        return "—"
    when = date.fromisoformat(value) if isinstance(value, str) else value
    key = "date.short" if today is None or when.year == today.year else "date.long"
    return t(lang, key, month_abbr=f"{when:%b}", month=when.month, day=when.day, year=when.year)


def moment(value: datetime | str | None, lang: str, *, today: date | None = None) -> str:
    """"Jan 4 14:05 UTC": a moment the product recorded (its clock is UTC; a database without time
    zones gives it back without one)."""
    if value is None:
        return "—"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return f"{day(when.date(), lang, today=today)} {when:%H:%M} UTC"


def span(first: str | None, last: str | None, lang: str, *, today: date | None = None) -> str:
    """"on Dec 2" for one day, "Dec 2–4" for several."""
    if first == last or last is None:
        return t(lang, "date.on", day=day(first, lang, today=today))
    a, b = date.fromisoformat(first or last), date.fromisoformat(last)
    tail = t(lang, "date.day_of_month", day=b.day) if (a.year, a.month) == (b.year, b.month) else day(b, lang, today=today)
    return t(lang, "date.range", first=day(a, lang, today=today), last=tail)


def qty(value: float | str | None) -> str:
    """"1,200" for whole numbers, "2.75" otherwise."""
    if value is None:
        return "?"
    number = float(value)
    return f"{number:,.0f}" if abs(number - round(number)) < 1e-6 else f"{number:,.2f}"


def pieces(value: float | None, uom: str) -> str:
    """A quantity someone must have, as people count it: whole pieces rounded up ("134.5 pcs" → "135")."""
    return "?" if value is None else qty(whole_up(value, uom))


def whole_parts(values: list[float], uom: str) -> list[float]:
    """Parts of a whole (a plan's lines) in whole pieces that still add up: each is the step of the
    rounded running total, so 2.76 + 2.24 shows as 3 + 2, not 2.76 + 2.24."""
    if not is_counted(uom):
        return values
    shown, running, before = [], 0.0, 0.0
    for value in values:
        running += value
        now = float(round(running))
        shown.append(now - before)
        before = now
    return shown


def number(value: float) -> float | int:
    """A quantity for JSON: an integer when it is whole."""
    return round(value) if abs(value - round(value)) < 1e-9 else round(value, 4)


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def percent(value: float | None) -> str:
    """"97.5%" (one decimal), "–" when there is no figure."""
    return "–" if value is None else f"{100 * value:.1f}%"


def joined(parts: list[str], lang: str, *, separator: str = "list.sep") -> str:
    return t(lang, separator).join(parts)
