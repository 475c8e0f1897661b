"""What the Slack app listens to, recorded as it is registered on Bolt.

`slack/manifest.yml` must subscribe to every event and enable every kind of request the app
handles; the tests compare the two through `listening(app)`, so a new listener that the manifest
lacks (and Slack would never send) fails a test instead of going silent in production.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from slack_bolt import App

Listener = Callable[..., Any]

# The slash command is whatever name the workspace gave it (`/planbridge`, `/plan`, `/交期`, …).
ANY_COMMAND = re.compile(r"^/.+$")


@dataclass
class Listening:
    """Registers listeners on a Bolt app and remembers what it registered."""

    app: App
    events: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    commands: list[re.Pattern[str]] = field(default_factory=list)

    def event(self, name: str, *, ack: Listener, lazy: Sequence[Listener]) -> None:
        self.app.event(name)(ack=ack, lazy=list(lazy))
        self.events.append(name)

    def action(self, action_id: str, *, ack: Listener, lazy: Sequence[Listener]) -> None:
        self.app.action(action_id)(ack=ack, lazy=list(lazy))
        self.actions.append(action_id)

    def command(self, name: re.Pattern[str], *, ack: Listener, lazy: Sequence[Listener]) -> None:
        self.app.command(name)(ack=ack, lazy=list(lazy))
        self.commands.append(name)


_LISTENING: WeakKeyDictionary[App, Listening] = WeakKeyDictionary()


def listening(app: App) -> Listening:
    """The app's record of listeners (made on first use)."""
    if app not in _LISTENING:
        _LISTENING[app] = Listening(app)
    return _LISTENING[app]
