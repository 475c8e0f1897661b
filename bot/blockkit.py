"""Slack's Block Kit: cards drawn as blocks by small pure functions that respect Slack's size limits.

Texts from users or plant data go through `escape` so a customer called "<!channel>"
cannot ping a whole channel.
"""

from __future__ import annotations

import json
from typing import Any

from planbridge.presentation.cards import (
    Action,
    Bullets,
    Button,
    Card,
    Divider,
    Fields,
    Header,
    InlineSyntax,
    Mark,
    Note,
    Paragraph,
    Part,
    Picture,
    Rich,
    render_inline,
)

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
HEADER_TEXT_LIMIT = 150
BUTTON_VALUE_LIMIT = 2000
MAX_BLOCKS = 50
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10


def escape(text: object) -> str:
    """Slack mrkdwn control characters (&, <, >) as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER_TEXT_LIMIT), "emoji": True}}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT)}}


def fields(pairs: list[tuple[str, str]]) -> Block:
    return {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": truncate(f"*{label}*\n{value}", FIELD_TEXT_LIMIT)}
            for label, value in pairs[:MAX_FIELDS]
        ],
    }


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(t, SECTION_TEXT_LIMIT)} for t in texts[:MAX_CONTEXT_ELEMENTS]],
    }


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str, *, action_id: str, value: dict[str, Any] | str, style: str | None = None,
    confirm: Block | None = None,
) -> Block:
    raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if len(raw) > BUTTON_VALUE_LIMIT:
        raise ValueError(f"button value of {action_id} is {len(raw)} characters, Slack allows {BUTTON_VALUE_LIMIT}")
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": truncate(text, 75), "emoji": True},
                      "action_id": action_id, "value": raw}
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(*, title: str, text: str, confirm: str, deny: str) -> Block:
    return {
        "title": {"type": "plain_text", "text": truncate(title, 100)},
        "text": {"type": "mrkdwn", "text": truncate(text, 300)},
        "confirm": {"type": "plain_text", "text": truncate(confirm, 30)},
        "deny": {"type": "plain_text", "text": truncate(deny, 30)},
    }


def actions(block_id: str, *elements: Block) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def image(url: str, alt: str) -> Block:
    return {"type": "image", "image_url": url, "alt_text": truncate(alt, 2000)}


def bullets(lines: list[str], *, limit: int, more: str) -> str:
    """"• a\n• b\n… 3 more" with at most `limit` lines."""
    shown = [f"• {line}" for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(more.format(n=len(lines) - limit))
    return "\n".join(shown)


def capped(blocks: list[Block]) -> list[Block]:
    """At most Slack's 50 blocks per message (the tail is dropped, never the actions)."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    tail = [b for b in blocks[MAX_BLOCKS - 1:] if b.get("type") == "actions"][-1:]
    return blocks[: MAX_BLOCKS - len(tail)] + tail


# -- cards as Block Kit ------------------------------------------------------------------------

# action ids (the listeners in bot/actions.py match on them)
ACTION_IDS = {Action.BOOK: "planbridge_book", Action.REQUEST: "planbridge_request",
              Action.APPROVE: "planbridge_approve", Action.REJECT: "planbridge_reject",
              Action.REPROMISE: "planbridge_repromise", Action.SHOW_PLAN: "planbridge_show_plan"}
_MARKS = {Mark.OK: ":white_check_mark:", Mark.WARNING: ":warning:", Mark.PROBLEM: ":x:", Mark.STOPPED: ":no_entry:",
          Mark.ALARM: ":rotating_light:"}


def mrkdwn(text: Rich) -> str:
    """Inline text as Slack mrkdwn: plain pieces escaped, bold, code, mentions and emoji as Slack writes them."""
    return render_inline(text, _MRKDWN)


_MRKDWN = InlineSyntax(text=escape, bold=lambda s: f"*{escape(s)}*", code=lambda s: f"`{escape(s)}`",
                       mark=_MARKS.__getitem__, mention=lambda m: f"<@{m.user_id}>")


def message_text(card: Card) -> str:
    """A text-only card as the message's text."""
    return "\n".join(mrkdwn(p.text) for p in card.parts if isinstance(p, Paragraph)) or card.fallback


def render_card(card: Card) -> list[Block]:
    """A card as Block Kit blocks, within Slack's limits."""
    return capped([_block(part) for part in card.parts])


def _titled(title: str | None, body: str) -> str:
    return f"*{escape(title)}*\n{body}" if title else body


def _block(part: Part) -> Block:
    if isinstance(part, Header):
        return header(part.text)
    if isinstance(part, Paragraph):
        return section(_titled(part.title, mrkdwn(part.text)))
    if isinstance(part, Bullets):
        return section(_titled(part.title, bullets([mrkdwn(i) for i in part.items], limit=part.limit, more=part.more)))
    if isinstance(part, Fields):
        return fields([(escape(label), mrkdwn(value)) for label, value in part.pairs])
    if isinstance(part, Note):
        return context(mrkdwn(part.text))
    if isinstance(part, Divider):
        return divider()
    if isinstance(part, Picture):
        return image(part.url, part.alt)
    return actions(part.key, *[_button(b) for b in part.buttons])


def _button(b: Button) -> Block:
    confirm = None
    if b.confirm:
        confirm = confirm_dialog(title=b.confirm.title, text=escape(b.confirm.text), confirm=b.confirm.confirm,
                                 deny=b.confirm.deny)
    return button(b.label, action_id=ACTION_IDS[b.action], value=dict(b.value), style=b.style, confirm=confirm)


def without_actions(blocks: list[Block], note: str) -> list[Block]:
    """The same message with its buttons replaced by a one-line note (after a click)."""
    return [b for b in blocks if b.get("type") != "actions"] + [context(note)]
