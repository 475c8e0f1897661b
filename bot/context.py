"""Slack's own text conventions: mentions and links in a message, and a thread's conversation id."""

from __future__ import annotations

import re
from html import unescape

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<(?:[^|>]+)\|([^>]+)>|<((?:https?|mailto):[^>]+)>")
_SPECIAL = re.compile(r"<![^>]*>")


def plain_text(text: str) -> str:
    """A Slack message as the user typed it: mentions removed, links as their labels, entities decoded."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _SPECIAL.sub(" ", text)
    return " ".join(unescape(text).split())


def thread_key(channel: str, thread_ts: str) -> str:
    """The conversation id of a Slack thread (follow-ups in it reuse earlier slots)."""
    return f"slack:{channel}:{thread_ts}"
