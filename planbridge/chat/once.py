"""Each chat event and click takes effect once, however often the platform delivers it.

Platforms re-send what they think was missed (Slack retries an event after 3 s, Feishu after
its own timeout) and people double-click. Every delivery carries a key (the platform's event
id; the message, button and person of a click); the first delivery's receipt row takes the
work. A later delivery of the same key is skipped while the first is at it or after it
succeeded, and processed again only when the first failed or its process died (lease over).
"""

from __future__ import annotations

from collections.abc import Callable
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
    with services.uow_factory() as uow:
        taken = uow.receipts.begin(key, now=services.clock.now(), lease=lease)
        receipt = None if taken else uow.receipts.get(key)
        uow.commit()
    if receipt is not None:
        return Earlier(receipt.status == ReceiptStatus.DONE.value, receipt.outcome)
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
    return None


def _finish(services: ServiceContext, key: str, outcome: dict[str, Any]) -> None:
    with services.uow_factory() as uow:
        uow.receipts.finish(key, now=services.clock.now(), outcome=outcome)
        uow.commit()
