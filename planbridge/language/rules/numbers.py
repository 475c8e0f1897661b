"""Numbers as people write them: "1,200", "1.2k", "two hundred", "五百", "1.2万", "一千二百", "一千二"."""

from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_BIG)

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_MAGNITUDES = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000, "dozen": 12}
ENGLISH_NUMBER_WORDS = frozenset({*_SMALL, *_MAGNITUDES, "a", "an", "and", "half"}) - {"k"}
ENGLISH_MAGNITUDE_WORDS = frozenset({"hundred", "thousand", "million", "dozen"})


def chinese_number(text: str) -> float | None:
    """Value of a Chinese numeral ("一千二百" 1200, "两百五" 250, "十五" 15, "三万五" 35000), or None."""
    if not text or any(ch not in CN_NUMERAL_CHARS for ch in text):
        return None
    total = 0
    section = 0  # the part below the current 万/亿
    digit: int | None = None
    last_unit = 1
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None and digit != 0 and CN_DIGITS[ch] != 0:
                return None  # "一二" is not a number
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            unit = CN_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            big = CN_BIG[ch]
            section += digit or 0
            total += (section or 1) * big
            section, digit, last_unit = 0, None, big
    if digit is not None:
        # Colloquial "一千二" is 1200 and "两百五" 250: a trailing digit counts one unit lower.
        section += digit * (last_unit // 10 if last_unit >= 100 and text[-2] not in "零〇" else 1)
    return float(total + section)


def english_number(words: list[str]) -> float | None:
    """Value of English number words ("two hundred", "a thousand", "twelve hundred", "two dozen")."""
    tokens = [w for w in (w.lower().strip("-") for w in words) if w and w != "and"]
    if not tokens:
        return None
    if tokens[:2] == ["half", "a"] and tokens[2:] == ["dozen"]:
        return 6.0
    total, current, seen_value = 0.0, 0.0, False
    for token in tokens:
        if token in ("a", "an"):
            current = current or 1.0
        elif token in _SMALL:
            current += _SMALL[token]
            seen_value = True
        elif token in _MAGNITUDES:
            scale = _MAGNITUDES[token]
            current = (current or 1.0) * scale
            if scale >= 1000:
                total, current = total + current, 0.0
            seen_value = True
        else:
            return None
    return total + current if seen_value else None


_NUMERIC = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")


def numeric_value(digits: str, suffix: str = "") -> float | None:
    """"1,200" → 1200, "1.2" with suffix "k" → 1200, "1.2" with "万" → 12000."""
    match = _NUMERIC.match(digits)
    if not match:
        return None
    value = float(match.group(1).replace(",", "") + ("." + match.group(2) if match.group(2) else ""))
    scale = {"": 1, "k": 1000, "千": 1000, "w": 10_000, "万": 10_000, "m": 1_000_000, "百": 100}.get(suffix.lower(), 1)
    return value * scale
