"""A local stand-in for Slack's Socket Mode WebSocket endpoint (what apps.connections.open points to).

It greets each connection with `hello` like Slack, sends the envelopes a test queues, and records
every message the client sends back (the acknowledgements, by envelope id).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class SocketStandIn:
    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self._lock = threading.Lock()
        self.server: Server = serve(self._handle, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=local"

    def send(self, envelope: dict[str, Any]) -> None:
        self.outbox.put(envelope)

    def acks(self) -> list[str]:
        with self._lock:
            return [m["envelope_id"] for m in self.received if "envelope_id" in m]

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if envelope_id in self.acks():
                return
            time.sleep(0.01)
        raise AssertionError(f"no ack for {envelope_id}: {self.received}")

    def close(self) -> None:
        self.server.shutdown()

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self.connections += 1
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        while True:
            try:
                while not self.outbox.empty():
                    connection.send(json.dumps(self.outbox.get_nowait()))
                try:
                    message = connection.recv(timeout=0.02)
                except TimeoutError:
                    continue
                if isinstance(message, str):
                    with self._lock:
                        self.received.append(json.loads(message))
            except ConnectionClosed:
                return
