"""A local stand-in for the Feishu Open API: tenant token, bot info, send, reply, update (patch), images.

It records every call and answers like Feishu does (`{"code": 0, "data": …}`), so tests can
assert what the bot posted. Reached through the SDK client with `domain=mock.origin`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

BOT_OPEN_ID = "ou_bot"
TOKEN = "t-mock-tenant-token"


@dataclass(frozen=True)
class Call:
    verb: str  # POST, PATCH, GET
    path: str  # "/open-apis/im/v1/messages"
    query: dict[str, str]
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def kind(self) -> str:
        """send, reply, patch, image, token, bot_info."""
        if self.path.endswith("/tenant_access_token/internal"):
            return "token"
        if self.path.endswith("/bot/v3/info"):
            return "bot_info"
        if self.path.endswith("/images"):
            return "image"
        if self.path.endswith("/reply"):
            return "reply"
        return "patch" if self.verb == "PATCH" else "send"

    @property
    def content(self) -> Any:
        """The message's content, decoded (a card's JSON, or {"text": …})."""
        return json.loads(self.body.get("content") or "{}")

    @property
    def message_id(self) -> str:
        """The message a reply or patch is about."""
        return self.path.split("/messages/")[1].split("/")[0]


class MockFeishu:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, dict[str, Any]] = {}  # message_id -> {"chat_id", "content", "msg_type"}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what was called ----------------------------------------------------------------

    def of(self, kind: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.kind == kind]

    def kinds(self) -> list[str]:
        with self._lock:
            return [c.kind for c in self.calls if c.kind not in ("token", "bot_info")]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(kind)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{kind} called {len(self.of(kind))} times, expected {count}: {self.kinds()}")

    # -- answers ------------------------------------------------------------------------

    def _answer(self, call: Call) -> dict[str, Any]:
        kind = call.kind
        if kind == "token":
            return {"code": 0, "msg": "ok", "tenant_access_token": TOKEN, "expire": 7200}
        if call.headers.get("Authorization") != f"Bearer {TOKEN}":
            return {"code": 99991663, "msg": "invalid tenant access token"}
        if kind == "bot_info":
            return {"code": 0, "msg": "ok", "bot": {"open_id": BOT_OPEN_ID, "app_name": "planbridge"}}
        if kind == "image":
            return {"code": 0, "msg": "success", "data": {"image_key": f"img_{next(self._ids)}"}}
        if kind == "patch":
            with self._lock:
                self.messages.setdefault(call.message_id, {})["content"] = call.body.get("content")
            return {"code": 0, "msg": "success", "data": {}}
        message_id = f"om_{next(self._ids)}"
        if kind == "reply":
            chat_id = self.messages.get(call.message_id, {}).get("chat_id", "oc_unknown")
        elif call.query.get("receive_id_type") == "chat_id":
            chat_id = call.body["receive_id"]
        else:
            chat_id = f"oc_p2p_{call.body['receive_id']}"
        with self._lock:
            self.messages[message_id] = {"chat_id": chat_id, "content": call.body.get("content"),
                                         "msg_type": call.body.get("msg_type")}
        return {"code": 0, "msg": "success", "data": {
            "message_id": message_id, "chat_id": chat_id, "msg_type": call.body.get("msg_type"),
            "root_id": call.message_id if kind == "reply" else None,
            "body": {"content": call.body.get("content")}}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                url = urlparse(self.path)
                try:
                    body = dict(json.loads(raw or b"{}")) if "json" in (self.headers.get("Content-Type") or "") else {}
                except ValueError:
                    body = {}
                call = Call(self.command, url.path, {k: v[0] for k, v in parse_qs(url.query).items()}, body,
                            dict(self.headers.items()))
                answer = mock._answer(call)
                with mock._lock:
                    mock.calls.append(call)
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST
            do_PATCH = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
