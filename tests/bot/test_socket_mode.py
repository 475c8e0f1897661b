"""Socket Mode against a local stand-in for Slack's WebSocket endpoint: a plant without inbound HTTP.

The real runtime connects with slack_sdk's SocketModeClient (apps.connections.open on the mock Web
API answers the stand-in's ws:// URL); an events_api envelope is acknowledged by its envelope id and
the mention is answered through the Web API, once, even when the envelope is delivered twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from planbridge.app import build_runtime
from planning_core.model import PlantSnapshot
from tests.bot.conftest import SALES, InlineExecutor, event_body, plant_services, slack_settings
from tests.bot.mock_slack import BOT_USER_ID, MockSlack
from tests.bot.socket_standin import SocketStandIn


@pytest.fixture
def standin(slack: MockSlack) -> Iterator[SocketStandIn]:
    server = SocketStandIn()
    slack.socket_url = server.url
    yield server
    server.close()


def envelope(envelope_id: str, ts: str, text: str) -> dict[str, object]:
    event = {"type": "app_mention", "user": SALES, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts,
             "channel": "CSALES", "event_ts": ts}
    return {"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": 0, "retry_reason": "", "payload": json.loads(event_body(event)[0])}


def test_a_mention_over_socket_mode_is_acknowledged_and_answered_once(
        db_url: str, slack: MockSlack, standin: SocketStandIn, pumps: PlantSnapshot) -> None:
    # Socket Mode only: no signing secret (every HTTP request to /slack/ is then refused)
    settings = slack_settings(db_url, slack, slack_app_token="xapp-test", slack_signing_secret=None,
                              scheduler_enabled=False)
    services = plant_services(db_url, pumps)
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    runtime = build_runtime(settings, services=services, client=client, listener_executor=InlineExecutor())
    runtime.start()
    try:
        [opened] = slack.wait_for("apps.connections.open")
        assert opened.headers.get("Authorization") == "Bearer xapp-test"  # the app-level token, not the bot's

        standin.send(envelope("env-1", "1700000500.000100", "when can we ship 5 pump A?"))
        standin.wait_for_ack("env-1")
        [answer] = slack.wait_for("chat.postMessage")
        assert answer.body["thread_ts"] == "1700000500.000100"
        assert answer.body["text"].startswith("We can deliver 5 Centrifugal pump A")

        standin.send(envelope("env-2", "1700000500.000100", "when can we ship 5 pump A?"))  # redelivered
        standin.wait_for_ack("env-2")
        standin.send(envelope("env-3", "1700000600.000100", "when can we ship 6 pump A?"))
        standin.wait_for_ack("env-3")
        answers = slack.wait_for("chat.postMessage", 2)
        assert [a.body["thread_ts"] for a in answers] == ["1700000500.000100", "1700000600.000100"]
    finally:
        runtime.stop()
