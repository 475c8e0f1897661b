"""Chat models from settings: an OpenAI-compatible server (OpenAI, Ollama, llama.cpp, vLLM).

`PLANBRIDGE_LLM_PROVIDER`:
  - `none` (default): no model; the rule parser answers alone;
  - `openai`: `langchain_openai.ChatOpenAI`, with `PLANBRIDGE_LLM_BASE_URL` for any OpenAI-compatible
    server (a local llama.cpp or vLLM), `PLANBRIDGE_LLM_MODEL`, `PLANBRIDGE_LLM_API_KEY`;
  - `ollama`: the same client pointed at Ollama's OpenAI-compatible endpoint
    (default http://127.0.0.1:11434/v1), no key needed;
Retries are off: a slow or failing model must fall back to the rules quickly, not be retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models.chat_models import BaseChatModel

OLLAMA_BASE_URL = "http://127.0.0.1:11434/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_OLLAMA_MODEL = "qwen2.5:7b-instruct"


class ModelUnavailable(Exception):
    """The settings ask for a model that cannot be built (no key, no script file, ...)."""


@dataclass(frozen=True)
class ModelSettings:
    """The `PLANBRIDGE_LLM_*` settings (kept apart from planbridge.settings: integrations do not import the app)."""

    provider: str = "none"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    timeout_seconds: float = 20.0


def build_chat_model(settings: ModelSettings) -> BaseChatModel | None:
    """The configured chat model, or None when the provider is `none`."""
    provider = settings.provider
    if provider == "none":
        return None
    from langchain_openai import ChatOpenAI  # imported only when a model is configured (keeps the CLI fast)

    base_url: str | None
    api_key: str | None
    if provider == "ollama":
        base_url = settings.base_url or OLLAMA_BASE_URL
        api_key = settings.api_key or "ollama"  # the client insists on a key; Ollama ignores it
        model = settings.model or DEFAULT_OLLAMA_MODEL
    elif provider == "openai":
        base_url = settings.base_url
        api_key = settings.api_key or ("not-needed" if base_url else None)
        model = settings.model or DEFAULT_OPENAI_MODEL
        if api_key is None:
            raise ModelUnavailable("PLANBRIDGE_LLM_PROVIDER=openai needs PLANBRIDGE_LLM_API_KEY or PLANBRIDGE_LLM_BASE_URL")
    else:
        raise ModelUnavailable(f"unknown language-model provider {provider!r}: use none, openai or ollama")
    chat: BaseChatModel = ChatOpenAI(
        model=model, api_key=api_key, base_url=base_url, timeout=settings.timeout_seconds,
        max_retries=0, temperature=0,
    )
    return chat
