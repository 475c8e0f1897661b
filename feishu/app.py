"""The Feishu app: verified requests in, the SDK's event dispatcher routing them to the listeners.

HTTP: `FeishuApp.handle(body, headers)` verifies (401 for a forged, stale or wrongly tokened
request before anything runs), answers url_verification, then lets the SDK dispatcher route
`im.message.receive_v1` and `card.action.trigger`. Long connection: the SDK's WebSocket client
delivers the same events to the same dispatcher (Feishu authenticates that connection itself).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import lark_oapi as lark
from lark_oapi.core.const import LARK_REQUEST_NONCE, LARK_REQUEST_SIGNATURE, LARK_REQUEST_TIMESTAMP
from lark_oapi.core.model import RawRequest

from feishu.channel import FEISHU_DOMAIN, Directory, FeishuChannel, open_api_client
from feishu.listeners import Listeners
from feishu.verify import Refused, Verifier, challenge
from planbridge.chat.handlers import Chat
from planbridge.chat.ports import JobQueue
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings

log = logging.getLogger("planbridge.feishu")

_SDK_HEADERS = {h.lower(): h for h in (LARK_REQUEST_TIMESTAMP, LARK_REQUEST_NONCE, LARK_REQUEST_SIGNATURE)}
HANDLED = ("im.message.receive_v1", "card.action.trigger")


def feishu_channel(services: ServiceContext, settings: Settings, *, client: lark.Client | None = None) -> FeishuChannel:
    """The Feishu channel on the Open API (`PLANBRIDGE_FEISHU_API_URL` points it elsewhere, e.g. a local mock)."""
    if not (settings.feishu_app_id and settings.feishu_app_secret):
        raise ValueError("FEISHU_APP_ID and FEISHU_APP_SECRET are not set")
    client = client or open_api_client(settings.feishu_app_id, settings.feishu_app_secret,
                                       api_url=settings.feishu_api_url)
    return FeishuChannel(client, Directory(lambda: services.snapshot().users))


@dataclass
class FeishuApp:
    chat: Chat
    channel: FeishuChannel
    verifier: Verifier
    dispatcher: lark.EventDispatcherHandler
    settings: Settings
    _bot_open_id: list[str | None] = field(default_factory=list)

    def handle(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """(status, JSON) for one request to /feishu/events or /feishu/cards."""
        try:
            payload = self.verifier.payload(body, dict(headers))
        except Refused as refused:
            log.warning("Feishu request refused: %s", refused)
            return 401, {"msg": "invalid Feishu request"}
        answer = challenge(payload)
        if answer is not None:
            return 200, answer
        header = payload.get("header")
        if not isinstance(header, dict) or header.get("event_type") not in HANDLED:
            return 200, {"msg": "ignored"}  # an event this app does not act on: answered, so Feishu does not re-send it
        request = RawRequest()
        request.uri = "/feishu/events"
        request.body = body
        request.headers = {_SDK_HEADERS.get(k.lower(), k): v for k, v in headers.items()}
        response = self.dispatcher.do(request)
        try:
            document = json.loads(response.content or b"{}")
        except ValueError:
            document = {}
        return response.status_code or 200, document

    def bot_open_id(self) -> str | None:
        """The bot's own open_id (bot/v3/info, asked once): a group message is answered when it @s the bot."""
        if not self._bot_open_id:
            try:
                request = (lark.BaseRequest.builder().http_method(lark.HttpMethod.GET).uri("/open-apis/bot/v3/info")
                           .token_types({lark.AccessTokenType.TENANT}).build())
                response = self.channel.client.request(request)
                info = json.loads(response.raw.content or b"{}") if response.raw else {}
                self._bot_open_id.append((info.get("bot") or {}).get("open_id"))
            except Exception:
                log.exception("could not ask Feishu for the bot's open_id; answering any mention meanwhile")
                return None
        return self._bot_open_id[0]

    def long_connection(self) -> LongConnection:
        """The SDK's WebSocket client on this app's dispatcher (FEISHU_LONG_CONNECTION=1)."""
        assert self.settings.feishu_app_id and self.settings.feishu_app_secret
        client = lark.ws.Client(self.settings.feishu_app_id, self.settings.feishu_app_secret,
                                event_handler=self.dispatcher, domain=(self.settings.feishu_api_url or FEISHU_DOMAIN).rstrip("/"),
                                log_level=lark.LogLevel.WARNING)
        return LongConnection(client)


class LongConnection:
    """Runs the SDK's WebSocket client in a daemon thread with an event loop of its own."""

    def __init__(self, client: lark.ws.Client) -> None:
        self.client = client
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping = False

    def start(self) -> None:
        threading.Thread(target=self._run, name="feishu-long-connection", daemon=True).start()

    def _run(self) -> None:
        from lark_oapi.ws import client as ws_client

        # The SDK runs on a module-level loop taken at import; in a server's thread that would be the
        # server's own (running) loop, so this thread gets a fresh one.
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        ws_client.loop = self.loop
        try:
            self.client.start()
        except Exception:
            if not self.stopping:
                log.exception("the Feishu long connection stopped")

    def stop(self) -> None:
        self.stopping = True
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)


def build_feishu_app(
    services: ServiceContext, settings: Settings, *, channel: FeishuChannel | None = None,
    executor: Executor | None = None, jobs: JobQueue | None = None,
) -> FeishuApp:
    channel = channel or feishu_channel(services, settings)
    chat = Chat(services, channel, settings.feishu_production_chat, settings.digest_language, platform="Feishu",
                jobs=jobs)
    verifier = Verifier(settings.feishu_verification_token, settings.feishu_encrypt_key)
    holder: list[FeishuApp] = []
    listeners = Listeners(chat, channel, executor or ThreadPoolExecutor(4, thread_name_prefix="feishu"),
                          bot_open_id=lambda: holder[0].bot_open_id())
    dispatcher = (lark.EventDispatcherHandler.builder(settings.feishu_encrypt_key or "",
                                                      settings.feishu_verification_token or "")
                  .register_p2_im_message_receive_v1(listeners.on_message)
                  .register_p2_card_action_trigger(listeners.on_card_action)
                  .build())
    app = FeishuApp(chat, channel, verifier, dispatcher, settings)
    holder.append(app)
    return app

