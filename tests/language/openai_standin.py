"""A local stand-in for an OpenAI-compatible server (Ollama, llama.cpp): /v1/chat/completions only.

Tests queue the replies it gives (tool calls, text, a delay, an HTTP error) and read the
requests it received, so the real `langchain_openai.ChatOpenAI` client is exercised with
no network beyond 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class StandIn:
    replies: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    def tool_call(self, name: str, args: dict[str, Any], *, delay: float = 0.0) -> None:
        self.replies.append({"tool": name, "args": args, "delay": delay})

    def text(self, content: str) -> None:
        self.replies.append({"content": content})

    def error(self, status: int) -> None:
        self.replies.append({"status": status})


def _completion(reply: dict[str, Any], model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    finish = "stop"
    if "tool" in reply:
        message["content"] = None
        message["tool_calls"] = [{"id": "call_1", "type": "function",
                                  "function": {"name": reply["tool"], "arguments": json.dumps(reply["args"])}}]
        finish = "tool_calls"
    return {"id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


@contextmanager
def openai_standin() -> Iterator[StandIn]:
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            state.requests.append({"path": self.path, "body": body})
            reply = state.replies.pop(0) if state.replies else {"content": "nothing queued"}
            if reply.get("delay"):
                time.sleep(reply["delay"])
            if reply.get("status"):
                self._send(reply["status"], {"error": {"message": "stand-in error", "type": "server_error"}})
                return
            self._send(200, _completion(reply, body.get("model", "standin")))

        def _send(self, status: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a time-out test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
