"""Typed cell parsers for plant CSV files. Each raises `CellError` with a reason a planner reads."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar


class CellError(ValueError):
    """A cell value that cannot be used; the message says what is wrong."""


E = TypeVar("E", bound=StrEnum)
Parser = Callable[[str], object]


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def text(raw: str) -> str:
    return raw.strip()


def bounded_text(limit: int) -> Callable[[str], str]:
    """Text of at most `limit` characters (the database column's size)."""

    def parse(raw: str) -> str:
        value = raw.strip()
        if len(value) > limit:
            raise CellError(f"is {len(value)} characters long, at most {limit} are allowed")
        return value

    return parse


def number(*, minimum: float | None = 0.0, strict: bool = False) -> Callable[[str], float]:
    """A decimal number; `strict` means it must be greater than `minimum`."""

    def parse(raw: str) -> float:
        value_text = raw.strip()
        if "," in value_text:
            # only thousands separators ("1,250.5"); a decimal comma ("1,5") is ambiguous, so refuse it
            if not _THOUSANDS.fullmatch(value_text):
                raise CellError(f"{raw!r} is not a number (use a point for decimals, e.g. 1.5)")
            value_text = value_text.replace(",", "")
        try:
            value = float(value_text)
        except ValueError:
            raise CellError(f"{raw!r} is not a number") from None
        if not math.isfinite(value):
            raise CellError(f"{raw!r} is not a finite number")
        if minimum is not None:
            if strict and value <= minimum:
                raise CellError(f"must be greater than {minimum:g}, got {raw.strip()}")
            if not strict and value < minimum:
                word = "negative" if minimum == 0 else f"below {minimum:g}"
                raise CellError(f"{word} quantity {raw.strip()} is not allowed")
        return value

    return parse


def integer(*, minimum: int | None = 0, maximum: int = 2**31 - 1) -> Callable[[str], int]:
    """A whole number; `maximum` defaults to what a 32-bit database column holds."""

    def parse(raw: str) -> int:
        value = raw.strip()
        if not re.fullmatch(r"[+-]?\d+", value):
            raise CellError(f"{raw!r} is not a whole number")
        result = int(value)
        if minimum is not None and result < minimum:
            raise CellError(f"must be at least {minimum}, got {result}")
        if result > maximum:
            raise CellError(f"must be at most {maximum}, got {result}")
        return result

    return parse


def iso_date(raw: str) -> date:
    value = raw.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CellError(f"{raw!r} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(f"{raw!r} is not a valid calendar date") from None


def clock_time(raw: str) -> time:
    """`HH:MM`; `24:00` is accepted as the midnight that ends a day."""
    value = raw.strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match:
        raise CellError(f"{raw!r} is not a time (HH:MM)")
    hour, minute = int(match.group(1)), int(match.group(2))
    if (hour, minute) == (24, 0):
        return time(0, 0)
    if hour > 23 or minute > 59:
        raise CellError(f"{raw!r} is not a valid time of day")
    return time(hour, minute)


def iso_datetime(raw: str) -> datetime:
    value = raw.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise CellError(f"{raw!r} is not a date and time (YYYY-MM-DD HH:MM)")


def choice(enum: type[E]) -> Callable[[str], E]:
    def parse(raw: str) -> E:
        value = raw.strip().lower()
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise CellError(f"{raw.strip()!r} is not one of {allowed}") from None

    return parse


def id_list(raw: str) -> tuple[str, ...]:
    """`;`-separated aliases; empty parts are dropped."""
    return tuple(part.strip() for part in raw.split(";") if part.strip())
