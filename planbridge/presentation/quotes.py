"""Plain sentences about quotes and rushes, in the reader's language.

The planning core returns facts (dates, quantities, ids); this module turns them into the
explanation, the binding-constraint details and the order-review reasons that the CLI, the
REST API and every chat channel show.
"""

from __future__ import annotations

from datetime import date

from planbridge.presentation.catalogue import is_chinese, t, tn
from planbridge.presentation.formats import day, qty, span
from planbridge.presentation.names import item_name, measure, resource_name
from planning_core.ctp.available import Availability
from planning_core.ctp.results import BindingConstraint, ConstraintKind, ImpactedOrder, Quote, ReviewCheck, RushImpact
from planning_core.model import PlantSnapshot
from planning_core.units import whole_up


def constraint_detail(c: BindingConstraint, snapshot: PlantSnapshot, lang: str, *, today: date) -> str:
    """One concrete sentence fragment per binding constraint."""
    f = dict(c.facts)
    item, res = item_name(snapshot, c.item_id, lang), resource_name(snapshot, c.resource_id, lang)
    unit = _unit(snapshot, c.item_id, lang)
    if f.get("qty") and f.get("uom"):  # whole pieces are bought and received
        f["qty"] = str(whole_up(float(f["qty"]), f["uom"]))
    if c.kind is ConstraintKind.STOCK:
        free = max(float(f.get("on_hand", 0)) - float(f.get("committed", 0)), 0.0)
        text = t(lang, "constraint.stock", item=item, on_hand=qty(f.get("on_hand")), committed=qty(f.get("committed")))
        return text + (t(lang, "constraint.stock_free", free=qty(free)) if free > 0 else "")
    if c.kind is ConstraintKind.RECEIPT and f.get("source") == "hold_release":
        return t(lang, "constraint.hold_release", item=item, on_hand=qty(f.get("on_hand")), qty=qty(f.get("qty")),
                 unit=unit, day=day(f.get("date"), lang, today=today))
    if c.kind is ConstraintKind.RECEIPT:
        return t(lang, "constraint.receipt", item=item, on_hand=qty(f.get("on_hand")), qty=qty(f.get("qty")), unit=unit,
                 day=day(f.get("date"), lang, today=today), ref=f.get("ref"))
    if c.kind is ConstraintKind.PURCHASE_LEAD_TIME:
        return t(lang, "constraint.purchase", item=item, qty=qty(f.get("qty")), unit=unit, days=f.get("lead_time_days"),
                 day=day(f.get("arrival"), lang, today=today))
    if c.kind is ConstraintKind.CAPACITY and c.resource_id:
        text = t(lang, "constraint.capacity", resource=res, when=span(f.get("from"), f.get("to"), lang, today=today))
        busy = [name for name in (f.get("busy_with") or "").split(",") if name]
        return text + (t(lang, "constraint.busy", orders=t(lang, "list.sep").join(busy)) if busy else "")
    if c.kind is ConstraintKind.CAPACITY:
        return t(lang, "constraint.horizon", days=f.get("horizon_days"))
    if c.kind is ConstraintKind.CALENDAR:
        dates = [day(d, lang, today=today) for d in (f.get("dates") or "").split(",") if d]
        return t(lang, "constraint.calendar", resource=res, dates=t(lang, "list.sep").join(dates))
    if c.kind is ConstraintKind.DATA:
        return t(lang, "constraint.data", items=f.get("items"))
    return c.kind.value


def _unit(snapshot: PlantSnapshot, item_id: str | None, lang: str) -> str:
    """" pcs" / " kg" after an English number, "个" / "公斤" after a Chinese one."""
    word = measure(snapshot.items.get(item_id or ""), lang)
    return word if is_chinese(lang) else f" {word}"


def review_reason(name: str, check: ReviewCheck, lang: str, snapshot: PlantSnapshot | None = None) -> str:
    """The reason of one order-review check ("capacity available", "3 days later than requested")."""
    if name == "quality":
        return quality_reason(check, lang, snapshot)
    key = f"review.{name}.{check.reason_code}"
    facts = dict(check.facts)
    if check.reason_code == "no_routing":
        facts.setdefault("items", "?")
    try:
        return t(lang, key, **facts)
    except KeyError:  # an unknown reason code, or facts its sentence cannot do without
        try:
            return t(lang, key)
        except KeyError:
            return check.reason_code


def quality_reason(check: ReviewCheck, lang: str, snapshot: PlantSnapshot | None = None) -> str:
    """The quality check in plain words: what holds the date, or each thing worth knowing."""
    facts = dict(check.facts)
    held = t(lang, "list.sep").join(
        t(lang, "review.quality.held_lot", item=item_name(snapshot, part, lang) if snapshot else part, qty=qty(amount))
        for part, amount in (entry.split("=") for entry in (facts.get("held") or "").split(",") if "=" in entry)
    )
    if check.reason_code == "only_held_stock":
        return t(lang, "review.quality.only_held_stock", held=held, promise=facts.get("promise", ""))
    if check.reason_code != "attention":
        return t(lang, "review.quality.clear")
    parts = []
    if "ncrs" in facts:
        parts.append(t(lang, "review.quality.item_events", ncrs=facts["ncrs"], complaints=facts["complaints"]))
    if held:
        parts.append(t(lang, "review.quality.held", held=held))
    if "customer_complaints" in facts:
        parts.append(t(lang, "review.quality.customer", customer=facts["customer"], n=facts["customer_complaints"]))
    return t(lang, "review.quality.sep").join(parts)


