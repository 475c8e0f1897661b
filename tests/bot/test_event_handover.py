"""A mention is recorded and handed over before the ack; whoever runs the hand-over answers it once.

The runner here holds what it is handed (as a broker would until a worker takes it), so each test
sees the ack come before any answer, and then plays the worker with the app's own `JobWorker`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from slack_sdk import WebClient

from planbridge.app import build_http_app, build_runtime
from planbridge.bootstrap import chat_channel, job_worker
from planbridge.chat.ports import AcceptedEvent
from planbridge.jobs.runner import Busy
from planbridge.jobs.work import JobWorker
from planbridge.records import ReceiptStatus
from planbridge.services.context import ServiceContext
from planning_core.model import PlantSnapshot
from tests.bot.conftest import Harness, plant_services, slack_settings
from tests.bot.mock_slack import MockSlack
from tests.bot.test_exactly_once import QUESTION, answers_in_thread, mention_body, retried

TS = "1700000300.000100"
KEY = f"slack:event:Ev{TS}-app_mention"


class HeldRunner:
    """A job runner that keeps what it is handed (a broker's queue), or refuses it while `busy`."""

    name = "held"

    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, dict[str, Any]]] = []
        self.busy = False

    def answer_events(self, platform: str, events: Sequence[AcceptedEvent]) -> None:
        if self.busy:
            raise Busy("too many chat events are waiting")
        self.events.extend((platform, key, payload) for key, payload in events)

    def run_job(self, job_id: str) -> None:
        raise AssertionError("no job is run here")

    def deliver_digest(self, subscription_id: int, period: date) -> None:
        raise AssertionError("no digest is delivered here")

    def close(self) -> None:
        pass


class Held:
    """The app with a held runner, and the worker that answers what it holds."""

    def __init__(self, harness: Harness, runner: HeldRunner, worker: JobWorker) -> None:
        self.harness, self.runner, self.worker = harness, runner, worker

    def work(self) -> None:
        """The worker takes every held event (a broker delivers each task once here)."""
        held, self.runner.events = self.runner.events, []
        for platform, key, payload in held:
            self.worker.answer_event(platform, key, payload)

    def receipt(self) -> tuple[str, int] | None:
        with self.harness.services.uow_factory() as uow:
            found = uow.receipts.get(KEY)
        return (found.status, found.attempts) if found else None


@pytest.fixture
def held(db_url: str, slack: MockSlack, pumps: PlantSnapshot) -> Held:
    settings = slack_settings(db_url, slack)
    services: ServiceContext = plant_services(db_url, pumps)
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    runner = HeldRunner()
    runtime = build_runtime(settings, services=services, client=client, jobs=runner)
    worker = job_worker(services, settings, channel=chat_channel(services, settings, slack_client=client),
                        slack_client=client)
    harness = Harness(TestClient(build_http_app(settings, runtime=runtime)), slack, services, runtime)
    return Held(harness, runner, worker)


def test_a_mention_is_acked_once_handed_over_and_before_it_is_answered(held: Held) -> None:
    body = mention_body(QUESTION, TS)

    assert held.harness.post(body, "application/json").status_code == 200

    assert [(platform, key) for platform, key, _ in held.runner.events] == [("slack", KEY)]
    assert held.harness.slack.to("chat.postMessage") == []  # nothing answered yet
    assert held.receipt() == (ReceiptStatus.WORKING.value, 1)

    held.work()

    [answer] = answers_in_thread(held.harness, TS)
    assert answer.startswith("We can deliver 30 Centrifugal pump A for Acme")
    assert held.receipt() == (ReceiptStatus.DONE.value, 1)


def test_a_retry_while_queued_or_after_the_answer_is_not_handed_over_again(held: Held) -> None:
    body = mention_body(QUESTION, TS)
    held.harness.post(body, "application/json")

    assert held.harness.post(body, "application/json", headers=retried(body, 1)).status_code == 200
    assert len(held.runner.events) == 1  # still queued: the retry is acked, not queued again

    held.work()
    assert held.harness.post(body, "application/json", headers=retried(body, 2)).status_code == 200
    assert held.runner.events == []
    assert len(answers_in_thread(held.harness, TS)) == 1


def test_a_hand_over_delivered_twice_is_answered_once(held: Held) -> None:
    held.harness.post(mention_body(QUESTION, TS), "application/json")
    [task] = held.runner.events

    held.work()
    held.runner.events = [task]  # the broker delivers the same task again (e.g. its first worker was killed late)
    held.work()

    assert len(answers_in_thread(held.harness, TS)) == 1


def test_a_retry_of_an_event_whose_answer_failed_is_handed_over_and_answered(held: Held) -> None:
    body = mention_body(QUESTION, TS)
    held.harness.post(body, "application/json")
    held.harness.slack.failures["chat.postMessage"] = 1  # Slack refuses the worker's first answer
    held.work()
    assert [s for s in answers_in_thread(held.harness, TS) if s.startswith("Sorry")]  # the user was told, briefly
    assert held.receipt() == (ReceiptStatus.FAILED.value, 1)

    assert held.harness.post(body, "application/json", headers=retried(body, 1)).status_code == 200
    assert len(held.runner.events) == 1
    held.work()

    answers = [a for a in answers_in_thread(held.harness, TS) if not a.startswith("Sorry")]
    assert len(answers) == 1 and "Jan" in answers[0], answers
    assert held.receipt() == (ReceiptStatus.DONE.value, 2)


def test_an_event_that_cannot_be_handed_over_gets_no_200_and_its_retry_is_taken(held: Held) -> None:
    body = mention_body(QUESTION, TS)
    held.runner.busy = True

    refused = held.harness.post(body, "application/json")

    assert refused.status_code == 503  # Slack re-sends what it got no 200 for
    assert held.receipt() == (ReceiptStatus.FAILED.value, 1)
    held.runner.busy = False
    assert held.harness.post(body, "application/json", headers=retried(body, 1)).status_code == 200
    held.work()
    assert len(answers_in_thread(held.harness, TS)) == 1
    assert held.receipt() == (ReceiptStatus.DONE.value, 2)


def test_the_bots_own_messages_and_edits_are_acked_without_a_hand_over(held: Held) -> None:
    own = {"type": "message", "subtype": "bot_message", "bot_id": "B1", "text": "an answer", "ts": TS,
           "channel": "CSALES", "event_ts": TS}
    edit = {"type": "message", "subtype": "message_changed", "ts": "1700000300.000200", "channel": "CSALES",
            "event_ts": "1700000300.000200"}

    for event in (own, edit):
        assert held.harness.event(event).status_code == 200

    assert held.runner.events == []


def test_a_burst_of_mentions_is_recorded_and_handed_over_each_once(held: Held) -> None:
    bodies = [mention_body(f"when can we ship {n + 1} pump A?", f"1700000400.{n:06d}") for n in range(12)]
    for body in bodies + bodies[:3]:  # three arrive twice
        assert held.harness.post(body, "application/json").status_code == 200

    assert len(held.runner.events) == 12
    held.work()
    for n in range(12):
        assert len(answers_in_thread(held.harness, f"1700000400.{n:06d}")) == 1
    assert all(c.body.get("channel") == "C1SALES" for c in held.harness.slack.to("chat.postMessage"))
