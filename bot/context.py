"""What every listener needs: the services, the channels, and who the clicking user is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from planbridge.services.context import ServiceContext
from planbridge.settings import Settings
from planning_core.model import User

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<(?:[^|>]+)\|([^>]+)>|<((?:https?|mailto):[^>]+)>")
_SPECIAL = re.compile(r"<![^>]*>")


@dataclass(frozen=True)
class Bot:
    """The services and channels the listeners share (one per Slack app)."""

    services: ServiceContext
    production_channel: str | None = None
    channel_language: str = "en"  # the production and digest channels' language

    @classmethod
    def from_settings(cls, services: ServiceContext, settings: Settings) -> Bot:
        return cls(services, settings.production_channel, settings.digest_language)

    def user(self, user_id: str | None) -> User | None:
        """The plant user with this Slack id (users.csv `user_id`), or None for strangers."""
        if not user_id:
            return None
        return self.services.snapshot().users.get(user_id)

    def language_of(self, user_id: str | None) -> str:
        try:
            user = self.user(user_id)
        except Exception:  # no plant loaded yet: English, the error itself is reported elsewhere
            return "en"
        return user.language.value if user else "en"


def plain_text(text: str) -> str:
    """A Slack message as the user typed it: mentions removed, links as their labels, entities decoded."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _SPECIAL.sub(" ", text)
    return " ".join(unescape(text).split())


def thread_key(channel: str, thread_ts: str) -> str:
    """The conversation id of a Slack thread (follow-ups in it reuse earlier slots)."""
    return f"slack:{channel}:{thread_ts}"