_PRIORITY = {
    ConstraintKind.DATA: 0,
    ConstraintKind.PURCHASE_LEAD_TIME: 1,
    ConstraintKind.RECEIPT: 2,
    ConstraintKind.CAPACITY: 3,
    ConstraintKind.CALENDAR: 4,
    ConstraintKind.MATERIAL: 5,
    ConstraintKind.STOCK: 6,
}


def main_constraints(constraints: tuple[BindingConstraint, ...], *, limit: int = 2) -> list[BindingConstraint]:
    """The constraints worth a sentence: missing data first, then what holds the promise latest
    (a purchase arriving weeks before it does not bind a promise a loaded line holds back),
    by kind where they end alike; stock last."""
    def rank(c: BindingConstraint) -> tuple[bool, int, int]:
        return c.kind is not ConstraintKind.DATA, -(_latest(c) or date.min).toordinal(), _PRIORITY[c.kind]

    return sorted(constraints, key=rank)[:limit]


def _latest(c: BindingConstraint) -> date | None:
    for key in ("to", "arrival", "date"):
        value = c.fact(key)
        if value:
            return date.fromisoformat(value)
    closed = c.fact("dates")
    return max(date.fromisoformat(d) for d in closed.split(",")) if closed else None


def quote_explanation(q: Quote, snapshot: PlantSnapshot, lang: str, *, customer: str | None = None) -> str:
    """One or two sentences a sales rep understands: when, whether in time, partial deliveries, what binds."""
    item = item_name(snapshot, q.item_id, lang)
    amount = qty(q.qty)
    if q.promise_date is None:
        why = t(lang, "list.semicolon").join(
            constraint_detail(c, snapshot, lang, today=q.as_of) for c in main_constraints(q.constraints, limit=1))
        return t(lang, "quote.never", qty=amount, item=item, why=why)
    when = day(q.promise_date, lang, today=q.as_of)
    # Nothing holds back a promise for today; stock never binds a later one (what is on hand is used first).
    today = q.promise_date == q.as_of
    binding = [] if today else main_constraints(tuple(c for c in q.constraints if c.kind is not ConstraintKind.STOCK))
    why = t(lang, "list.semicolon").join(constraint_detail(c, snapshot, lang, today=q.as_of) for c in binding)
    if customer:
        text = t(lang, "quote.head_for", qty=amount, item=item, customer=customer, when=when)
    else:
        text = t(lang, "quote.head", qty=amount, item=item, when=when)
    if q.due_date is not None:
        text += t(lang, "quote.in_time" if q.feasible_by_due else "quote.late", due=day(q.due_date, lang, today=q.as_of))
    first = q.partial[0] if len(q.partial) > 1 else None
    if first:
        text += t(lang, "quote.partial", qty=qty(first.qty), day=day(first.date, lang, today=q.as_of),
                  short_day=day(first.date, lang))
    text += t(lang, "sentence.end")
    text += t(lang, "quote.binding", why=why) if why else ""
    if q.first_answer_date is not None:
        text += t(lang, "quote.resequenced", when=when, first=day(q.first_answer_date, lang, today=q.as_of))
    elif not q.exact:
        text += t(lang, "quote.first_answer")
    return text


def rush_explanation(r: RushImpact, snapshot: PlantSnapshot, lang: str, *, change: bool = False) -> str:
    """When the rushed (or changed) order can be ready, and every other order that would miss its promise."""
    name = r.order_id or f"{qty(r.qty)} {item_name(snapshot, r.item_id, lang)}"
    if r.promise_date is None:
        return t(lang, "rush.never", name=name)
    when = day(r.promise_date, lang, today=r.as_of)
    if change:
        text = t(lang, "change.head", name=name, when=when, qty=qty(r.qty), due=day(r.due_date, lang, today=r.as_of))
    else:
        text = t(lang, "rush.head", name=name, when=when)
    if not r.feasible_by_due:
        text += t(lang, "rush.head_late", due=day(r.due_date, lang, today=r.as_of))
    slips = [_slip(i, lang, today=r.as_of) for i in r.impacted]
    if not slips:
        return text + t(lang, "rush.no_slips")
    return text + tn(lang, "rush.slips", len(slips), slips=t(lang, "list.semicolon").join(slips))


def _slip(i: ImpactedOrder, lang: str, *, today: date) -> str:
    to = day(i.projected_date, lang, today=today) if i.projected_date else t(lang, "rush.slip_never")
    return t(lang, "rush.slip", order=i.order_id, customer=i.customer, old=day(i.promised_date, lang, today=today), new=to)


def available_explanation(availability: Availability, snapshot: PlantSnapshot, lang: str, *, as_of: date,
                          earliest: date | None) -> str:
    """"By Dec 15 we can deliver up to 120 pcs DN50 check valve: 60 today, 60 Dec 15." and the like."""
    a = availability
    item, by = item_name(snapshot, a.item_id, lang), day(a.by, lang, today=as_of)
    if a.unlimited:
        return t(lang, "available.unlimited", item=item, by=by) + t(lang, "sentence.end")
    if a.qty <= 0:
        if earliest is None:
            return t(lang, "available.never", item=item, by=by) + t(lang, "sentence.end")
        return t(lang, "available.none", item=item, by=by, earliest=day(earliest, lang, today=as_of)) + t(
            lang, "sentence.end")
    unit = _unit(snapshot, a.item_id, lang)
    text = t(lang, "available.head" if a.exact else "available.at_least", by=by, qty=qty(a.qty), unit=unit, item=item)
    if len(a.schedule) > 1:
        parts = [t(lang, "available.part", qty=qty(p.qty), unit=unit,
                   day=t(lang, "available.now") if p.date == as_of else day(p.date, lang, today=as_of))
                 for p in a.schedule]
        text += t(lang, "available.parts", parts=t(lang, "list.sep").join(parts))
    return text + t(lang, "sentence.end")
