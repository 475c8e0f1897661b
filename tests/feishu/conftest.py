"""The real FastAPI app with the Feishu adapter on the pumps plant, a local mock of the Feishu Open
API, and requests signed and encrypted as Feishu sends them."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import lark_oapi as lark
import pytest
from Crypto.Cipher import AES
from fastapi.testclient import TestClient

from feishu.channel import open_api_client
from feishu.verify import signature_of
from planbridge.app import Runtime, build_http_app, build_runtime
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.bot.conftest import AS_OF, InlineExecutor, plant_services
from tests.bot.mock_slack import MockSlack
from tests.feishu.mock_feishu import BOT_OPEN_ID, MockFeishu

VERIFICATION_TOKEN = "test-verification-token"
ENCRYPT_KEY = "test-encrypt-key"
# Plant users (users.csv user_id) and their Feishu open_ids (users.csv feishu_id).
FEISHU_IDS = {"U1SALES": "ou_mia", "U2SALES": "ou_lina", "U3PROD": "ou_wang"}
MIA, LINA, WANG, NOBODY = "ou_mia", "ou_lina", "ou_wang", "ou_nobody"
SALES_CHAT, PRODUCTION_CHAT = "oc_sales", "oc_production"


def with_feishu_ids(snapshot: PlantSnapshot) -> PlantSnapshot:
    users = {uid: replace(u, feishu_id=FEISHU_IDS.get(uid)) for uid, u in snapshot.users.items()}
    return replace(snapshot, users=users)


def feishu_settings(url: str, feishu: MockFeishu, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url, "as_of": AS_OF, "feishu_app_id": "cli_test", "feishu_app_secret": "secret",
        "feishu_verification_token": VERIFICATION_TOKEN, "feishu_encrypt_key": ENCRYPT_KEY,
        "feishu_api_url": feishu.origin, "feishu_production_chat": PRODUCTION_CHAT, "api_token": None,
        "scheduler_enabled": False, **extra,
    }
    return Settings(**values)


def encrypt(payload: dict[str, Any], key: str = ENCRYPT_KEY) -> str:
    """As Feishu encrypts a request: AES-256-CBC with sha256(key), a random IV first, PKCS7, base64."""
    plain = json.dumps(payload, ensure_ascii=False).encode()
    pad = AES.block_size - len(plain) % AES.block_size
    iv = os.urandom(AES.block_size)
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(plain + bytes([pad]) * pad)).decode()


def signed(body: bytes, *, timestamp: int | None = None, key: str = ENCRYPT_KEY) -> dict[str, str]:
    ts, nonce = str(timestamp if timestamp is not None else int(time.time())), "nonce-1"
    return {"X-Lark-Request-Timestamp": ts, "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": signature_of(ts, nonce, key, body), "Content-Type": "application/json"}


_ids = itertools.count(1)


def message_event(text: str, *, sender: str, chat_id: str = SALES_CHAT, chat_type: str = "group",
                  message_id: str | None = None, root_id: str | None = None, mention_bot: bool = True,
                  event_id: str | None = None, token: str = VERIFICATION_TOKEN) -> dict[str, Any]:
    mentions = [{"key": "@_user_1", "id": {"open_id": BOT_OPEN_ID, "union_id": "on_bot"}, "name": "planbridge",
                 "tenant_key": "t1"}] if mention_bot else []
    return {"schema": "2.0", "header": {
        "event_id": event_id or f"ev_{next(_ids)}", "token": token, "create_time": "1700000000000",
        "event_type": "im.message.receive_v1", "tenant_key": "t1", "app_id": "cli_test"},
        "event": {"sender": {"sender_id": {"open_id": sender, "union_id": f"on_{sender}"}, "sender_type": "user",
                             "tenant_key": "t1"},
                  "message": {"message_id": message_id or f"om_in_{next(_ids)}", "root_id": root_id,
                              "chat_id": chat_id, "chat_type": chat_type, "message_type": "text",
                              "content": json.dumps({"text": ("@_user_1 " if mention_bot else "") + text},
                                                    ensure_ascii=False),
                              "mentions": mentions}}}


def card_action(value: dict[str, Any], *, operator: str, message_id: str, chat_id: str,
                event_id: str | None = None) -> dict[str, Any]:
    return {"schema": "2.0", "header": {
        "event_id": event_id or f"ev_card_{next(_ids)}", "token": VERIFICATION_TOKEN, "create_time": "1700000000000",
        "event_type": "card.action.trigger", "tenant_key": "t1", "app_id": "cli_test"},
        "event": {"operator": {"open_id": operator, "union_id": f"on_{operator}", "tenant_key": "t1"},
                  "token": "c-callback", "action": {"value": value, "tag": "button"}, "host": "im_message",
                  "context": {"open_message_id": message_id, "open_chat_id": chat_id}}}


@dataclass
class FeishuHarness:
    """Signed, encrypted Feishu requests against the real app; what the bot sent lands in `feishu`."""

    http: TestClient
    feishu: MockFeishu
    services: ServiceContext
    runtime: Runtime

    def send(self, payload: dict[str, Any], *, path: str = "/feishu/events", encrypted: bool = True,
             headers: dict[str, str] | None = None) -> httpx.Response:
        body = json.dumps({"encrypt": encrypt(payload)} if encrypted else payload, ensure_ascii=False).encode()
        return self.http.post(path, content=body, headers=signed(body) if headers is None else headers)

    def ask(self, text: str, *, sender: str = LINA, **kwargs: Any) -> httpx.Response:
        return self.send(message_event(text, sender=sender, **kwargs))

    def click(self, button: dict[str, Any], *, operator: str, message_id: str, chat_id: str,
              **kwargs: Any) -> httpx.Response:
        return self.send(card_action(button["value"], operator=operator, message_id=message_id, chat_id=chat_id,
                                     **kwargs), path="/feishu/cards")


@pytest.fixture
def feishu() -> Iterator[MockFeishu]:
    mock = MockFeishu()
    yield mock
    mock.close()


@pytest.fixture
def slack() -> Iterator[MockSlack]:
    """The mock Slack Web API too, for the tests that serve both platforms."""
    mock = MockSlack()
    yield mock
    mock.close()


def feishu_client(feishu: MockFeishu) -> lark.Client:
    return open_api_client("cli_test", "secret", api_url=feishu.origin)


@pytest.fixture
def feishu_harness(db_url: str, feishu: MockFeishu, pumps: PlantSnapshot) -> FeishuHarness:
    settings = feishu_settings(db_url, feishu)
    services = plant_services(db_url, with_feishu_ids(pumps))
    runtime = build_runtime(settings, services=services, listener_executor=InlineExecutor(),
                            feishu_client=feishu_client(feishu))
    return FeishuHarness(TestClient(build_http_app(settings, runtime=runtime)), feishu, services, runtime)


def card_buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A Feishu card's buttons by the action they ask for."""
    return {b["value"]["planbridge_action"]: b for e in card.get("elements", []) if e.get("tag") == "action"
            for b in e["actions"]}


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)
