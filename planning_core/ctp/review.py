"""The order review a sales and production meeting does: technical, material, capacity, date, quality."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from planning_core.ctp.explain import HOLD_RELEASE, Evidence, needed_purchases
from planning_core.ctp.model import CtpModel, explode
from planning_core.ctp.results import BindingConstraint, CheckStatus, ConstraintKind, OrderReview, ReviewCheck
from planning_core.model import ItemType, PlantSnapshot
from planning_core.quality import held_needed, item_signals, open_customer_events


def review_order(
    snapshot: PlantSnapshot,
    model: CtpModel,
    day: int | None,
    *,
    item_id: str,
    qty: float,
    due: date | None,
    constraints: tuple[BindingConstraint, ...],
    evidence: Evidence | None = None,
) -> OrderReview:
    """The four checks, from the same plan as the binding constraints. With the plan's `evidence`,
    the material check also names purchases the order needs that do not hold its date back."""
    promise = model.date_of(day) if day is not None else None
    bought = () if evidence is None else needed_purchases(snapshot, model, evidence, item_id=item_id, qty=qty)
    return OrderReview(
        technical=_technical(snapshot, item_id),
        material=_material(constraints, bought),
        capacity=_capacity(constraints, promise),
        date=_date(promise, due),
    )


def quality_check(
    snapshot: PlantSnapshot, *, item_id: str, qty: float, as_of: date, due: date | None, promise: date | None,
    constraints: tuple[BindingConstraint, ...], customer: str | None,
    promise_with_held: Callable[[], date | None],
) -> ReviewCheck:
    """`problem` when the only way to meet the due date is stock quality holds (`promise_with_held`:
    the promise were every held lot released today, asked only then); `warning` when the item has
    open NCRs or complaints of the last 90 days, when stock the promise needs is on hold, or when
    the customer has open complaints or returns; else `ok`."""
    held = held_needed(snapshot, item_id, qty)
    for c in constraints:  # waiting for a hold release needs that held stock too
        if c.kind is ConstraintKind.RECEIPT and c.fact("source") == HOLD_RELEASE and c.item_id:
            held.setdefault(c.item_id, float(c.fact("qty") or 0.0))
    held_fact = ("held", ",".join(f"{part}={units:g}" for part, units in sorted(held.items())))
    if held and due is not None and (promise is None or promise > due):
        freed = promise_with_held()
        if freed is not None and freed <= due:
            return ReviewCheck(CheckStatus.PROBLEM, "only_held_stock", (held_fact, ("promise", freed.isoformat())))
    facts: list[tuple[str, str]] = []
    signals = item_signals(snapshot, item_id, as_of)
    if signals.any:
        facts += [("ncrs", str(signals.open_ncrs)), ("complaints", str(signals.recent_complaints))]
    if held:
        facts.append(held_fact)
    complaints = open_customer_events(snapshot, customer) if customer else []
    if complaints:
        facts += [("customer", customer or ""), ("customer_complaints", str(len(complaints)))]
    if facts:
        return ReviewCheck(CheckStatus.WARNING, "attention", tuple(facts))
    return ReviewCheck(CheckStatus.OK, "clear", ())


def _technical(snapshot: PlantSnapshot, item_id: str) -> ReviewCheck:
    item = snapshot.items[item_id]
    if item.type is ItemType.BUY:
        return ReviewCheck(CheckStatus.OK, "bought", (("lead_time_days", str(item.lead_time_days)),))
    incomplete = [
        i for i in explode(snapshot, item_id, 1.0)
        if snapshot.items[i].type is ItemType.MAKE and not snapshot.routing_of.get(i)
    ]
    if incomplete:
        return ReviewCheck(CheckStatus.PROBLEM, "no_routing", (("items", ", ".join(incomplete)),))
    if not snapshot.components_of.get(item_id):
        return ReviewCheck(CheckStatus.WARNING, "no_bom", ())
    return ReviewCheck(CheckStatus.OK, "makeable", ())


def _material(constraints: tuple[BindingConstraint, ...], bought: tuple[BindingConstraint, ...]) -> ReviewCheck:
    buys = list(bought) or [c for c in constraints if c.kind is ConstraintKind.PURCHASE_LEAD_TIME]
    waits = [c for c in constraints if c.kind is ConstraintKind.RECEIPT]
    if any(c.kind is ConstraintKind.DATA for c in constraints):
        return ReviewCheck(CheckStatus.PROBLEM, "no_source", ())
    if buys:
        return ReviewCheck(CheckStatus.WARNING, "must_buy", tuple((c.item_id or "", c.fact("qty") or "") for c in buys))
    if waits:
        return ReviewCheck(CheckStatus.WARNING, "waits_for_receipt", tuple((c.item_id or "", c.fact("date") or "") for c in waits))
    return ReviewCheck(CheckStatus.OK, "covered", ())


def _capacity(constraints: tuple[BindingConstraint, ...], promise: date | None) -> ReviewCheck:
    if promise is None:
        return ReviewCheck(CheckStatus.PROBLEM, "cannot_make", ())
    loaded = [c for c in constraints if c.kind is ConstraintKind.CAPACITY and c.resource_id]
    if loaded:
        return ReviewCheck(
            CheckStatus.WARNING, "loaded",
            tuple((c.resource_id or "", f"{c.fact('from')}..{c.fact('to')}") for c in loaded),
        )
    return ReviewCheck(CheckStatus.OK, "available", ())


def _date(promise: date | None, due: date | None) -> ReviewCheck:
    if promise is None:
        return ReviewCheck(CheckStatus.PROBLEM, "never", ())
    if due is None:
        return ReviewCheck(CheckStatus.OK, "no_due_date", (("promise", promise.isoformat()),))
    slack = (due - promise).days
    if slack < 0:
        return ReviewCheck(CheckStatus.PROBLEM, "late", (("days", str(-slack)), ("promise", promise.isoformat())))
    if slack <= 1:
        return ReviewCheck(CheckStatus.WARNING, "tight", (("days", str(slack)), ("promise", promise.isoformat())))
    return ReviewCheck(CheckStatus.OK, "on_time", (("days", str(slack)), ("promise", promise.isoformat())))
