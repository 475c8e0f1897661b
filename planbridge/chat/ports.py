"""The chat-channel port: what the product says to people, on any chat platform.

A platform adapter implements `ChatChannel` (posting and updating cards, direct messages,
images) and hands every click or command to the handlers as an `Interaction` (answering the
person who acted). Slack's adapter lives in `bot/`; a second platform needs one more adapter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from planbridge.presentation.cards import Card, Rich


@dataclass(frozen=True)
class Place:
    """Where a card goes: a channel (or a direct-message conversation), in a thread when `thread` is set."""

    channel: str
    thread: str | None = None


@dataclass(frozen=True)
class Posted:
    """A card that was posted, so it can be updated in place later."""

    channel: str
    message_id: str


class ChatChannel(Protocol):
    """Posting to a chat platform on the product's own initiative (answers, requests, digests, DMs)."""

    def post(self, place: Place, card: Card) -> Posted | None: ...

    def update(self, posted: Posted, card: Card) -> None:
        """Replace a posted card (e.g. a first promise made exact)."""
        ...

    def direct_message(self, user_id: str, card: Card) -> Posted | None: ...

    def post_image(self, channel: str, png: bytes, *, filename: str, title: str) -> None: ...


class Interaction(Protocol):
    """A click on a card's button (or a command), answered to the person who acted."""

    @property
    def user_id(self) -> str: ...

    @property
    def value(self) -> Mapping[str, Any]:
        """The clicked button's value (signed by the platform)."""
        ...

    @property
    def key(self) -> str:
        """The same for every delivery of this click (platform, message, button, person), so that a
        double click or a resent request takes effect once (`chat.once`)."""
        ...

    @property
    def thread(self) -> Place | None:
        """The thread of the clicked card (None when it cannot take replies, e.g. a private message)."""
        ...

    def tell(self, text: str) -> None:
        """Only the person who acted sees this."""
        ...

    def reply(self, card: Card) -> None:
        """In the clicked card's thread, or privately when it has none."""
        ...

    def update(self, card: Card) -> None:
        """Replace the clicked card."""
        ...

    def close(self, note: Rich) -> None:
        """The clicked card without its buttons, and a note of what was done."""
        ...


class JobQueue(Protocol):
    """Hands a stored background job (`services.jobs.submit_job`) to whoever runs long work."""

    def run_job(self, job_id: str) -> None: ...


# An accepted chat event: its receipt key (`chat.once.accept`, which the answerer completes; None for an
# event without an id) and the platform's event as JSON (it travels with the hand-over).
AcceptedEvent = tuple[str | None, dict[str, Any]]


class EventQueue(Protocol):
    """Hands accepted chat events to whoever answers them, so the platform is acknowledged at once."""

    def answer_events(self, platform: str, events: Sequence[AcceptedEvent]) -> None:
        """All of them, or none (then it raises)."""
        ...
