"""Settings from the environment or `.env` (names of CONTRACT section 4)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///planbridge.sqlite"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    # env_ignore_empty: `SLACK_BOT_TOKEN=` (e.g. from docker-compose defaults) means "not set"
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias=_env("PLANBRIDGE_DATABASE_URL"))
    as_of: date | None = Field(None, validation_alias=_env("PLANBRIDGE_AS_OF"))

    slack_bot_token: str | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(None, validation_alias=_env("PLANBRIDGE_SLACK_API_URL"))
    # Feishu (Lark): the app's credentials from the developer console; events and card callbacks are
    # verified with the verification token and, over HTTP, signed and encrypted with the encrypt key.
    feishu_app_id: str | None = Field(None, validation_alias=_env("FEISHU_APP_ID"))
    feishu_app_secret: str | None = Field(None, validation_alias=_env("FEISHU_APP_SECRET"))
    feishu_verification_token: str | None = Field(None, validation_alias=_env("FEISHU_VERIFICATION_TOKEN"))
    feishu_encrypt_key: str | None = Field(None, validation_alias=_env("FEISHU_ENCRYPT_KEY"))
    # Another Open API origin (https://open.larksuite.com for Lark, or a local mock in tests).
    feishu_api_url: str | None = Field(None, validation_alias=_env("PLANBRIDGE_FEISHU_API_URL"))
    # Events over the SDK's WebSocket long connection instead of HTTP (plants without inbound HTTP).
    feishu_long_connection: bool = Field(False, validation_alias=_env("FEISHU_LONG_CONNECTION"))
    # The Feishu group (chat_id oc_…) where change requests made in Feishu wait for a production lead.
    feishu_production_chat: str | None = Field(None, validation_alias=_env("PLANBRIDGE_FEISHU_PRODUCTION_CHAT"))
    digest_channel: str | None = Field(None, validation_alias=_env("PLANBRIDGE_DIGEST_CHANNEL"))
    digest_time: str = Field("07:30", validation_alias=_env("PLANBRIDGE_DIGEST_TIME"), pattern=r"^\d{1,2}:\d{2}$")
    digest_language: Literal["en", "zh"] = Field("en", validation_alias=_env("PLANBRIDGE_DIGEST_LANGUAGE"))
    production_channel: str | None = Field(None, validation_alias=_env("PLANBRIDGE_PRODUCTION_CHANNEL"))
    # Several workers or hosts: let exactly one run the digest scheduler (the post itself is also
    # deduplicated per day in the database).
    scheduler_enabled: bool = Field(True, validation_alias=_env("PLANBRIDGE_SCHEDULER"))

    api_token: str | None = Field(None, validation_alias=_env("PLANBRIDGE_API_TOKEN"))
    # The largest request body /slack/ and /api/ accept (bytes); larger ones get 413 unread.
    max_body_bytes: int = Field(1_000_000, ge=1024, le=100_000_000, validation_alias=_env("PLANBRIDGE_MAX_BODY_BYTES"))

    llm_provider: Literal["none", "openai", "ollama"] = Field(
        "none", validation_alias=_env("PLANBRIDGE_LLM_PROVIDER")
    )
    llm_model: str | None = Field(None, validation_alias=_env("PLANBRIDGE_LLM_MODEL"))
    llm_base_url: str | None = Field(None, validation_alias=_env("PLANBRIDGE_LLM_BASE_URL"))
    llm_api_key: str | None = Field(None, validation_alias=_env("PLANBRIDGE_LLM_API_KEY", "OPENAI_API_KEY"))
    llm_timeout_seconds: float = Field(20.0, gt=0, validation_alias=_env("PLANBRIDGE_LLM_TIMEOUT"))
    nl_mode: Literal["rules", "llm", "hybrid"] = Field("hybrid", validation_alias=_env("PLANBRIDGE_NL_MODE"))

    broker_url: str | None = Field(None, validation_alias=_env("PLANBRIDGE_BROKER_URL"))
    # Connections each process keeps open to PostgreSQL, and how many more it may open at busy times.
    db_pool_size: int = Field(5, ge=1, le=100, validation_alias=_env("PLANBRIDGE_DB_POOL_SIZE"))
    db_max_overflow: int = Field(35, ge=0, le=500, validation_alias=_env("PLANBRIDGE_DB_MAX_OVERFLOW"))
    # Who the command line acts as when --user is not given (bookings and requests are audited by user).
    user_id: str | None = Field(None, validation_alias=_env("PLANBRIDGE_USER"))
    # Every quote, rush and booking answers within this many seconds: the best answer proven by then.
    time_budget_seconds: float = Field(3.0, gt=0, le=600, validation_alias=_env("PLANBRIDGE_TIME_BUDGET"))
    # The most anyone may ask for in one quote, order or change (typos such as 1e9 are refused).
    max_qty: float = Field(1_000_000, gt=0, validation_alias=_env("PLANBRIDGE_MAX_QTY"))
    # Where compiled promise states are kept between command-line runs (default: the user's cache).
    cache_dir: Path | None = Field(None, validation_alias=_env("PLANBRIDGE_CACHE_DIR"))
    # Background jobs: the Celery queue (one per deployment sharing a Redis), and, without a broker,
    # the in-process pool and how many jobs may wait for it.
    job_queue: str = Field("planbridge", validation_alias=_env("PLANBRIDGE_JOB_QUEUE"), pattern=r"^[A-Za-z0-9_.:-]{1,100}$")
    job_threads: int = Field(2, ge=1, le=32, validation_alias=_env("PLANBRIDGE_JOB_THREADS"))
    job_queue_size: int = Field(100, ge=1, le=10_000, validation_alias=_env("PLANBRIDGE_JOB_QUEUE_SIZE"))
    # Chat events waiting for an answer in this process (no broker); past it a burst's events are given back
    # unanswered (Slack gets a 500 and retries them).
    chat_queue_size: int = Field(1000, ge=1, le=100_000, validation_alias=_env("PLANBRIDGE_CHAT_QUEUE_SIZE"))
    job_max_attempts: int = Field(3, ge=1, le=10, validation_alias=_env("PLANBRIDGE_JOB_MAX_ATTEMPTS"))
    job_time_limit_seconds: int = Field(900, ge=10, le=6 * 3600, validation_alias=_env("PLANBRIDGE_JOB_TIME_LIMIT"))
    # Digest subscriptions: a worker holds a period's claim this long before another may take over.
    digest_lease_seconds: int = Field(300, ge=2, le=3600, validation_alias=_env("PLANBRIDGE_DIGEST_LEASE_SECONDS"))
    digest_max_attempts: int = Field(5, ge=1, le=20, validation_alias=_env("PLANBRIDGE_DIGEST_MAX_ATTEMPTS"))
    # How often each scheduler looks for new subscriptions and for claims whose holder died.
    scheduler_tick_seconds: int = Field(60, ge=1, le=3600, validation_alias=_env("PLANBRIDGE_SCHEDULER_TICK"))
    log_format: Literal["json", "text"] = Field("json", validation_alias=_env("PLANBRIDGE_LOG_FORMAT"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", validation_alias=_env("PLANBRIDGE_LOG_LEVEL"))

    @model_validator(mode="after")
    def _slack_needs_a_secret(self) -> Settings:
        # A bot token without a signing secret would accept forged requests: refuse at start.
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError("SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: refusing to accept unsigned Slack requests")
        return self

    @model_validator(mode="after")
    def _feishu_needs_its_secrets(self) -> Settings:
        # Like Slack: an app that would act on unverified requests is refused at start.
        if not self.feishu_app_id:
            return self
        if not self.feishu_app_secret:
            raise ValueError("FEISHU_APP_ID is set but FEISHU_APP_SECRET is not")
        if not self.feishu_long_connection and not (self.feishu_verification_token and self.feishu_encrypt_key):
            raise ValueError("FEISHU_APP_ID is set for HTTP events but FEISHU_VERIFICATION_TOKEN and FEISHU_ENCRYPT_KEY "
                             "are not both set: refusing to accept unsigned Feishu requests "
                             "(or set FEISHU_LONG_CONNECTION=1)")
        return self

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def feishu_enabled(self) -> bool:
        return bool(self.feishu_app_id)

    @property
    def chat_enabled(self) -> bool:
        """Some chat platform can be posted to (digests, job results)."""
        return self.slack_enabled or self.feishu_enabled


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
