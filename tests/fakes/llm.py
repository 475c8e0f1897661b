"""A scripted chat model for tests: replays tool calls, texts, errors or delays."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr


class ScriptedChatModel(BaseChatModel):
    """Each call answers with the next reply, in a cycle. A reply is a dict:

    `{"tool": "quote", "args": {...}}` (a tool call), `{"content": "..."}` (plain text),
    `{"error": "..."}` (the call raises), optionally with `"sleep": seconds` first.
    """

    replies: list[dict[str, Any]]
    _cycle: Any = PrivateAttr(default=None)
    _calls: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "planbridge-scripted"

    @property
    def calls(self) -> int:
        return self._calls

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        return self  # the script decides what is called; the tools are not needed

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._cycle is None:
            self._cycle = itertools.cycle(self.replies)
        reply: dict[str, Any] = next(self._cycle)
        self._calls += 1
        if reply.get("sleep"):
            time.sleep(float(reply["sleep"]))
        if reply.get("error"):
            raise RuntimeError(str(reply["error"]))
        if reply.get("tool"):
            call = {"name": str(reply["tool"]), "args": dict(reply.get("args") or {}), "id": f"call_{self._calls}"}
            message = AIMessage(content="", tool_calls=[call])
        else:
            message = AIMessage(content=str(reply.get("content", "")))
        return ChatResult(generations=[ChatGeneration(message=message)])
