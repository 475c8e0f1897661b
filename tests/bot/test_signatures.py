"""Requests to /slack/* with a missing, stale or wrong signature get 401 and change nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from fastapi.testclient import TestClient

from bot.actions import APPROVE
from planbridge.api import create_app
from planbridge.records import RequestKind
from planbridge.services.requests import CreateRequest, create_request, list_requests
from tests.bot.conftest import (
    AS_OF,
    PRODUCTION,
    PRODUCTION_CHANNEL,
    SALES,
    SECRET,
    Harness,
    click_body,
    command_body,
    event_body,
    signed_headers,
)
from tests.bot.mock_slack import BOT_USER_ID


def pending_rush(harness: Harness) -> str:
    answer = create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, order_id="A-2", due=AS_OF.replace(day=6)),
                            harness.services)
    return answer.request.request_id


def approve_click(harness: Harness, request_id: str) -> tuple[bytes, str]:
    message = {"ts": "1700000000.000900", "text": "rush", "blocks": []}
    return click_body(APPROVE, json.dumps({"request_id": request_id}), user=PRODUCTION, channel=PRODUCTION_CHANNEL,
                      message=message, response_url=harness.slack.response_url("click"))


def forged(body: bytes) -> dict[str, str]:
    return signed_headers(body, secret="not-the-secret")


def stale(body: bytes) -> dict[str, str]:
    return signed_headers(body, timestamp=int(time.time()) - 6 * 60)  # right secret, six minutes old


def missing(_: bytes) -> dict[str, str]:
    return {}


@pytest.mark.parametrize("headers", [forged, stale, missing], ids=["forged", "stale", "missing"])
def test_a_bad_signature_on_an_approval_click_gets_401_and_the_request_stays_pending(harness: Harness, headers) -> None:
    request_id = pending_rush(harness)
    body, content_type = approve_click(harness, request_id)

    response = harness.post(body, content_type, headers=headers(body))

    assert response.status_code == 401
    [stored] = list_requests(harness.services)
    assert (stored.request_id, stored.status, stored.decided_by) == (request_id, "pending", None)
    assert harness.services.snapshot().orders_by_id["A-2"].promised_date == AS_OF.replace(day=8)
    assert harness.slack.calls == []


@pytest.mark.parametrize("headers", [forged, stale, missing], ids=["forged", "stale", "missing"])
def test_a_bad_signature_on_a_message_or_command_gets_401_and_nothing_is_posted(harness: Harness, headers) -> None:
    event = {"type": "app_mention", "user": SALES, "text": f"<@{BOT_USER_ID}> quote 5 pump A", "ts": "1.000100",
             "channel": "CSALES", "event_ts": "1.000100"}
    for body, content_type in (event_body(event),
                               command_body("quote PUMP-A 5", user=SALES, response_url=harness.slack.response_url())):
        assert harness.post(body, content_type, headers=headers(body)).status_code == 401
    assert harness.slack.calls == []
    with harness.services.uow_factory() as uow:
        assert uow.conversations.get("slack:CSALES:1.000100") is None


def test_a_correctly_signed_url_verification_is_answered(harness: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "legacy"}).encode()

    response = harness.post(body, "application/json")

    assert response.status_code == 200
    assert "c-123" in response.text


def test_every_slack_path_checks_the_signature(harness: Harness) -> None:
    body, content_type = command_body("help", user=SALES, response_url=harness.slack.response_url())
    for path in ("/slack/events", "/slack/commands", "/slack/interactivity"):
        assert harness.post(body, content_type, headers=forged(body), path=path).status_code == 401
        assert harness.post(body, content_type, path=path).status_code == 200


def test_without_slack_settings_slack_requests_are_refused(sqlite_url: str) -> None:
    from planbridge.settings import Settings
    from tests.conftest import make_services

    services = make_services(sqlite_url)
    body, content_type = command_body("help", user=SALES, response_url="http://127.0.0.1:9/")
    headers = {"Content-Type": content_type, **signed_headers(body)}

    unconfigured = TestClient(create_app(services, Settings(database_url=sqlite_url)))
    assert unconfigured.post("/slack/events", content=body, headers=headers).status_code == 401

    secret_only = TestClient(create_app(services, Settings(database_url=sqlite_url, slack_signing_secret=SECRET)))
    assert secret_only.post("/slack/events", content=body, headers=headers).status_code == 503
    assert secret_only.post("/slack/events", content=body, headers=forged(body) | {"Content-Type": content_type}
                            ).status_code == 401


def test_any_path_or_method_under_slack_needs_a_signature(harness: Harness) -> None:
    assert harness.http.post("/slack/actions", content=b"payload=%7B%7D").status_code == 401
    assert harness.http.get("/slack/events").status_code == 401
    assert harness.slack.calls == []


def test_an_unsigned_ssl_check_is_refused_too(harness: Harness) -> None:
    assert harness.post(b"ssl_check=1&token=legacy", "application/x-www-form-urlencoded", headers={}).status_code == 401


def test_with_socket_mode_only_no_http_request_can_be_signed(sqlite_url: str, slack) -> None:
    from slack_sdk import WebClient

    from planbridge.app import build_http_app, build_runtime
    from planbridge.settings import Settings
    from tests.conftest import make_services

    settings = Settings(database_url=sqlite_url, slack_bot_token="xoxb", slack_app_token="xapp-1",
                        slack_api_url=slack.api_url)
    runtime = build_runtime(settings, services=make_services(sqlite_url),
                            client=WebClient(token="xoxb", base_url=slack.api_url))
    client = TestClient(build_http_app(settings, runtime=runtime))  # not started: no Socket Mode connection
    body, content_type = command_body("help", user=SALES, response_url=slack.response_url())

    ts = str(int(time.time()))
    empty_key = "v0=" + hmac.new(b"", f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    for headers in ({"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": empty_key}, signed_headers(body)):
        assert client.post("/slack/events", content=body, headers={"Content-Type": content_type, **headers}
                           ).status_code == 401
    assert slack.calls == []
