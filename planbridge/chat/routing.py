"""Several chat platforms behind one `ChatChannel`: a channel id names its platform by a prefix.

Slack's ids stay as they are (`C…`, the default platform); another platform's channel ids carry
its name, e.g. `feishu:oc_…` for a Feishu group. Subscriptions, jobs and their posts store such
ids, so a digest subscribed for a Feishu group is posted to Feishu by whichever worker runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planbridge.chat.ports import ChatChannel, Place, Posted
from planbridge.errors import BadRequest
from planbridge.presentation.cards import Card


def platform_of(channel: str) -> tuple[str | None, str]:
    """("feishu", "oc_1") for "feishu:oc_1"; (None, "C1") for a default-platform id such as "C1"."""
    prefix, sep, rest = channel.partition(":")
    return (prefix.lower(), rest) if sep and prefix.isalpha() else (None, channel)


@dataclass(frozen=True)
class ChannelsByPlatform:
    """Routes each post to the platform its channel id names; a Posted keeps the prefix, so updates follow."""

    platforms: Mapping[str, ChatChannel]
    default: ChatChannel | None = None

    def _route(self, channel: str) -> tuple[ChatChannel, str, str]:
        platform, bare = platform_of(channel)
        target = self.platforms.get(platform) if platform else self.default
        if target is None:
            raise BadRequest(f"no chat platform is configured for channel {channel!r}")
        return target, bare, f"{platform}:" if platform else ""

    def post(self, place: Place, card: Card) -> Posted | None:
        target, bare, prefix = self._route(place.channel)
        posted = target.post(Place(bare, place.thread), card)
        return Posted(prefix + posted.channel, posted.message_id) if posted else None

    def update(self, posted: Posted, card: Card) -> None:
        target, bare, _ = self._route(posted.channel)
        target.update(Posted(bare, posted.message_id), card)

    def direct_message(self, user_id: str, card: Card) -> Posted | None:
        """To the default platform (Slack ids are plant user ids); else the first platform that knows the person."""
        channels = [("", self.default), *((f"{name}:", channel) for name, channel in self.platforms.items())]
        for prefix, channel in channels:
            posted = channel.direct_message(user_id, card) if channel is not None else None
            if posted is not None:
                return Posted(prefix + posted.channel, posted.message_id)
        return None

    def post_image(self, channel: str, png: bytes, *, filename: str, title: str) -> None:
        target, bare, _ = self._route(channel)
        target.post_image(bare, png, filename=filename, title=title)
