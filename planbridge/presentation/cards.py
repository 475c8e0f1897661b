"""Cards: what a chat message shows, independent of the chat platform.

A card is a fallback text (for notifications) and a list of parts: a header, paragraphs,
bullet lists, label/value fields, small notes, a divider, a picture and a row of buttons.
Inline text is a tuple of pieces: plain strings (escaped by the platform), bold and code
spans, user mentions and status marks, so no platform's markup leaks into the words.
Chat adapters (Slack's Block Kit in `bot/`) draw cards; the chat layer posts them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Bold:
    text: str


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Mention:
    user_id: str  # the chat platform's user id


class Mark(StrEnum):
    """A status sign in front of a word (a check, a warning, a cross, a stop sign, an alarm)."""

    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"
    STOPPED = "stopped"
    ALARM = "alarm"


Inline = str | Bold | Code | Mention | Mark
Rich = tuple[Inline, ...]


def rich(*pieces: Inline) -> Rich:
    return tuple(pieces)


@dataclass(frozen=True)
class InlineSyntax:
    """How one output format writes each kind of inline piece (a chat platform's markup, plain text)."""

    text: Callable[[str], str]
    bold: Callable[[str], str]
    code: Callable[[str], str]
    mark: Callable[[Mark], str]
    mention: Callable[[Mention], str]


def render_inline(rich_text: Rich, syntax: InlineSyntax) -> str:
    """Inline text in one format: every adapter walks the pieces the same way, only the syntax differs."""
    out = []
    for piece in rich_text:
        if isinstance(piece, Mark):  # before str: a Mark is a str too
            out.append(syntax.mark(piece))
        elif isinstance(piece, str):
            out.append(syntax.text(piece))
        elif isinstance(piece, Bold):
            out.append(syntax.bold(piece.text))
        elif isinstance(piece, Code):
            out.append(syntax.code(piece.text))
        else:
            out.append(syntax.mention(piece))
    return "".join(out)


def _as_is(text: str) -> str:
    return text


PLAIN = InlineSyntax(text=_as_is, bold=_as_is, code=_as_is, mark=lambda _: "", mention=lambda m: f"@{m.user_id}")


def plain(rich_text: Rich) -> str:
    """The text without any markup (for fallbacks and logs)."""
    return render_inline(rich_text, PLAIN)


class Action(StrEnum):
    """What a button asks for; chat adapters route a click back by it."""

    BOOK = "book"
    REQUEST = "request"
    APPROVE = "approve"
    REJECT = "reject"
    REPROMISE = "repromise"  # an order an approved change made late: quote it again for its owner
    SHOW_PLAN = "show_plan"  # the plan behind a quote's promise


@dataclass(frozen=True)
class Confirm:
    title: str
    text: str
    confirm: str
    deny: str


@dataclass(frozen=True)
class Button:
    label: str
    action: Action
    value: Mapping[str, Any]  # comes back with the click; signed by the platform
    style: str | None = None  # "primary" or "danger"
    confirm: Confirm | None = None


@dataclass(frozen=True)
class Header:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: Rich
    title: str | None = None


@dataclass(frozen=True)
class Bullets:
    items: tuple[Rich, ...]
    limit: int
    more: str  # "… {n} more": said instead of the items past `limit`
    title: str | None = None


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, Rich], ...]


@dataclass(frozen=True)
class Note:
    text: Rich


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Picture:
    url: str
    alt: str


@dataclass(frozen=True)
class Buttons:
    key: str  # stable per card kind (Slack's block id)
    buttons: tuple[Button, ...]


Part = Header | Paragraph | Bullets | Fields | Note | Divider | Picture | Buttons


@dataclass(frozen=True)
class Card:
    fallback: str
    parts: tuple[Part, ...] = field(default_factory=tuple)
    text_only: bool = False  # a plain message: its one paragraph is the text, with no card around it


def text_card(text: str) -> Card:
    """A plain reply: one paragraph (nothing when the text is empty)."""
    return Card(text, (Paragraph(rich(text)),) if text else ())
