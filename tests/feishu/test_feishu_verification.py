"""Nothing acts on a Feishu request that is forged, stale, wrongly tokened or wrongly encrypted."""

from __future__ import annotations

import json
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from feishu.verify import Refused, Verifier, signature_of
from planbridge.api.feishu import feishu_router
from planbridge.services.requests import list_requests
from planbridge.settings import Settings
from tests.feishu.conftest import (
    ENCRYPT_KEY,
    MIA,
    SALES_CHAT,
    VERIFICATION_TOKEN,
    FeishuHarness,
    card_action,
    encrypt,
    message_event,
    signed,
)

QUESTION = "when can we ship 30 pump A to Acme by Jan 12?"
SHA256_OF_1700000000NK = "48353a7a50042419257060653224fc8a6691ae4891b35267b49215645eb2a855"
BOOK = {"item_id": "PUMP-A", "qty": 30, "due": "2027-01-12", "customer": "Acme", "planbridge_action": "book"}


def nothing_happened(harness: FeishuHarness) -> None:
    assert harness.feishu.kinds() == []
    assert "SO-1001" not in harness.services.snapshot().orders_by_id
    assert list_requests(harness.services) == []


def test_an_encrypted_signed_event_is_decrypted_and_answered(feishu_harness: FeishuHarness) -> None:
    body = json.dumps({"encrypt": encrypt(message_event(QUESTION, sender=MIA))}).encode()
    assert b"PUMP" not in body and b"pump" not in body  # nothing readable on the wire

    response = feishu_harness.http.post("/feishu/events", content=body, headers=signed(body))

    assert response.status_code == 200
    [reply] = feishu_harness.feishu.of("reply")
    assert "We can deliver 30 Centrifugal pump A for Acme" in json.dumps(reply.content)


@pytest.mark.parametrize("path", ["/feishu/events", "/feishu/cards"])
def test_a_forged_signature_is_refused(feishu_harness: FeishuHarness, path: str) -> None:
    payload = card_action(BOOK, operator=MIA, message_id="om_1", chat_id=SALES_CHAT) if path.endswith("cards") \
        else message_event(QUESTION, sender=MIA)
    body = json.dumps({"encrypt": encrypt(payload)}).encode()
    headers = signed(body, key="not-the-key")

    response = feishu_harness.http.post(path, content=body, headers=headers)

    assert response.status_code == 401
    nothing_happened(feishu_harness)


def test_a_replayed_stale_request_is_refused(feishu_harness: FeishuHarness) -> None:
    body = json.dumps({"encrypt": encrypt(card_action(BOOK, operator=MIA, message_id="om_1",
                                                      chat_id=SALES_CHAT))}).encode()
    headers = signed(body, timestamp=int(time.time()) - 600)  # correctly signed ten minutes ago

    response = feishu_harness.http.post("/feishu/cards", content=body, headers=headers)

    assert response.status_code == 401
    nothing_happened(feishu_harness)


def test_an_unsigned_request_is_refused(feishu_harness: FeishuHarness) -> None:
    event = message_event(QUESTION, sender=MIA)

    assert feishu_harness.send(event, headers={"Content-Type": "application/json"}).status_code == 401
    nothing_happened(feishu_harness)


def test_a_wrong_verification_token_is_refused_even_when_signed(feishu_harness: FeishuHarness) -> None:
    response = feishu_harness.send(message_event(QUESTION, sender=MIA, token="stolen-or-guessed"))

    assert response.status_code == 401
    nothing_happened(feishu_harness)


def test_a_body_encrypted_with_another_key_is_refused(feishu_harness: FeishuHarness) -> None:
    body = json.dumps({"encrypt": encrypt(message_event(QUESTION, sender=MIA), key="other")}).encode()

    assert feishu_harness.http.post("/feishu/events", content=body, headers=signed(body)).status_code == 401
    nothing_happened(feishu_harness)


def test_an_unsigned_url_verification_needs_the_token() -> None:
    verifier = Verifier(VERIFICATION_TOKEN, ENCRYPT_KEY)
    good = json.dumps({"encrypt": encrypt({"type": "url_verification", "challenge": "c", "token": VERIFICATION_TOKEN})})
    assert verifier.payload(good.encode(), {})["challenge"] == "c"
    bad = json.dumps({"encrypt": encrypt({"type": "url_verification", "challenge": "c", "token": "guess"})})
    with pytest.raises(Refused):
        verifier.payload(bad.encode(), {})


def test_the_signature_is_sha256_of_timestamp_nonce_key_and_body() -> None:
    # printf '1700000000nk{}' | sha256sum
    assert signature_of("1700000000", "n", "k", b"{}") == SHA256_OF_1700000000NK


def test_without_feishu_configured_nothing_under_feishu_acts() -> None:
    app = FastAPI()
    app.include_router(feishu_router(None))
    body = json.dumps({"encrypt": encrypt(message_event(QUESTION, sender=MIA))}).encode()

    for path in ("/feishu/events", "/feishu/cards", "/feishu/anything"):
        response = TestClient(app).post(path, content=body, headers=signed(body))
        assert response.status_code == 401 and "not configured" in response.json()["msg"]


def test_an_app_id_without_its_secrets_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="FEISHU_APP_SECRET"):
        Settings(feishu_app_id="cli_1")
    with pytest.raises(ValidationError, match="refusing to accept unsigned Feishu requests"):
        Settings(feishu_app_id="cli_1", feishu_app_secret="s", feishu_verification_token="v")
    assert Settings(feishu_app_id="cli_1", feishu_app_secret="s", feishu_long_connection=True).feishu_enabled
