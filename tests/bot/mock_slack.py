"""A local stand-in for the Slack Web API (and for response_url webhooks and file uploads).

It records every call and answers like Slack does, so tests can assert what the bot
posted. Reached through `WebClient(base_url=mock.api_url)`, like slack-bolt's own
tests/mock_web_api_server.
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

BOT_USER_ID = "UBOT"


@dataclass(frozen=True)
class Call:
    path: str  # "/api/chat.postMessage", "/respond/…", "/upload/F1"
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]

    @property
    def method(self) -> str:
        return self.path.removeprefix("/api/")


class MockSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.delay = 0.0  # seconds before answering chat.postMessage (to widen race windows)
        self.failures: dict[str, int] = {}  # method -> how many of its next calls answer an error
        self.refused: list[Call] = []  # the calls answered with that error (not in `calls`)
        self.socket_url: str | None = None  # what apps.connections.open answers (a local WebSocket stand-in)
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.base}/respond/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what was called ----------------------------------------------------------------

    def to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def responses(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path.startswith("/respond/")]

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls if c.path.startswith("/api/")]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """For listeners that run in threads: poll instead of sleeping a fixed time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(method) if not method.startswith("/") else [c for c in self.calls if c.path == method]
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{method} called {len(self.to(method))} times, expected {count}: {self.methods()}")

    # -- answers ------------------------------------------------------------------------

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        ts = f"170000{next(self._ts):04d}.000100"
        with self._lock:
            if self.failures.get(method, 0) > 0:
                self.failures[method] -= 1
                return {"ok": False, "error": "internal_error"}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url} if self.socket_url else {"ok": False, "error": "not_allowed"}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": "BBOT", "team_id": "T1", "user": "planbridge",
                    "url": "https://example.slack.com/"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": body.get("channel"), "ts": ts,
                    "message": {"text": body.get("text"), "ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts"), "text": body.get("text")}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{body.get('users')}"}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "chart"}]}
        if method == "files.info":
            return {"ok": True, "file": {"id": "F1"}}
        return {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                path = urlparse(self.path).path
                body = _decode(raw, self.headers.get("Content-Type") or "")
                body.update({k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()})
                call = Call(path, body, raw, dict(self.headers.items()))
                answer = mock._answer(path.removeprefix("/api/"), body) if path.startswith("/api/") else None
                with mock._lock:
                    (mock.calls if answer is None or answer["ok"] else mock.refused).append(call)
                if path == "/api/chat.postMessage" and mock.delay:
                    time.sleep(mock.delay)
                if answer is not None:
                    self._send(json.dumps(answer).encode(), "application/json")
                else:
                    self._send(b"ok", "text/plain")

            do_GET = do_POST

            def _send(self, payload: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _decode(raw: bytes, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(raw or b"{}"))
    if "x-www-form-urlencoded" in content_type:
        try:
            return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        except UnicodeDecodeError:  # a file upload (urllib's default content type for bytes)
            return {}
    return {}
