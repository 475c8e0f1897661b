"""The signature before any parsing, a size limit on bodies, and failures told with a reference id."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from planbridge.api import create_app, errors
from planbridge.api.limits import BodyLimit
from planbridge.services.context import ServiceContext
from tests.bot.conftest import Harness, event_body, signed_headers
from tests.bot.mock_slack import BOT_USER_ID
from tests.conftest import make_services

MALFORMED = [b"{bad", b"\xff\xfe\x00garbage", b"payload=%7Bnot-json", b""]
LIMIT = 1_000_000


@pytest.mark.parametrize("body", MALFORMED, ids=["json", "binary", "form", "empty"])
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_malformed_unsigned_body_gets_401_and_no_traceback(harness: Harness, body: bytes, content_type: str,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    response = harness.post(body, content_type, headers={})

    assert response.status_code == 401
    assert response.json() == {"error": "invalid or missing Slack signature"}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert harness.slack.calls == []


def test_a_malformed_body_with_a_forged_signature_gets_401(harness: Harness) -> None:
    response = harness.post(b"{bad", "application/json", headers=signed_headers(b"{bad", secret="guess"))
    assert response.status_code == 401


def test_a_signed_but_unreadable_body_is_a_clean_400(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    response = harness.post(b"{bad", "application/json")  # signed with the real secret

    assert response.status_code == 400
    assert [r for r in caplog.records if r.exc_info] == []


def oversized_event() -> bytes:
    event = {"type": "app_mention", "user": "U1SALES", "text": f"<@{BOT_USER_ID}> " + "x" * (LIMIT + 10),
             "ts": "1.1", "channel": "CSALES"}
    return json.dumps({"type": "event_callback", "event_id": "EvBIG", "event": event}).encode()


def test_an_oversized_signed_event_gets_413_and_nothing_happens(harness: Harness) -> None:
    body = oversized_event()

    response = harness.post(body, "application/json")

    assert response.status_code == 413
    assert response.json() == {"error": f"request body larger than {LIMIT} bytes"}
    assert harness.slack.calls == []


async def stream_through_limit(total: int, chunk: int) -> tuple[list[dict[str, object]], int]:
    """Send `total` bytes without Content-Length, in chunks, through the app's body limit; what came
    back and how many bytes the server pulled from the client."""
    inner = FastAPI()
    errors.install(inner)

    @inner.post("/slack/events")
    async def read_all(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    app = BodyLimit(inner, limit=LIMIT)
    pulled = 0
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        nonlocal pulled
        pulled += chunk
        return {"type": "http.request", "body": b"x" * chunk, "more_body": pulled < total}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/slack/events", "headers": [], "query_string": b"",
             "http_version": "1.1", "scheme": "http", "server": ("t", 80), "client": ("c", 1), "root_path": ""}
    await app(scope, receive, send)  # type: ignore[arg-type]
    return sent, pulled


def test_a_chunked_body_over_the_limit_is_cut_off_at_the_limit() -> None:
    import asyncio

    sent, pulled = asyncio.run(stream_through_limit(total=20 * LIMIT, chunk=64 * 1024))

    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {"error": f"request body larger than {LIMIT} bytes"}  # type: ignore[arg-type]
    assert LIMIT < pulled <= LIMIT + 64 * 1024  # stopped one chunk past the limit, not at the 20 MB sent


@pytest.fixture
def api(db_url: str, pumps) -> TestClient:  # type: ignore[no-untyped-def]
    from planbridge.services.plant import store_plant
    from planbridge.settings import Settings

    services: ServiceContext = make_services(db_url)
    store_plant(pumps, services, replace=False)
    return TestClient(create_app(services, Settings(database_url=db_url, api_token=None, max_body_bytes=4096)))


def test_the_api_refuses_a_body_over_its_limit_with_413(api: TestClient) -> None:
    big = json.dumps({"item": "PUMP-A", "qty": 5, "customer": "x" * 5000}).encode()

    declared = api.post("/api/quote", content=big, headers={"Content-Type": "application/json"})
    streamed = api.post("/api/quote", content=iter([big[:3000], big[3000:]]), headers={"Content-Type": "application/json"})

    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert declared.json() == {"error": "request body larger than 4096 bytes"}
    assert api.post("/api/quote", json={"item": "PUMP-A", "qty": 5}).status_code == 200  # under it: answered


def test_a_failing_listener_apologises_with_the_reference_of_its_log_line(
        harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded at line 42")

    monkeypatch.setattr("planbridge.chat.handlers.ask", broken)

    harness.post(*event_body({"type": "app_mention", "user": "U2SALES", "text": f"<@{BOT_USER_ID}> 泵A 5台几时交",
                              "ts": "1700000000.000300", "channel": "CSALES"}))

    [post] = harness.slack.to("chat.postMessage")
    found = re.fullmatch(r"抱歉，系统出了点问题，未做任何修改。请稍后再试（参考编号 ([0-9a-f]{8})）。", post.body["text"])
    assert found, post.body["text"]
    [logged] = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged.exc_info is not None and "exploded" in str(logged.exc_info[1])
    assert "exploded" not in post.body["text"]
