"""A chat channel and a click that remember what the product said, for tests of the chat layer without Slack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from planbridge.chat.ports import Place, Posted
from planbridge.presentation.cards import Buttons, Card, Rich, plain


@dataclass
class FakeChannel:
    posts: list[tuple[Place, Card]] = field(default_factory=list)
    updates: list[tuple[Posted, Card]] = field(default_factory=list)
    direct: list[tuple[str, Card]] = field(default_factory=list)
    images: list[tuple[str, bytes, str]] = field(default_factory=list)

    def post(self, place: Place, card: Card) -> Posted | None:
        self.posts.append((place, card))
        return Posted(place.channel, str(len(self.posts)))

    def update(self, posted: Posted, card: Card) -> None:
        self.updates.append((posted, card))

    def direct_message(self, user_id: str, card: Card) -> Posted | None:
        self.direct.append((user_id, card))
        return Posted(f"D-{user_id}", str(len(self.direct)))

    def post_image(self, channel: str, png: bytes, *, filename: str, title: str) -> None:
        self.images.append((channel, png, filename))


@dataclass
class FakeClick:
    """A click on the button labelled `button` of `card`, posted in `place` (or with a `given` value)."""

    user_id: str
    card: Card
    button: str
    place: Place | None = None
    given: Mapping[str, Any] | None = None
    told: list[str] = field(default_factory=list)
    replies: list[Card] = field(default_factory=list)
    updated: list[Card] = field(default_factory=list)
    closed: list[Rich] = field(default_factory=list)

    @property
    def value(self) -> Mapping[str, Any]:
        if self.given is not None:
            return self.given
        for part in self.card.parts:
            if isinstance(part, Buttons):
                for b in part.buttons:
                    if b.label == self.button:
                        return b.value
        raise KeyError(f"no button {self.button!r} on the card")

    @property
    def key(self) -> str:
        """One card object is one message: clicking the same button on it twice is a repeat."""
        return f"fake:click:{id(self.card)}:{self.button}:{self.user_id}"

    @property
    def thread(self) -> Place | None:
        return self.place

    def tell(self, text: str) -> None:
        self.told.append(text)

    def reply(self, card: Card) -> None:
        self.replies.append(card)

    def update(self, card: Card) -> None:
        self.updated.append(card)

    def close(self, note: Rich) -> None:
        self.closed.append(note)


def text_of(card: Card) -> str:
    """Every word on a card, markup removed."""
    from planbridge.presentation.cards import Bullets, Fields, Header, Note, Paragraph

    lines = [card.fallback]
    for part in card.parts:
        if isinstance(part, Header):
            lines.append(part.text)
        elif isinstance(part, Paragraph | Note):
            lines.append(plain(part.text))
        elif isinstance(part, Bullets):
            lines.extend(plain(i) for i in part.items)
        elif isinstance(part, Fields):
            lines.extend(f"{label}: {plain(value)}" for label, value in part.pairs)
    return "\n".join(lines)
