"""Normalising a message and claiming parts of it as entities, dates and quantities.

Each extractor finds its mentions in `Workspace.text`, then `claim`s their spans: the
span is overwritten by a placeholder of the same length, so later extractors neither
match inside it (the "100" of "DN100") nor lose positions, and a quantity can still see
that it stands next to an item ("500 ◆◆◆◆◆").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import opencc

# Private-use characters that stand in for claimed spans.
ITEM_MARK = "\ue001"
ORDER_MARK = "\ue002"
DATE_MARK = "\ue003"
CUSTOMER_MARK = "\ue004"
RESOURCE_MARK = "\ue005"
OTHER_MARK = "\ue006"
MARKS = ITEM_MARK + ORDER_MARK + DATE_MARK + CUSTOMER_MARK + RESOURCE_MARK + OTHER_MARK

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


_ASCII_BOUNDARY = r"(?:(?<![a-z0-9])(?=[a-z0-9])|(?<=[a-z0-9])(?![a-z0-9]))"


def ascii_words(pattern: str) -> str:
    """Make `\\b` an ASCII word boundary: "cancel掉" and "看一下KPI" have words next to Chinese."""
    return pattern.replace(r"\b", _ASCII_BOUNDARY)


def normalize(text: str) -> str:
    """Full-width forms to ASCII (NFKC: "５００" → "500", "，" → ","), one space between words."""
    folded = unicodedata.normalize("NFKC", text)
    folded = folded.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    folded = folded.replace("\u2013", "-").replace("\u2014", "-").replace("\u00d7", "x")
    return _SPACES.sub(" ", folded).strip()


@lru_cache(maxsize=3)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to Simplified (OpenCC): the rules and the plant's names are
    matched in one script, so 球閥 is 球阀 and 下週五 is 下周五."""
    return str(_converter("t2s").convert(text)) if has_cjk(text) else text


def to_traditional(text: str) -> str:
    """Simplified characters to Traditional (OpenCC, Taiwan standard characters: 車床, not 車牀)."""
    return str(_converter("s2tw").convert(text)) if has_cjk(text) else text


def is_traditional(text: str) -> bool:
    """Written in Traditional characters: more of them change to Simplified than the other way."""
    if not has_cjk(text):
        return False
    simplified, traditional = str(_converter("t2s").convert(text)), str(_converter("s2t").convert(text))
    if len(simplified) != len(text) or len(traditional) != len(text):
        return simplified != text
    to_simple = sum(a != b for a, b in zip(text, simplified, strict=True))
    to_traditional = sum(a != b for a, b in zip(text, traditional, strict=True))
    return to_simple > to_traditional


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string (keeps long word lists readable)."""
    return frozenset(text.split())


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def detect_language(text: str) -> str:
    """"zh" when Chinese characters carry the message, else "en" (two characters ≈ one word)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    return "zh" if cjk and cjk >= latin * 2 else "en"


@dataclass
class Workspace:
    """The message being parsed; `text` loses its claimed spans, `original` keeps them."""

    original: str
    text: str = ""
    lower: str = ""
    claimed: list[tuple[int, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = self.original
        # casefold could change lengths (ß → ss); lower() keeps them for everything we meet.
        lowered = self.original.lower()
        self.lower = lowered if len(lowered) == len(self.original) else self.original

    def claim(self, start: int, end: int, mark: str) -> None:
        self.claimed.append((start, end, mark))
        filler = mark * (end - start)
        self.text = self.text[:start] + filler + self.text[end:]
        self.lower = self.lower[:start] + filler + self.lower[end:]

    def is_free(self, start: int, end: int) -> bool:
        return not any(ch in MARKS for ch in self.text[start:end])

    def before(self, start: int, width: int) -> str:
        """The (lower-case) text just before a position, for cue words."""
        return self.lower[max(0, start - width) : start]

    def after(self, end: int, width: int) -> str:
        return self.lower[end : end + width]
