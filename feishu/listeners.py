"""Messages and card clicks from Feishu, handed to the chat layer.

A listener answers Feishu at once and does the work in the executor (Feishu waits three
seconds, then re-sends): events are handled once by their `event_id`, clicks once by their
message, button and person (`chat.once`). Who acts is the person Feishu says acted, matched
to a plant user by the `feishu_id` of `users.csv`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.event.callback.model.p2_card_action_trigger import P2CardActionTrigger, P2CardActionTriggerResponse

from feishu.channel import FeishuChannel, FeishuClick
from planbridge.chat.conversation import thread_is_known
from planbridge.chat.handlers import (
    Chat,
    answer_message,
    book_clicked,
    decision_clicked,
    friendly_line,
    reference_id,
    request_clicked,
)
from planbridge.chat.once import handle_once
from planbridge.chat.ports import Interaction, Place
from planbridge.errors import PlanbridgeError
from planbridge.presentation.cards import Action

log = logging.getLogger("planbridge.feishu")

_MENTION_KEY = re.compile(r"@_user_\d+")
_CLICKS: dict[str, Callable[[Chat, Interaction], None]] = {
    Action.BOOK.value: book_clicked,
    Action.REQUEST.value: request_clicked,
    Action.APPROVE.value: lambda chat, click: decision_clicked(chat, click, approve=True),
    Action.REJECT.value: lambda chat, click: decision_clicked(chat, click, approve=False),
}


@dataclass
class Listeners:
    chat: Chat
    channel: FeishuChannel
    executor: Executor
    bot_open_id: Callable[[], str | None]

    # -- messages ------------------------------------------------------------------------------

    def on_message(self, data: P2ImMessageReceiveV1) -> None:
        event_id = data.header.event_id if data.header else None
        self.executor.submit(self._guarded, lambda: self._once(event_id, lambda: self._answer(data)),
                             self._sender(data))

    def _once(self, event_id: str | None, handle: Callable[[], None]) -> None:
        if not event_id:
            handle()
            return
        def work() -> None:
            handle()

        earlier = handle_once(self.chat.services, f"feishu:event:{event_id}", work)
        if earlier is not None:
            log.info("Feishu event %s delivered again; already %s", event_id,
                     "answered" if earlier.finished else "being answered")

    def _answer(self, data: P2ImMessageReceiveV1) -> None:
        event = data.event
        if event is None or event.message is None or event.sender is None:
            return
        message, sender = event.message, event.sender
        if sender.sender_type != "user" or not message.chat_id or not message.message_id:
            return  # the bot's own messages and other apps' come back as events too
        direct = message.chat_type == "p2p"
        root = message.root_id or message.message_id
        thread_id = f"feishu:{message.chat_id}:{root if (message.root_id or not direct) else 'im'}"
        if not (direct or self._mentions_bot(data) or (message.root_id and thread_is_known(self.chat.services, thread_id))):
            return
        ids = sender.sender_id
        user = self.channel.directory.user_of(ids.open_id if ids else None, ids.union_id if ids else None)
        # A direct message outside a thread is answered inline and is one conversation (follow-ups work there).
        place = Place(message.chat_id, None if direct and not message.root_id else message.message_id)
        answer_message(self.chat, text=message_text(message.message_type, message.content) or "help",
                       user_id=user.user_id if user else None, place=place, thread_id=thread_id)

    def _mentions_bot(self, data: P2ImMessageReceiveV1) -> bool:
        mentions = (data.event.message.mentions if data.event and data.event.message else None) or []
        bot = self.bot_open_id()
        return any(m.id is not None and m.id.open_id == bot for m in mentions) if bot else bool(mentions)

    @staticmethod
    def _sender(data: P2ImMessageReceiveV1) -> str | None:
        sender = data.event.sender if data.event else None
        return sender.sender_id.open_id if sender and sender.sender_id else None

    # -- card clicks ---------------------------------------------------------------------------

    def on_card_action(self, data: P2CardActionTrigger) -> P2CardActionTriggerResponse:
        event = data.event
        operator = event.operator if event else None
        if event is None or operator is None or not operator.open_id or event.action is None:
            return P2CardActionTriggerResponse({})
        click = FeishuClick(self.channel, open_id=operator.open_id, union_id=operator.union_id,
                            value=event.action.value or {}, chat_id=event.context.open_chat_id if event.context else None,
                            message_id=event.context.open_message_id if event.context else None)
        handler = _CLICKS.get(click.action)
        if handler is not None:
            self.executor.submit(self._guarded, lambda: handler(self.chat, click), operator.open_id)
        return P2CardActionTriggerResponse({})

    # -- failures ------------------------------------------------------------------------------

    def _guarded(self, work: Callable[[], None], open_id: str | None) -> None:
        """Any failure becomes one friendly line to the person (privately), never a traceback."""
        try:
            work()
        except Exception as error:
            reference = reference_id()
            if not isinstance(error, PlanbridgeError):
                log.exception("Feishu listener failed (reference %s)", reference, extra={"reference": reference})
            if open_id:
                user = self.channel.directory.user_of(open_id)
                try:
                    self.channel.tell(open_id, friendly_line(error, user.language.value if user else "en", reference))
                except Exception:  # a failure while reporting a failure must not raise again
                    log.exception("could not tell %s", open_id)


def message_text(message_type: str | None, content: str | None) -> str:
    """What the person typed: a text message without its @ mentions (a rich "post" as its text runs)."""
    try:
        body: Any = json.loads(content or "{}")
    except ValueError:
        return ""
    if message_type == "text":
        text = str(body.get("text") or "")
    elif message_type == "post":
        post: Any = body.get("content") or next((v.get("content") for v in body.values() if isinstance(v, dict)), [])
        text = " ".join(str(run.get("text") or "") for line in post or [] for run in line if isinstance(run, dict))
    else:
        return ""
    return " ".join(_MENTION_KEY.sub(" ", text).split())
