"""`slack/manifest.yml` creates the app the code is: every event, command and button it handles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from bot.listeners import listening
from tests.bot.conftest import SALES, SALES_CHANNEL, SALES_ZH, Harness

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "slack" / "manifest.yml"
# Bolt's `message` listener receives the message.* events of each kind of conversation.
EVENT_SUBSCRIPTIONS = {"message": {"message.im", "message.channels", "message.groups"}}


def manifest() -> dict[str, Any]:
    return dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))


def test_the_manifest_is_yaml_with_what_slack_needs() -> None:
    loaded = manifest()

    assert loaded["display_information"]["name"] == "planbridge"
    assert loaded["features"]["app_home"]["home_tab_enabled"] is True
    assert loaded["settings"]["socket_mode_enabled"] is False  # HTTP by default; the comment says how to switch
    urls = {loaded["settings"]["event_subscriptions"]["request_url"], loaded["settings"]["interactivity"]["request_url"],
            *(c["url"] for c in loaded["features"]["slash_commands"])}
    assert urls == {"https://YOUR-HOST/slack/events"}  # the one endpoint the server answers


def test_the_manifest_subscribes_to_every_event_the_app_handles(harness: Harness) -> None:
    handled = listening(harness.runtime.slack_app).events  # type: ignore[arg-type]
    assert "app_home_opened" in handled
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])

    for event in handled:
        assert EVENT_SUBSCRIPTIONS.get(event, {event}) <= subscribed, event
    unused = subscribed - {s for e in handled for s in EVENT_SUBSCRIPTIONS.get(e, {e})}
    assert unused == set()  # nothing subscribed that no listener answers


def test_the_manifest_enables_every_button_and_command_the_app_handles(harness: Harness) -> None:
    listen = listening(harness.runtime.slack_app)  # type: ignore[arg-type]
    loaded = manifest()

    assert listen.actions and loaded["settings"]["interactivity"]["is_enabled"] is True
    docs = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    assert [a for a in listen.actions if f"`{a}`" not in docs] == []  # each button named in the docs
    for command in loaded["features"]["slash_commands"]:
        assert any(pattern.fullmatch(command["command"]) for pattern in listen.commands), command
    assert {"commands", "chat:write", "im:write", "app_mentions:read"} <= set(loaded["oauth_config"]["scopes"]["bot"])


def command_named(harness: Harness, name: str, text: str, user: str) -> Any:
    form = {"token": "legacy", "team_id": "T1", "channel_id": SALES_CHANNEL, "user_id": user, "command": name,
            "text": text, "api_app_id": "A1", "response_url": harness.slack.response_url("command"),
            "trigger_id": "trigger"}
    return harness.post(urlencode(form).encode(), "application/x-www-form-urlencoded")


@pytest.mark.parametrize(("name", "user", "expected"), [
    ("/plan", SALES, "`/plan quote ITEM QTY"),
    ("/交期", SALES_ZH, "/交期"),
    ("/planbridge", SALES, "`/planbridge quote ITEM QTY"),
])
def test_any_command_name_is_answered_and_its_help_names_it(harness: Harness, name: str, user: str,
                                                             expected: str) -> None:
    response = command_named(harness, name, "help", user)

    assert response.status_code == 200
    assert expected in response.json()["text"]
    assert "/planbridge" not in response.json()["text"] or name == "/planbridge"


@pytest.mark.parametrize("name", ["/plan", "/交期"])
def test_a_quote_under_another_command_name_is_answered(harness: Harness, name: str) -> None:
    assert command_named(harness, name, "quote PUMP-A 3", SALES).status_code == 200

    [answer] = harness.slack.responses()
    assert re.match(r"We can deliver 3 Centrifugal pump A", answer.body["text"]), answer.body["text"]
