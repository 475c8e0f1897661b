"""A schedule job submitted through the REST API runs in a real Celery worker process on Redis,
completes, and its result is posted to Slack once; without a broker the same job runs in-process."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fastapi.testclient import TestClient

from planbridge.api import create_app
from planbridge.jobs.celery_app import make_celery
from planbridge.jobs.runner import CeleryRunner
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.bot.conftest import AS_OF, plant_services
from tests.bot.mock_slack import MockSlack
from tests.jobs.conftest import Processes, wait_for


def test_a_schedule_job_runs_in_a_celery_worker_and_its_result_is_posted_once(
        db_url: str, pumps: PlantSnapshot, slack: MockSlack, redis_url: str, queue_name: str,
        processes: Processes, tmp_path: Path) -> None:
    services = plant_services(db_url, pumps)
    settings = Settings(database_url=db_url, as_of=AS_OF, broker_url=redis_url, job_queue=queue_name)
    sender = make_celery(settings)
    api = TestClient(create_app(services, settings, jobs=CeleryRunner(sender, queue=queue_name)))
    env = {"PLANBRIDGE_DATABASE_URL": db_url, "PLANBRIDGE_BROKER_URL": redis_url, "PLANBRIDGE_JOB_QUEUE": queue_name,
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "PLANBRIDGE_SLACK_API_URL": slack.api_url,
           "PLANBRIDGE_AS_OF": AS_OF.isoformat()}
    worker = processes.start(["-c", "from planbridge.cli import main; main()", "worker", "--pool", "solo", "--concurrency", "1"], env,
                             tmp_path / "worker.log")
    try:
        submitted = api.post("/api/jobs", json={"kind": "schedule", "params": {"time_limit": 5},
                                                "reply_channel": "CPLAN", "reply_thread": "1700000000.000100"})
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["job_id"]
        assert submitted.json()["status"] == "queued"

        done = wait_for(lambda: (r := api.get(f"/api/jobs/{job_id}").json())["status"] in ("succeeded", "failed")
                        and r, seconds=90, what="the worker to finish the job")
        assert isinstance(done, dict) and done["status"] == "succeeded", (done, (tmp_path / "worker.log").read_text())
        assert {o["order_id"] for o in done["result"]["orders"]} == {"A-1", "A-2"}
        assert done["result"]["solver"]["status"] in ("optimal", "feasible")
        wait_for(lambda: slack.to("chat.postMessage"), seconds=10, what="the result in Slack")
        time.sleep(1.5)  # a second post would arrive now
        [post] = slack.to("chat.postMessage")
        assert (post.body["channel"], post.body["thread_ts"]) == ("CPLAN", "1700000000.000100")
        assert post.body["text"].startswith(f"Schedule (job {job_id}): 2 orders, 0 late")
        from planbridge.services.jobs import get_job

        ran = get_job(services, job_id)
        assert ran.worker is not None and ran.worker.endswith(f":{worker.pid}") and ran.attempts == 1
        assert ran.result_posted_at is not None
    finally:
        sender.close()
        assert os.getpid() != worker.pid


def test_without_a_broker_a_job_runs_in_process_and_a_bad_one_is_refused(sqlite_url: str, pumps: PlantSnapshot) -> None:
    services = plant_services(sqlite_url, pumps)
    api = TestClient(create_app(services, Settings(database_url=sqlite_url, as_of=AS_OF)))

    refused = api.post("/api/jobs", json={"kind": "schedule", "params": {"time_limit": -1}})
    assert refused.status_code == 400 and "time_limit must be between" in refused.text
    assert api.get("/api/jobs/J-nothere").status_code == 404

    job_id = api.post("/api/jobs", json={"kind": "mrp", "params": {"horizon_days": 30}}).json()["job_id"]
    done = wait_for(lambda: (r := api.get(f"/api/jobs/{job_id}").json())["status"] == "succeeded" and r,
                    seconds=30, what="the in-process job")
    assert isinstance(done, dict) and "planned_orders" in done["result"] and done["attempts"] == 1


def test_an_import_with_a_broker_queues_the_promise_state_rebuild(sqlite_url: str, redis_url: str,
                                                                   queue_name: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from planbridge.cli import app as cli_app
    from planbridge.services.jobs import get_job
    from planbridge.settings import get_settings
    from tests.conftest import make_services

    monkeypatch.setenv("PLANBRIDGE_BROKER_URL", redis_url)
    monkeypatch.setenv("PLANBRIDGE_JOB_QUEUE", queue_name)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["demo", "--db", sqlite_url, "--as-of", "2027-01-04"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.stderr
    job_id = result.stderr.strip().rsplit(" ", 1)[-1]
    assert result.stderr.startswith("queued the promise-state rebuild as job J-")
    job = get_job(make_services(sqlite_url), job_id)
    assert (job.kind, job.status, job.params) == ("promise_state", "queued", {"as_of": "2027-01-04"})
    import redis

    queued = redis.Redis.from_url(redis_url).lrange(queue_name, 0, -1)
    assert len(queued) == 1 and job_id.encode() in queued[0]
    redis.Redis.from_url(redis_url).delete(queue_name)


def test_the_promise_state_job_rebuilds_for_the_current_plant_version(sqlite_url: str, pumps: PlantSnapshot) -> None:
    services = plant_services(sqlite_url, pumps)
    api = TestClient(create_app(services, Settings(database_url=sqlite_url, as_of=AS_OF)))

    job_id = api.post("/api/jobs", json={"kind": "promise_state"}).json()["job_id"]
    done = wait_for(lambda: (r := api.get(f"/api/jobs/{job_id}").json())["status"] == "succeeded" and r,
                    seconds=30, what="the rebuild")
    assert isinstance(done, dict)
    assert done["result"] == {"plant_version": 1, "as_of": "2027-01-04", "open_orders": 2, "projected_orders": 2}


def test_slack_mentions_are_acked_by_the_web_process_and_answered_once_by_a_celery_worker(
        db_url: str, pumps: PlantSnapshot, slack: MockSlack, redis_url: str, queue_name: str,
        processes: Processes, tmp_path: Path) -> None:
    from slack_sdk import WebClient

    from planbridge.app import build_http_app, build_runtime
    from tests.bot.conftest import Harness, slack_settings
    from tests.bot.test_exactly_once import answers_in_thread, mention_body, retried

    services = plant_services(db_url, pumps)
    settings = slack_settings(db_url, slack, broker_url=redis_url, job_queue=queue_name, scheduler_enabled=False)
    runtime = build_runtime(settings, services=services, client=WebClient(token="xoxb-test", base_url=slack.api_url))
    web = Harness(TestClient(build_http_app(settings, runtime=runtime)), slack, services, runtime)
    stamps = [f"1700000500.{n:06d}" for n in range(3)]
    bodies = [mention_body(f"when can we ship {10 * (n + 1)} pump A to Acme?", ts) for n, ts in enumerate(stamps)]
    try:
        for body in bodies:  # acked with no worker running: the web process does not answer
            assert web.post(body, "application/json").status_code == 200
        assert slack.to("chat.postMessage") == []

        env = {"PLANBRIDGE_DATABASE_URL": db_url, "PLANBRIDGE_BROKER_URL": redis_url, "PLANBRIDGE_JOB_QUEUE": queue_name,
               "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "PLANBRIDGE_SLACK_API_URL": slack.api_url,
               "PLANBRIDGE_AS_OF": AS_OF.isoformat()}
        processes.start(["-c", "from planbridge.cli import main; main()", "worker", "--pool", "solo", "--concurrency",
                         "1"], env, tmp_path / "worker.log")
        wait_for(lambda: len(slack.to("chat.postMessage")) >= 3, seconds=90, what="the worker's answers")
        for body in bodies:  # Slack's retries of answered events
            assert web.post(body, "application/json", headers=retried(body, 1)).status_code == 200
        time.sleep(1.5)  # a second answer would arrive now

        for n, ts in enumerate(stamps):
            [answer] = answers_in_thread(web, ts)
            assert answer.startswith(f"We can deliver {10 * (n + 1)} Centrifugal pump A for Acme"), \
                (tmp_path / "worker.log").read_text()
    finally:
        runtime.jobs.close()
