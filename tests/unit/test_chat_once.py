"""Each chat event and click is handled once: hand-made deliveries against the in-memory store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import pytest

from planbridge.chat.intake import EventIntake, Offered
from planbridge.chat.once import LEASE, Earlier, accept_many, handle_once
from planbridge.chat.ports import AcceptedEvent
from planbridge.errors import NotFound
from planbridge.records import ReceiptStatus
from planbridge.services.context import ServiceContext
from tests.fakes.clock import FakeClock, at_noon
from tests.fakes.services import fake_services

TODAY = date(2026, 12, 2)


def services_at(clock: FakeClock | None = None) -> ServiceContext:
    return fake_services(None, today=TODAY, clock=clock)


def counting() -> tuple[list[int], Callable[[], dict[str, object]]]:
    runs: list[int] = []

    def work() -> dict[str, object]:
        runs.append(1)
        return {"summary": f"run {len(runs)}"}

    return runs, work


def test_a_second_delivery_after_success_is_not_handled_and_sees_the_outcome() -> None:
    services = services_at()
    runs, work = counting()

    assert handle_once(services, "k1", work) is None
    earlier = handle_once(services, "k1", work)

    assert runs == [1]
    assert earlier == Earlier(finished=True, outcome={"summary": "run 1"})


def test_a_delivery_whose_first_attempt_failed_is_handled_again() -> None:
    services = services_at()
    attempts: list[int] = []

    def flaky() -> dict[str, object]:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("chat platform down")
        return {"summary": "done"}

    with pytest.raises(ConnectionError):
        handle_once(services, "k2", flaky)
    assert handle_once(services, "k2", flaky) is None
    assert handle_once(services, "k2", flaky) == Earlier(True, {"summary": "done"})
    assert len(attempts) == 2
    with services.uow_factory() as uow:
        receipt = uow.receipts.get("k2")
    assert receipt is not None and receipt.attempts == 2 and receipt.status == ReceiptStatus.DONE.value


def test_a_refusal_is_an_answer_and_is_not_repeated() -> None:
    services = services_at()
    calls: list[int] = []

    def refused() -> dict[str, object]:
        calls.append(1)
        raise NotFound("no item 'X'")

    with pytest.raises(NotFound):
        handle_once(services, "k3", refused)
    earlier = handle_once(services, "k3", refused)
    assert calls == [1]
    assert earlier is not None and earlier.finished and "no item" in str(earlier.outcome["refused"])


def test_a_delivery_while_the_first_is_working_waits_unless_the_holder_died() -> None:
    clock = at_noon(TODAY)
    services = services_at(clock)
    seen: list[Earlier | None] = []

    def slow() -> dict[str, object]:
        seen.append(handle_once(services, "k4", lambda: {"summary": "second"}))  # a retry while still working
        return {"summary": "first"}

    assert handle_once(services, "k4", slow) is None
    assert seen == [Earlier(finished=False, outcome={})]

    with services.uow_factory() as uow:  # a holder that died: its receipt stays "working"
        assert uow.receipts.begin("k5", now=clock.now(), lease=LEASE)
        uow.commit()
    assert handle_once(services, "k5", lambda: {"summary": "x"}) == Earlier(False, {})
    clock.current += LEASE + timedelta(seconds=1)
    assert handle_once(services, "k5", lambda: {"summary": "taken over"}) is None


class Queue:
    """An event queue that keeps what it is handed, or refuses all of it while `down`."""

    def __init__(self) -> None:
        self.handed: list[str | None] = []
        self.down = False

    def answer_events(self, platform: str, events: Sequence[AcceptedEvent]) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.handed.extend(key for key, _ in events)


def test_a_burst_is_accepted_in_one_go_new_and_failed_keys_only() -> None:
    services = services_at()
    handle_once(services, "done", lambda: {"summary": "answered"})
    with pytest.raises(ConnectionError):
        handle_once(services, "failed", lambda: (_ for _ in ()).throw(ConnectionError("down")))

    assert accept_many(services, ["new", "done", "failed", "new"]) == {"new", "failed"}
    assert accept_many(services, ["new"]) == set()  # queued now: a retry is not taken


def test_the_intake_hands_over_each_new_event_once_even_twice_in_one_batch() -> None:
    services = services_at()
    queue = Queue()
    intake = EventIntake(services, queue, "slack")
    batch = [Offered("e1", {"n": 1}), Offered("e2", {"n": 2}), Offered("e1", {"n": 1}), Offered(None, {"n": 3})]

    intake.take(batch)

    assert queue.handed == ["e1", "e2", None]
    assert [o.handed_over.result() for o in batch] == [True, True, False, True]


def test_an_intake_that_cannot_hand_over_gives_the_receipts_back() -> None:
    services = services_at()
    queue = Queue()
    queue.down = True
    intake = EventIntake(services, queue, "slack")
    batch = [Offered("e1", {}), Offered("e2", {})]

    intake.take(batch)

    for offered in batch:
        with pytest.raises(ConnectionError):
            offered.handed_over.result()
    queue.down = False
    second = [Offered("e1", {}), Offered("e2", {})]  # Slack's retries
    intake.take(second)
    assert queue.handed == ["e1", "e2"] and all(o.handed_over.result() for o in second)


def test_offered_events_are_taken_by_the_intake_thread() -> None:
    queue = Queue()
    intake = EventIntake(services_at(), queue, "slack")

    futures = [intake.offer(f"t{n}", {"n": n}) for n in range(20)]

    assert all(f.result(timeout=10) for f in futures)
    assert sorted(queue.handed, key=str) == sorted((f"t{n}" for n in range(20)), key=str)
