"""The real Bolt + FastAPI app on the pumps plant, a local mock of the Slack Web API, and signed requests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from planbridge.app import Runtime, build_http_app, build_runtime
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.bot.mock_slack import BOT_USER_ID, MockSlack
from tests.conftest import make_services

SECRET = "test-signing-secret"
AS_OF = date(2027, 1, 4)
SALES, SALES_ZH, PRODUCTION, PLANNER, STRANGER = "U1SALES", "U2SALES", "U3PROD", "U4PLAN", "U9NOBODY"
SALES_CHANNEL, PRODUCTION_CHANNEL, DIGEST_CHANNEL = "CSALES", "CPROD", "CDIGEST"


class InlineExecutor(Executor):
    """Runs Bolt's listeners and lazy listeners at once, so a test sees their effects on return."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def slack_settings(url: str, slack: MockSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url, "as_of": AS_OF, "slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET,
        "slack_api_url": slack.api_url, "production_channel": PRODUCTION_CHANNEL, "digest_channel": DIGEST_CHANNEL,
        "api_token": None, **extra,
    }
    return Settings(**values)


def signed_headers(body: bytes, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)}


@dataclass
class Harness:
    """Signed Slack requests against the real app; what the bot posted lands in `slack`."""

    http: TestClient
    slack: MockSlack
    services: ServiceContext
    runtime: Runtime

    def post(self, body: bytes, content_type: str, *, headers: dict[str, str] | None = None,
             path: str = "/slack/events") -> httpx.Response:
        sent = {"Content-Type": content_type, **(signed_headers(body) if headers is None else headers)}
        return self.http.post(path, content=body, headers=sent)

    def event(self, event: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.post(*event_body(event), **kwargs)

    def mention(self, text: str, *, user: str = SALES, ts: str = "1700000000.000100",
                thread_ts: str | None = None, channel: str = SALES_CHANNEL) -> httpx.Response:
        event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts,
                 "channel": channel, "event_ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}
        return self.event(event)

    def command(self, text: str, *, user: str = SALES, **kwargs: Any) -> httpx.Response:
        return self.post(*command_body(text, user=user, response_url=self.slack.response_url("command")), **kwargs)

    def click(self, action_id: str, value: str, *, user: str, channel: str, message: dict[str, Any],
              **kwargs: Any) -> httpx.Response:
        return self.post(*click_body(action_id, value, user=user, channel=channel, message=message,
                                     response_url=self.slack.response_url("click")), **kwargs)


def event_body(event: dict[str, Any]) -> tuple[bytes, str]:
    envelope = {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event_id": f"Ev{event.get('ts', '1')}-{event.get('type')}", "event_time": 1700000000, "event": event,
                "authorizations": [{"team_id": "T1", "user_id": BOT_USER_ID, "is_bot": True}]}
    return json.dumps(envelope).encode(), "application/json"


def command_body(text: str, *, user: str, response_url: str, channel: str = SALES_CHANNEL) -> tuple[bytes, str]:
    form = {"token": "legacy", "team_id": "T1", "team_domain": "example", "channel_id": channel,
            "channel_name": "sales", "user_id": user, "user_name": user.lower(), "command": "/planbridge",
            "text": text, "api_app_id": "A1", "response_url": response_url, "trigger_id": "trigger"}
    return urlencode(form).encode(), "application/x-www-form-urlencoded"


def click_body(action_id: str, value: str, *, user: str, channel: str, message: dict[str, Any],
               response_url: str) -> tuple[bytes, str]:
    payload = {
        "type": "block_actions", "api_app_id": "A1", "team": {"id": "T1", "domain": "example"},
        "user": {"id": user, "team_id": "T1"}, "trigger_id": "trigger", "response_url": response_url,
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel}, "message": message,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                     "action_ts": "1700000001.000200"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


@pytest.fixture
def slack() -> Iterator[MockSlack]:
    mock = MockSlack()
    yield mock
    mock.close()


def plant_services(url: str, snapshot: PlantSnapshot) -> ServiceContext:
    services = make_services(url, as_of=AS_OF)
    store_plant(snapshot, services, replace=False)
    return services


@pytest.fixture
def harness(db_url: str, slack: MockSlack, pumps: PlantSnapshot) -> Harness:
    """The app on the pumps plant (SQLite, and PostgreSQL when PLANBRIDGE_TEST_DATABASE_URL is set)."""
    settings = slack_settings(db_url, slack)
    services = plant_services(db_url, pumps)
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    runtime = build_runtime(settings, services=services, client=client, listener_executor=InlineExecutor())
    return Harness(TestClient(build_http_app(settings, runtime=runtime)), slack, services, runtime)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The buttons of a message by action id."""
    return {e["action_id"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def posted_blocks(call_body: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = call_body.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every text in the blocks, joined (to assert on what a reader sees)."""
    return json.dumps(blocks, ensure_ascii=False)
