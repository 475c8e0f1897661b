"""Each chat event and click is handled once: hand-made deliveries against the in-memory store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from planbridge.chat.once import LEASE, Earlier, handle_once
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
