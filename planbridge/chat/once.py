"""Each chat event and click takes effect once, however often the platform delivers it.

Platforms re-send what they think was missed (Slack retries an event after 3 s, Feishu after
its own timeout) and people double-click. Every delivery carries a key (the platform's event
id; the message, button and person of a click); the first delivery's receipt row takes the
work. A later delivery of the same key is skipped while the first is at it or after it
succeeded, and processed again only when the first failed or its process died (lease over).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from planbridge.errors import PlanbridgeError
from planbridge.records import ReceiptStatus
from planbridge.services.context import ServiceContext

# Longer than any one answer can take (quotes run under a few seconds' budget), so a live first
# attempt is never taken over, and short enough that a dead process's event is retried.
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Earlier:
    """What an earlier delivery of the same key did: still working, or finished with `outcome`."""

    finished: bool
    outcome: dict[str, Any]


def handle_once(services: ServiceContext, key: str, work: Callable[[], dict[str, Any] | None],
                *, lease: timedelta = LEASE) -> Earlier | None:
    """Run `work` unless a delivery of `key` already did or is doing it (then say what it did).

    A `PlanbridgeError` is an answer (the user was told why, e.g. an unknown item), so it counts
    as done; any other failure lets the next delivery try again."""
    earlier = accept(services, key, lease=lease)
    if earlier is None:
        _run(services, key, work)
    return earlier


def accept(services: ServiceContext, key: str, *, lease: timedelta = LEASE) -> Earlier | None:
    """Take the work of `key` for this delivery (None), or say what an earlier delivery did.

    The web process accepts an event and hands it over (`EventQueue`); whoever runs it later
    calls `complete`. The lease covers the wait in the queue too: a delivery whose worker died
    before finishing is taken over by a retry once the lease is over."""
    with services.uow_factory() as uow:
        taken = uow.receipts.begin(key, now=services.clock.now(), lease=lease)
        receipt = None if taken else uow.receipts.get(key)
        uow.commit()
    if taken:
        return None
    if receipt is None:  # the row went away between the two statements: nothing to report on
        return Earlier(False, {})
    return Earlier(receipt.status == ReceiptStatus.DONE.value, receipt.outcome)


def accept_many(services: ServiceContext, keys: Sequence[str], *, lease: timedelta = LEASE) -> set[str]:
    """`accept` for a burst of deliveries in one transaction: the keys this call took (the others
    were answered, are queued or are being answered by an earlier delivery)."""
    with services.uow_factory() as uow:
        taken = uow.receipts.begin_many(keys, now=services.clock.now(), lease=lease)
        uow.commit()
    return taken


def complete(services: ServiceContext, key: str, work: Callable[[], dict[str, Any] | None]) -> bool:
    """Run the accepted work of `key` and record how it ended; False (and nothing run) when it is
    done already (a hand-over delivered twice, e.g. a retry accepted after the lease ran out in a
    long queue while the first hand-over still waited there)."""
    with services.uow_factory() as uow:
        receipt = uow.receipts.get(key)
    if receipt is not None and receipt.status == ReceiptStatus.DONE.value:
        return False
    _run(services, key, work)
    return True


def _run(services: ServiceContext, key: str, work: Callable[[], dict[str, Any] | None]) -> None:
    try:
        outcome = work() or {}
    except PlanbridgeError as refusal:
        _finish(services, key, {"refused": refusal.message})
        raise
    except BaseException:
        with services.uow_factory() as uow:
            uow.receipts.fail(key, now=services.clock.now())
            uow.commit()
        raise
    _finish(services, key, outcome)


def _finish(services: ServiceContext, key: str, outcome: dict[str, Any]) -> None:
    with services.uow_factory() as uow:
        uow.receipts.finish(key, now=services.clock.now(), outcome=outcome)
        uow.commit()


def release(services: ServiceContext, key: str) -> None:
    """Give back an accepted key that could not be handed over (e.g. the queue is full), so the
    platform's retry is processed."""
    with services.uow_factory() as uow:
        uow.receipts.fail(key, now=services.clock.now())
        uow.commit()
