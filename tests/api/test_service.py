"""`planbridge serve`, the composition (Slack only when configured, the scheduler's lifespan) and the deployment files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planbridge.app import build_http_app, build_runtime, describe
from planbridge.cli import app as cli_app
from planbridge.cli.service import is_loopback
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planbridge.services.subscriptions import list_subscriptions
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.api.conftest import AS_OF
from tests.bot.conftest import SECRET, event_body, signed_headers
from tests.bot.mock_slack import BOT_USER_ID, MockSlack
from tests.conftest import make_services

ROOT = Path(__file__).resolve().parents[2]
PLANBRIDGE = Path(sys.executable).with_name("planbridge")
CONTRACT_SETTINGS = {"PLANBRIDGE_DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                     "PLANBRIDGE_SLACK_API_URL", "PLANBRIDGE_API_TOKEN", "PLANBRIDGE_LLM_PROVIDER",
                     "PLANBRIDGE_LLM_MODEL", "PLANBRIDGE_LLM_BASE_URL", "PLANBRIDGE_BROKER_URL", "PLANBRIDGE_AS_OF"}


def test_docker_compose_runs_the_app_on_postgresql_with_a_health_check() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    app, db, migrate = compose["services"]["web"], compose["services"]["db"], compose["services"]["migrate"]
    assert db["image"].startswith("postgres:")
    assert app["build"] == "."
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "/healthz" in " ".join(app["healthcheck"]["test"])
    assert set(app["environment"]) >= CONTRACT_SETTINGS
    assert app["environment"]["PLANBRIDGE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert app["environment"]["PLANBRIDGE_API_TOKEN"].startswith("${PLANBRIDGE_API_TOKEN:?")  # no open API by default
    assert "planbridge serve" in " ".join(app["command"])


def test_the_dockerfile_installs_from_the_lock_like_make_install() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "uv pip sync --quiet --compile-bytecode --system requirements.lock" in dockerfile
    assert "python -m compileall" in dockerfile  # as `make install` does: no compiling on every start
    assert "--no-deps -e ." in dockerfile
    assert "/healthz" in dockerfile
    assert "USER planbridge" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", ".git"} <= set(ignored)


def test_empty_settings_from_compose_mean_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PLANBRIDGE_AS_OF", "PLANBRIDGE_DIGEST_CHANNEL"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    assert (settings.slack_enabled, settings.as_of, settings.digest_channel) == (False, None, None)


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("10.1.2.3", False), ("planbridge.example", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_refuses_to_expose_an_open_api(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANBRIDGE_API_TOKEN", raising=False)
    from planbridge.settings import get_settings

    get_settings.cache_clear()
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--db", sqlite_url])
    get_settings.cache_clear()

    assert result.exit_code == 2
    assert result.stderr.startswith("error: --host 0.0.0.0 exposes /api/ beyond this machine: set PLANBRIDGE_API_TOKEN")


def test_serve_refuses_several_workers_on_sqlite(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--workers", "2", "--db", sqlite_url])

    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.stderr


def test_what_serve_says_with_and_without_slack() -> None:
    plain = describe(Settings(database_url="sqlite://"), host="127.0.0.1", port=8000)
    assert plain == [
        "planbridge on http://127.0.0.1:8000 (1 process): REST API under /api/ (OpenAPI at /docs), the planner's board at /board, /healthz, /metrics",
        "Slack: not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET); serving /api/ and /healthz only",
        "Digest scheduler: off (no Slack or Feishu settings and no broker: nowhere to post)",
        "Background jobs: in this process (2 threads)",
        "API token: not set: /api/ is open, so the service listens on loopback only",
    ]
    slack = describe(Settings(database_url="sqlite://", slack_bot_token="xoxb", slack_signing_secret="s",
                              digest_channel="C1", api_token="t", broker_url="redis://r:6379/0"),
                     host="0.0.0.0", port=80, workers=2)
    assert slack[1:] == [
        "Slack: HTTP events at /slack/events",
        "Digest scheduler: on (subscriptions: `planbridge digests list`; PLANBRIDGE_DIGEST_CHANNEL C1 at 07:30 "
        "plant time (en))",
        "Background jobs: Celery on PLANBRIDGE_BROKER_URL, queue planbridge (start workers with `planbridge worker`)",
        "API token: required (PLANBRIDGE_API_TOKEN)"]


def test_without_slack_there_is_no_bot_and_no_scheduler(services: ServiceContext, sqlite_url: str) -> None:
    runtime = build_runtime(Settings(database_url=sqlite_url), services=services)

    assert (runtime.slack_app, runtime.scheduler) == (None, None)
    with TestClient(build_http_app(runtime.settings, runtime=runtime)) as client:
        assert client.get("/healthz").json() == {"status": "ok", "slack": False, "feishu": False, "scheduler": False,
                                                 "jobs": "in-process", "plant_loaded": True}
        assert client.get("/api/kpi").status_code == 200


def test_with_slack_and_a_digest_channel_the_scheduler_runs_while_the_app_is_up(
        services: ServiceContext, sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, slack_bot_token="xoxb-test", slack_signing_secret="s",
                        slack_api_url="http://127.0.0.1:9/api", digest_channel="CDIGEST", digest_time="06:45")
    runtime = build_runtime(settings, services=services)

    assert runtime.slack_app is not None and runtime.scheduler is not None
    assert runtime.slack_app.client.base_url == "http://127.0.0.1:9/api/"
    with TestClient(build_http_app(settings, runtime=runtime)) as client:
        assert client.get("/healthz").json()["scheduler"] is True
        [configured] = list_subscriptions(services)  # PLANBRIDGE_DIGEST_CHANNEL is a subscription
        assert (configured.channel, configured.at, configured.source) == ("CDIGEST", "06:45", "settings")
        running = runtime.scheduler.scheduler
        assert running is not None and "tick" in {job.id for job in running.get_jobs()}
        runtime.scheduler.sync()
        assert f"digest-{configured.subscription_id}" in {job.id for job in running.get_jobs(jobstore="default")}
    assert not runtime.scheduler.running

    no_scheduler = build_runtime(settings.model_copy(update={"scheduler_enabled": False}), services=services)
    assert no_scheduler.slack_app is not None and no_scheduler.scheduler is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_planbridge_serve_answers_slack_and_the_api_over_real_http(tmp_path: Path, pumps: PlantSnapshot) -> None:
    """End to end: `planbridge serve` in its own process, a signed mention over HTTP, the reply at the mock Slack."""
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    store_plant(pumps, make_services(url), replace=False)
    slack = MockSlack()
    port = free_port()
    env = {**os.environ, "PLANBRIDGE_DATABASE_URL": url, "PLANBRIDGE_AS_OF": AS_OF.isoformat(),
           "PLANBRIDGE_API_TOKEN": "t0ken", "SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_SIGNING_SECRET": SECRET,
           "PLANBRIDGE_SLACK_API_URL": slack.api_url, "PLANBRIDGE_DIGEST_CHANNEL": "CDIGEST"}
    server = subprocess.Popen([str(PLANBRIDGE), "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_for(f"{base}/healthz", server)
        assert health == {"status": "ok", "slack": True, "feishu": False, "scheduler": True, "jobs": "in-process", "plant_loaded": True}
        assert httpx.get(f"{base}/api/kpi").status_code == 401
        kpi = httpx.get(f"{base}/api/kpi", headers={"Authorization": "Bearer t0ken"}).json()
        assert kpi["backlog_orders"] == 2

        body, content_type = event_body({"type": "app_mention", "user": "U1SALES", "ts": "1700000000.000100",
                                         "text": f"<@{BOT_USER_ID}> when can we ship 30 pump A to Acme?",
                                         "channel": "CSALES", "event_ts": "1700000000.000100"})
        assert httpx.post(f"{base}/slack/events", content=body, headers={"Content-Type": content_type}
                          ).status_code == 401
        assert httpx.post(f"{base}/slack/events", content=body,
                          headers={"Content-Type": content_type, **signed_headers(body)}).status_code == 200
        [reply] = slack.wait_for("chat.postMessage", timeout=30)
        assert reply.body["text"].startswith("We can deliver 30 Centrifugal pump A for Acme on Jan 11")
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
        slack.close()
    assert "Slack: HTTP events at /slack/events" in output
    assert "PLANBRIDGE_DIGEST_CHANNEL CDIGEST at 07:30 plant time (en)" in output
    assert "Traceback" not in output


def _wait_for(url: str, server: subprocess.Popen[str], timeout: float = 60.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"serve exited with {server.returncode}: {server.communicate()[0]}")
        try:
            return dict(json.loads(httpx.get(url, timeout=1).text))
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")
