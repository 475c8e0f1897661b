"""Feishu interactive cards (message card JSON, schema 1.0) drawn from platform-neutral cards.

Texts from users or plant data are escaped, so a customer called "<at id=all></at>" cannot
ping a whole group. Mentions name plant users; `People` turns them into Feishu open_ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from planbridge.presentation.cards import (
    Bullets,
    Button,
    Card,
    Divider,
    Fields,
    Header,
    InlineSyntax,
    Mark,
    Mention,
    Note,
    Paragraph,
    Part,
    Picture,
    Rich,
    render_inline,
)

Element = dict[str, Any]
# A plant user id -> (their Feishu open_id or None, their name): mentions become real @s when known.
People = Callable[[str], tuple[str | None, str]]

ACTION_KEY = "planbridge_action"  # in every button's value: which action the click asks for
TEXT_LIMIT = 5000
MAX_ELEMENTS = 50
_MARKS = {Mark.OK: "✅", Mark.WARNING: "⚠️", Mark.PROBLEM: "❌", Mark.STOPPED: "⛔", Mark.ALARM: "🚨"}
# lark_md reads these as markup; as HTML entities they are shown as typed.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "*": "&#42;", "_": "&#95;", "~": "&#126;", "`": "&#96;",
            "[": "&#91;", "]": "&#93;"}
_TABLE = str.maketrans(_ESCAPES)


def nobody(user_id: str) -> tuple[str | None, str]:
    return None, user_id


def escape(text: object) -> str:
    return str(text).translate(_TABLE)


def truncate(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def lark_md(text: Rich, people: People = nobody) -> str:
    return render_inline(text, InlineSyntax(text=escape, bold=lambda s: f"**{escape(s)}**",
                                            code=lambda s: f"`{escape(s)}`", mark=_MARKS.__getitem__,
                                            mention=lambda m: _at(m, people)))


def _at(mention: Mention, people: People) -> str:
    open_id, name = people(mention.user_id)
    return f"<at id={open_id}></at>" if open_id else f"@{escape(name)}"


def plain_text(text: Rich, people: People = nobody) -> str:
    """Inline text for a plain text message (mentions as Feishu's `<at user_id>` tags)."""

    def at(mention: Mention) -> str:
        open_id, name = people(mention.user_id)
        return f'<at user_id="{open_id}">{name}</at>' if open_id else f"@{name}"

    return render_inline(text, InlineSyntax(text=_untagged, bold=_untagged, code=_untagged,
                                            mark=_MARKS.__getitem__, mention=at))


def _untagged(text: str) -> str:
    """No tag can be smuggled into a text message."""
    return text.replace("<", "‹").replace(">", "›")


def message(card: Card, people: People = nobody) -> tuple[str, str]:
    """(msg_type, content) of a card: text-only cards as text messages, the others as interactive cards."""
    if card.text_only:
        text = "\n".join(plain_text(p.text, people) for p in card.parts if isinstance(p, Paragraph)) or card.fallback
        return "text", json.dumps({"text": text}, ensure_ascii=False)
    return "interactive", json.dumps(render_card(card, people), ensure_ascii=False)


def render_card(card: Card, people: People = nobody) -> dict[str, Any]:
    """A card as Feishu message card JSON; `update_multi` so an update is seen by everyone in the chat."""
    headers = [p for p in card.parts if isinstance(p, Header)]
    elements = [_element(part, people) for part in card.parts if not isinstance(part, Header)]
    document: dict[str, Any] = {"config": {"wide_screen_mode": True, "update_multi": True},
                                "elements": _capped(elements)}
    if headers:
        document["header"] = {"title": {"tag": "plain_text", "content": truncate(headers[0].text, 100)},
                              "template": "blue"}
    return document


def without_actions(document: dict[str, Any], note: str) -> dict[str, Any]:
    """The same card with its buttons replaced by a one-line note (after a click)."""
    elements = [e for e in document.get("elements") or [] if e.get("tag") != "action"]
    return {**document, "elements": [*elements, _note(note)]}


def note_card(note: str) -> dict[str, Any]:
    return {"config": {"wide_screen_mode": True, "update_multi": True}, "elements": [_note(note)]}


def _capped(elements: list[Element]) -> list[Element]:
    if len(elements) <= MAX_ELEMENTS:
        return elements
    tail = [e for e in elements[MAX_ELEMENTS - 1:] if e.get("tag") == "action"][-1:]
    return elements[: MAX_ELEMENTS - len(tail)] + tail


def _md(content: str) -> Element:
    return {"tag": "div", "text": {"tag": "lark_md", "content": truncate(content)}}


def _note(content: str) -> Element:
    return {"tag": "note", "elements": [{"tag": "lark_md", "content": truncate(content)}]}


def _titled(title: str | None, body: str) -> str:
    return f"**{escape(title)}**\n{body}" if title else body


def _bullets(lines: list[str], *, limit: int, more: str) -> str:
    shown = [f"• {line}" for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(escape(more.format(n=len(lines) - limit)))
    return "\n".join(shown)


def _element(part: Part, people: People) -> Element:
    if isinstance(part, Paragraph):
        return _md(_titled(part.title, lark_md(part.text, people)))
    if isinstance(part, Bullets):
        lines = [lark_md(i, people) for i in part.items]
        return _md(_titled(part.title, _bullets(lines, limit=part.limit, more=part.more)))
    if isinstance(part, Fields):
        return {"tag": "div", "fields": [
            {"is_short": True, "text": {"tag": "lark_md", "content": truncate(f"**{escape(label)}**\n{lark_md(value, people)}")}}
            for label, value in part.pairs]}
    if isinstance(part, Note):
        return _note(lark_md(part.text, people))
    if isinstance(part, Divider):
        return {"tag": "hr"}
    if isinstance(part, Picture):  # a card shows only uploaded images: the picture is linked instead
        return _md(f"[{escape(part.alt)}]({part.url})")
    assert not isinstance(part, Header)
    return {"tag": "action", "actions": [_button(b) for b in part.buttons]}


def _button(b: Button) -> Element:
    element: Element = {"tag": "button", "text": {"tag": "plain_text", "content": truncate(b.label, 40)},
                        "type": {"primary": "primary", "danger": "danger"}.get(b.style or "", "default"),
                        "value": {**dict(b.value), ACTION_KEY: b.action.value}}
    if b.confirm:
        element["confirm"] = {"title": {"tag": "plain_text", "content": truncate(b.confirm.title, 100)},
                              "text": {"tag": "plain_text", "content": truncate(b.confirm.text, 300)}}
    return element
