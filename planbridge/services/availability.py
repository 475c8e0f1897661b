"""Available to promise by a date (CONTRACT §2 `available`): the largest quantity whose promise is
on or before it, and when those units are ready."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_item
from planbridge.services.quoting import due_date, language_for, promise_engine
from planning_core.ctp.available import Availability, available
from planning_core.model import PlantSnapshot


@dataclass(frozen=True)
class AvailableCommand:
    item: str  # id, name or alias
    by: date
    customer: str | None = None
    as_of: date | None = None
    user_id: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class AvailableAnswer:
    """How many can be promised by a date; `earliest` is when the smallest quantity could be
    ready, for the answer "none by then"."""

    availability: Availability
    item_name: str
    as_of: date
    customer: str | None
    language: str
    snapshot: PlantSnapshot
    earliest: date | None = None


def available_by(cmd: AvailableCommand, ctx: ServiceContext) -> AvailableAnswer:
    snapshot = ctx.snapshot()
    item = find_item(snapshot, cmd.item)
    as_of = ctx.as_of(cmd.as_of, snapshot)
    by = due_date(cmd.by, as_of)
    assert by is not None
    engine = promise_engine(ctx, snapshot, as_of)
    # By the time budget, like every answer: past it, the largest quantity proved so far, marked not exact.
    result = available(engine, item.item_id, by, deadline=ctx.deadline())
    earliest = None
    if result.qty <= 0:
        smallest = 1.0 if result.step >= 1 else result.step
        earliest = engine.quote(item_id=item.item_id, qty=smallest, exact=False).promise_date
    return AvailableAnswer(result, item.name, as_of, cmd.customer, language_for(snapshot, cmd.user_id, cmd.language),
                           snapshot, earliest)
