"""Feishu as a chat channel: the `ChatChannel` and `Interaction` ports on the Open API (lark-oapi).

A `Place` is a chat (`chat_id` oc_…) and, for a thread, the message it replies to; a `Posted`
is (chat_id, message_id). Plant users are people of `users.csv`: Feishu knows them by the
open_id (or union_id) in their `feishu_id` column.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import lark_oapi as lark
from lark_oapi.api.im.v1 import (
    CreateImageRequest,
    CreateImageRequestBody,
    CreateMessageRequest,
    CreateMessageRequestBody,
    PatchMessageRequest,
    PatchMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)

from feishu.cards import ACTION_KEY, People, lark_md, message, note_card, render_card, without_actions
from planbridge.chat.ports import Place, Posted
from planbridge.presentation.cards import Card, Rich
from planning_core.model import User

log = logging.getLogger("planbridge.feishu")

FEISHU_DOMAIN = "https://open.feishu.cn"


class FeishuApiError(RuntimeError):
    pass


def open_api_client(app_id: str, app_secret: str, *, api_url: str | None = None) -> lark.Client:
    """The SDK client; it fetches and renews the tenant_access_token itself (auth/v3/tenant_access_token/internal)."""
    return (lark.Client.builder().app_id(app_id).app_secret(app_secret)
            .domain((api_url or FEISHU_DOMAIN).rstrip("/")).log_level(lark.LogLevel.WARNING).build())


def _checked(response: Any, what: str) -> Any:
    if not response.success():
        raise FeishuApiError(f"Feishu {what} failed: code {response.code}, {response.msg}")
    return getattr(response, "data", None)


class Directory:
    """Plant users by Feishu id and Feishu ids by plant user (read from the current plant snapshot)."""

    def __init__(self, users: Callable[[], Mapping[str, User]]) -> None:
        self._users = users

    def user_of(self, *feishu_ids: str | None) -> User | None:
        wanted = {i for i in feishu_ids if i}
        return next((u for u in self._users().values() if u.feishu_id in wanted), None) if wanted else None

    def person(self, user_id: str) -> tuple[str | None, str]:
        user = self._users().get(user_id)
        return (user.feishu_id, user.name) if user else (None, user_id)

    def open_id(self, user_id: str) -> str | None:
        return self.person(user_id)[0]


class FeishuChannel:
    """Posts cards as interactive messages (text-only cards as text), in threads as replies."""

    def __init__(self, client: lark.Client, directory: Directory, *, remembered: int = 1000) -> None:
        self.client = client
        self.directory = directory
        # The cards this process posted, so a click can close one (the Open API returns no card JSON).
        self._cards: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._remembered = remembered
        self._lock = threading.Lock()

    @property
    def people(self) -> People:
        return self.directory.person

    def post(self, place: Place, card: Card) -> Posted | None:
        msg_type, content = message(card, self.people)
        if place.thread:
            return self._reply(place.thread, msg_type, content)
        return self._create("chat_id", place.channel, msg_type, content)

    def update(self, posted: Posted, card: Card) -> None:
        self.patch(posted.message_id, render_card(card, self.people))

    def direct_message(self, user_id: str, card: Card) -> Posted | None:
        """To the plant user's open_id (None when they have no Feishu id: they are not on Feishu)."""
        open_id = self.directory.open_id(user_id)
        if not open_id:
            return None
        msg_type, content = message(card, self.people)
        return self._create("open_id", open_id, msg_type, content)

    def post_image(self, channel: str, png: bytes, *, filename: str, title: str) -> None:
        import io

        body = CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(png)).build()
        data = _checked(self.client.im.v1.image.create(CreateImageRequest.builder().request_body(body).build()),
                        "image upload")
        self._create("chat_id", channel, "image", json.dumps({"image_key": data.image_key}))

    def tell(self, open_id: str, text: str) -> None:
        """A private line to one person (a direct message from the bot)."""
        self._create("open_id", open_id, "text", json.dumps({"text": text}, ensure_ascii=False))

    def patch(self, message_id: str, document: dict[str, Any]) -> None:
        body = PatchMessageRequestBody.builder().content(json.dumps(document, ensure_ascii=False)).build()
        request = PatchMessageRequest.builder().message_id(message_id).request_body(body).build()
        _checked(self.client.im.v1.message.patch(request), "card update")
        self._remember(message_id, "interactive", json.dumps(document))

    def card_of(self, message_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._cards.get(message_id)

    def _create(self, id_type: str, receive_id: str, msg_type: str, content: str) -> Posted | None:
        body = (CreateMessageRequestBody.builder().receive_id(receive_id).msg_type(msg_type).content(content)
                .uuid(str(uuid.uuid4())).build())
        request = CreateMessageRequest.builder().receive_id_type(id_type).request_body(body).build()
        data = _checked(self.client.im.v1.message.create(request), "send message")
        return self._posted(data, receive_id, msg_type, content)

    def _reply(self, message_id: str, msg_type: str, content: str) -> Posted | None:
        body = (ReplyMessageRequestBody.builder().content(content).msg_type(msg_type).reply_in_thread(True)
                .uuid(str(uuid.uuid4())).build())
        request = ReplyMessageRequest.builder().message_id(message_id).request_body(body).build()
        data = _checked(self.client.im.v1.message.reply(request), "reply")
        return self._posted(data, "", msg_type, content)

    def _posted(self, data: Any, fallback_chat: str, msg_type: str, content: str) -> Posted | None:
        if data is None or not data.message_id:
            return None
        self._remember(data.message_id, msg_type, content)
        return Posted(str(data.chat_id or fallback_chat), str(data.message_id))

    def _remember(self, message_id: str, msg_type: str, content: str) -> None:
        if msg_type != "interactive":
            return
        with self._lock:
            self._cards[message_id] = json.loads(content)
            self._cards.move_to_end(message_id)
            while len(self._cards) > self._remembered:
                self._cards.popitem(last=False)


class FeishuClick:
    """One button click on a card (`card.action.trigger`): who clicked, the button's value, the card."""

    def __init__(self, channel: FeishuChannel, *, open_id: str, union_id: str | None, value: Mapping[str, Any],
                 chat_id: str | None, message_id: str | None) -> None:
        self.channel = channel
        self.open_id = open_id
        self.chat_id = chat_id
        self.message_id = message_id
        self.action = str(value.get(ACTION_KEY) or "")
        self._value = {k: v for k, v in value.items() if k != ACTION_KEY}
        user = channel.directory.user_of(open_id, union_id)
        # A stranger keeps a Feishu-marked id that no plant user has: the handlers tell them how to get in.
        self._user_id = user.user_id if user else f"feishu:{open_id}"

    @property
    def user_id(self) -> str:
        return self._user_id

    @property
    def key(self) -> str:
        return f"feishu:click:{self.message_id}:{self.action}:{self.open_id}"

    @property
    def value(self) -> Mapping[str, Any]:
        return self._value

    @property
    def thread(self) -> Place | None:
        return Place(self.chat_id, self.message_id) if self.chat_id and self.message_id else None

    def tell(self, text: str) -> None:
        """Only the clicking person sees this: a direct message from the bot."""
        self.channel.tell(self.open_id, text)

    def reply(self, card: Card) -> None:
        thread = self.thread
        if thread:
            self.channel.post(thread, card)
        else:
            self.tell(card.fallback)

    def update(self, card: Card) -> None:
        if self.message_id:
            self.channel.patch(self.message_id, render_card(card, self.channel.people))

    def close(self, note: Rich) -> None:
        """The clicked card without its buttons and with the note; a card this process did not post
        (another worker's, or from before a restart) becomes the note alone, so its buttons go too."""
        if not self.message_id:
            return
        line = lark_md(note, self.channel.people)
        card = self.channel.card_of(self.message_id)
        self.channel.patch(self.message_id, without_actions(card, line) if card else note_card(line))
