"""The words of a chat reply: clarifying questions and answers, in the reader's language.

Pure functions of a parsed request, the plant and the facts a service returned; the chat
layer decides what to call, this module only says it. Each reply carries the typed document
of its answer, which the chat card and `ask --json` show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from planbridge.language.frame import Intent, Metric, ParsedRequest, Window
from planbridge.languages import EN
from planbridge.presentation.catalogue import is_chinese, t, tn
from planbridge.presentation.documents import AnswerDocument, ChangeDocument, DigestFigures, FactsDocument
from planbridge.presentation.formats import day, iso, pieces, qty, span
from planbridge.presentation.names import display_name, measure, plural, resource_name
from planbridge.services.lateness import LateOrdersAnswer, OrderState, Outlook
from planbridge.services.lookup import item_names, suggestions
from planning_core.model import Item, OrderStatus, PlantSnapshot, SalesOrder

if TYPE_CHECKING:  # pandas comes with these; the CLI should not pay for it on every message
    from planning_core.kpi import KpiReport
    from planning_core.mrp.results import Shortage

MAX_LISTED_ORDERS = 5


@dataclass(frozen=True)
class Reply:
    text: str
    language: str
    needs: str | None = None  # the slot a clarifying question asks for
    suggestions: tuple[str, ...] = ()  # item ids close to an unknown item
    answer: AnswerDocument | None = None  # the typed document of the service that answered
    error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _sep(language: str) -> str:
    return t(language, "list.sep")


# ---------------------------------------------------------------- what is missing


def missing_slot(request: ParsedRequest) -> str | None:
    """The first slot this intent cannot do without, or None."""
    s = request.slots
    needs: dict[Intent, list[tuple[str, bool]]] = {
        Intent.QUOTE: [("item_id", s.item_id is None), ("qty", s.qty is None)],
        Intent.RUSH: [("order_id", s.order_id is None and s.item_id is None),
                      ("qty", s.order_id is None and s.qty is None), ("due_date", s.due_date is None)],
        Intent.CHANGE: [("order_id", s.order_id is None), ("change", s.qty is None and s.due_date is None)],
        Intent.CANCEL: [("order_id", s.order_id is None)],
        Intent.ORDER_STATUS: [("order_id", s.order_id is None and s.customer is None and s.item_id is None)],
        Intent.STOCK: [("item_id", s.item_id is None)],
        Intent.AVAILABLE: [("item_id", s.item_id is None), ("due_date", s.due_date is None)],
    }
    return next((name for name, missing in needs.get(request.intent, []) if missing), None)


def clarify(request: ParsedRequest, slot: str, snapshot: PlantSnapshot, language: str) -> Reply:
    s = request.slots
    if slot == "item_id":
        return _which_item(request, snapshot, language)
    if slot == "order_id":
        if request.unmatched.order:
            hint = suggestions(request.unmatched.order, {o.order_id: (o.order_id,) for o in snapshot.sales_orders})
            tail = t(language, "ask.did_you_mean", names=_sep(language).join(hint)) if hint else t(language, "ask.check_order")
            text = t(language, "ask.order_unknown", order=request.unmatched.order) + tail
            return Reply(text, language, needs=slot, suggestions=tuple(hint))
        example = snapshot.sales_orders[-1].order_id if snapshot.sales_orders else "SO-1001"
        return Reply(t(language, "ask.which_order", example=example), language, needs=slot)
    if slot == "qty":
        item = snapshot.items.get(s.item_id or "")
        if item:
            name = display_name(item, language)
            text = t(language, "ask.how_many_item", items=plural(name), item=name, measure=measure(item, language))
        else:
            text = t(language, "ask.how_many")
        return Reply(text, language, needs=slot)
    if slot == "due_date":
        what = s.order_id or (display_name(snapshot.items.get(s.item_id or ""), language) if s.item_id else "")
        return Reply(t(language, "ask.by_when", what=what or t(language, "ask.it")), language, needs=slot)
    return Reply(t(language, "ask.what_changes", order=s.order_id or ""), language, needs=slot)


def _which_item(request: ParsedRequest, snapshot: PlantSnapshot, language: str) -> Reply:
    mention = request.unmatched.item
    if not mention:
        return Reply(t(language, "ask.which_item"), language, needs="item_id")
    close = suggestions(mention, item_names(snapshot))
    names = [f"{display_name(snapshot.items[i], language)} ({i})" for i in close]
    tail = t(language, "ask.did_you_mean", names=_sep(language).join(names)) if names else t(language, "ask.which_item_tail")
    return Reply(t(language, "ask.item_unknown", mention=mention) + tail, language, needs="item_id",
                 suggestions=tuple(close))


# ---------------------------------------------------------------- answers from the plant snapshot


def order_status(request: ParsedRequest, snapshot: PlantSnapshot, language: str, *, as_of: date,
                 states: Mapping[str, OrderState] | None = None) -> Reply:
    """An order's status, and for an open one where it stands on finite capacity (`states`)."""
    s = request.slots
    if s.order_id:
        order = snapshot.orders_by_id[s.order_id]
        state = (states or {}).get(order.order_id)
        text = _order_line(order, snapshot, language, as_of=as_of)
        facts = order_facts(order)
        if state is not None:
            text += ("" if is_chinese(language) else " ") + outlook_sentence(state, snapshot, language, as_of=as_of)
            facts |= {"projected_date": iso(state.projected_date), "outlook": state.outlook.value,
                      "short_items": list(state.short_items)}
        return Reply(text, language, answer=FactsDocument(orders=[facts]))
    orders = [o for o in snapshot.open_orders
              if (s.customer is None or o.customer == s.customer) and (s.item_id is None or o.item_id == s.item_id)]
    orders.sort(key=lambda o: o.due_date)
    whose = s.customer or display_name(snapshot.items.get(s.item_id or ""), language)
    if not orders:
        return Reply(t(language, "ask.no_open_orders", whose=whose), language, answer=FactsDocument(orders=[]))
    listed = [_order_short(o, snapshot, language, as_of=as_of) for o in orders[:MAX_LISTED_ORDERS]]
    more = len(orders) - len(listed)
    text = tn(language, "ask.open_orders", len(orders), whose=whose, list=t(language, "list.semicolon").join(listed))
    text += t(language, "ask.and_more", n=more) if more else t(language, "sentence.end")
    return Reply(text, language, answer=FactsDocument(orders=[order_facts(o) for o in orders]))


def _order_line(order: SalesOrder, snapshot: PlantSnapshot, language: str, *, as_of: date) -> str:
    item = snapshot.items.get(order.item_id)
    head = t(language, "order.head", order=order.order_id, customer=order.customer, qty=qty(order.qty),
             item=display_name(item, language), measure=measure(item, language))
    if order.status is OrderStatus.SHIPPED:
        late = _days(order.promised_date, order.shipped_date)
        tail = tn(language, "order.shipped_late", late, days=late) if late > 0 else t(language, "sentence.end")
        return head + t(language, "order.shipped", day=day(order.shipped_date, language, today=as_of)) + tail
    if order.status is OrderStatus.CANCELLED:
        return head + t(language, "order.cancelled")
    if order.status is OrderStatus.QUOTED:
        return head + t(language, "order.quoted", day=day(order.requested_date, language, today=as_of))
    overdue = _days(order.due_date, as_of)
    tail = tn(language, "order.past_due", overdue, days=overdue) if overdue > 0 else t(language, "sentence.end")
    return head + t(language, "order.promised", day=day(order.due_date, language, today=as_of)) + tail


def _order_short(order: SalesOrder, snapshot: PlantSnapshot, language: str, *, as_of: date) -> str:
    item = snapshot.items.get(order.item_id)
    return t(language, "order.short", order=order.order_id, qty=qty(order.qty), item=display_name(item, language),
             measure=measure(item, language), when=day(order.due_date, language, today=as_of))


def outlook_sentence(state: OrderState, snapshot: PlantSnapshot, language: str, *, as_of: date) -> str:
    """Where an open order stands on finite capacity: late, at risk or on track (the `lateness` words)."""
    if state.projected_date is None:
        return t(language, "outlook.never")
    when = day(state.projected_date, language, today=as_of)
    if state.outlook is Outlook.PAST_DUE:
        return t(language, "outlook.past_due", day=when)
    if state.outlook is Outlook.LATE:
        return t(language, "outlook.late", day=when, days=state.days_late)
    if state.outlook is Outlook.AT_RISK:
        return t(language, "outlook.at_risk", day=when, items=_names(snapshot, state.short_items, language))
    return t(language, "outlook.on_track", day=when)


def late_orders(answer: LateOrdersAnswer, snapshot: PlantSnapshot, language: str) -> Reply:
    """Orders past due, projected late or at risk, for a customer or item, promised in a window."""
    scope = ""
    if answer.customer:
        scope += t(language, "late.for_customer", customer=answer.customer)
    if answer.item_id:
        scope += t(language, "late.for_item", item=display_name(snapshot.items.get(answer.item_id), language))
    if answer.first and answer.last:
        scope += t(language, "late.in_window",
                   when=span(answer.first.isoformat(), answer.last.isoformat(), language, today=answer.as_of))
    facts = FactsDocument(orders=[{
        "order_id": o.order_id, "customer": o.customer, "item_id": o.item_id, "qty": o.qty,
        "promised_date": o.promised_date.isoformat(), "projected_date": iso(o.projected_date),
        "outlook": o.outlook.value, "short_items": list(o.short_items)} for o in answer.orders])
    if not answer.orders:
        return Reply(t(language, "late.none", scope=scope), language, answer=facts)
    parts = [_late_line(o, snapshot, language, as_of=answer.as_of) for o in answer.orders[:MAX_LISTED_ORDERS]]
    more = len(answer.orders) - len(parts)
    text = tn(language, "late.list", len(answer.orders), scope=scope, list=t(language, "list.semicolon").join(parts))
    if more:
        text = text.rstrip(".。") + t(language, "ask.and_more", n=more)
    return Reply(text, language, answer=facts)


def _names(snapshot: PlantSnapshot, item_ids: Sequence[str], language: str) -> str:
    return t(language, "list.sep").join(display_name(snapshot.items.get(i), language) or i for i in item_ids)


def _late_line(o: OrderState, snapshot: PlantSnapshot, language: str, *, as_of: date) -> str:
    due = day(o.promised_date, language, today=as_of)
    projected = day(o.projected_date, language, today=as_of) if o.projected_date else t(language, "late.never")
    if o.outlook is Outlook.AT_RISK:
        return t(language, "late.at_risk", order=o.order_id, customer=o.customer, due=due,
                 items=_names(snapshot, o.short_items, language))
    key = "late.past_due" if o.outlook is Outlook.PAST_DUE else "late.late"
    return t(language, key, order=o.order_id, customer=o.customer, due=due, projected=projected)


def order_facts(order: SalesOrder) -> dict[str, object]:
    return {
        "order_id": order.order_id, "customer": order.customer, "item_id": order.item_id, "qty": order.qty,
        "requested_date": order.requested_date.isoformat(),
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "status": order.status.value, "priority": order.priority.value,
        "shipped_date": order.shipped_date.isoformat() if order.shipped_date else None,
    }


def stock(request: ParsedRequest, snapshot: PlantSnapshot, language: str, *, as_of: date) -> Reply:
    item = snapshot.items[request.slots.item_id or ""]
    on_hand = snapshot.inventory.get(item.item_id, 0.0)
    receipts = sorted((po for po in snapshot.purchase_orders if po.item_id == item.item_id and po.due_date >= as_of),
                      key=lambda po: po.due_date)
    wanted = request.slots.qty
    unit = measure(item, language) if language != EN else item.uom
    text = t(language, "stock.head", item=display_name(item, language), id=item.item_id, on_hand=qty(on_hand), unit=unit)
    if item.safety_stock:
        text += t(language, "stock.safety", qty=qty(item.safety_stock), unit=unit)
    held = sum(h.qty for h in snapshot.held_stock if h.item_id == item.item_id)
    if held > 0:  # not promised: quality holds it
        text += t(language, "stock.held", qty=qty(held), unit=unit)
    if receipts:
        po = receipts[0]
        text += t(language, "stock.next_receipt", po=po.po_id, qty=qty(po.qty), unit=unit,
                  day=day(po.due_date, language, today=as_of))
    if wanted is not None:
        key = "stock.enough" if on_hand >= wanted else "stock.short"
        text += t(language, key, wanted=qty(wanted), short=qty(wanted - on_hand), unit=unit)
    else:
        text += t(language, "sentence.end")
    answer = FactsDocument(item_id=item.item_id, on_hand=on_hand, safety_stock=item.safety_stock,
                           receipts=[{"po_id": po.po_id, "qty": po.qty, "due_date": po.due_date.isoformat()}
                                     for po in receipts])
    return Reply(text, language, answer=answer)


def change_request(request: ParsedRequest, snapshot: PlantSnapshot, language: str, *, as_of: date) -> Reply:
    """What a change or cancellation would be; the bot never changes an order itself."""
    s = request.slots
    order = snapshot.orders_by_id[s.order_id or ""]
    current = _order_line(order, snapshot, language, as_of=as_of)
    if request.intent is Intent.CANCEL:
        wish = t(language, "change.cancel_wish")
    else:
        parts = []
        if s.qty is not None:
            parts.append(t(language, "change.qty", qty=qty(s.qty)))
        if s.due_date is not None:
            parts.append(t(language, "change.date", day=day(s.due_date, language, today=as_of)))
        wish = t(language, "change.wish", parts=t(language, "change.and").join(parts))
    text = t(language, "change.needs_request", current=current, wish=wish[:1].upper() + wish[1:])
    return Reply(text, language, answer=ChangeDocument(intent=request.intent.value, language=language, order=order_facts(order),
                                                       requested=request.slots.to_json()))


# ---------------------------------------------------------------- fixed texts


def approval_refusal(language: str) -> str:
    return t(language, "ask.approval_refusal")


def analysis_only(language: str) -> str:
    return t(language, "ask.analysis_only")


_UNAVAILABLE = {Intent.CAPACITY: "capacity", Intent.KPI: "kpi", Intent.SHORTAGES: "shortages", Intent.DIGEST: "digest"}


def not_available(what: Intent, language: str) -> str:
    name = t(language, f"ask.unavailable.{_UNAVAILABLE.get(what, 'other')}")
    return t(language, "ask.not_available", what=name)


def could_not(message: str, language: str) -> str:
    return t(language, "ask.could_not", message=message)


def help_text(snapshot: PlantSnapshot | None, language: str) -> str:
    item = _example_item(snapshot)
    name = display_name(item, language) if item else t(language, "ask.help_default_item")
    return t(language, "ask.help", item=name, items=plural(name) if item else name)


def not_understood(snapshot: PlantSnapshot | None, language: str) -> str:
    item = _example_item(snapshot)
    if item:
        name = display_name(item, language)
        example = t(language, "ask.example_item", item=name, items=plural(name))
    else:
        example = t(language, "ask.example")
    return t(language, "ask.not_understood", example=example)


def _days(earlier: date | None, later: date | None) -> int:
    return (later - earlier).days if earlier and later else 0


def _example_item(snapshot: PlantSnapshot | None) -> Item | None:
    if snapshot is None or not snapshot.items:
        return None
    top = [i for i in snapshot.items.values() if not snapshot.parents_of.get(i.item_id)]
    return (top or list(snapshot.items.values()))[0]


# ---------------------------------------------------------------- KPIs, capacity, shortages


def kpi(request: ParsedRequest, report: KpiReport, snapshot: PlantSnapshot, language: str) -> Reply:
    metric = request.slots.metric
    backlog, late = len(report.open["backlog"]), len(report.open["late_open"])
    if metric in (Metric.OTD, Metric.OTIF):
        text = _delivery_rate(report, metric, customer=request.slots.customer, language=language,
                              window=request.window)
    elif metric is Metric.BACKLOG:
        text = t(language, "kpi.backlog", backlog=backlog, late=late)
    elif metric is Metric.LATE_ORDERS:
        text = _late_orders(report, language)
    elif metric is Metric.UTILIZATION:
        text = _utilization_summary(report, snapshot, language, window=request.window)
    elif metric is Metric.FORECAST_ACCURACY:
        text = _accuracy(report, item_id=request.slots.item_id, language=language)
    elif metric is Metric.SHORTAGES:
        text = tn(language, "kpi.shortages", len(report.shortages))
    else:
        text = "\n".join((
            _delivery_rate(report, Metric.OTD, customer=None, language=language),
            _delivery_rate(report, Metric.OTIF, customer=None, language=language),
            t(language, "kpi.overview", backlog=backlog, late=late, shortages=len(report.shortages)),
        ))
    return Reply(text, language, answer=FactsDocument(**report.to_json()))


def _delivery_rate(report: KpiReport, metric: Metric, *, customer: str | None, language: str,
                   window: Window | None = None) -> str:
    shipped = report.period.shipped if window else report.last_30_days.shipped
    lines = [line for line in shipped if customer is None or line.customer == customer]
    good = sum(line.on_time and (metric is Metric.OTD or line.in_full) for line in lines)
    who = t(language, "kpi.for_customer", customer=customer) if customer else ""
    label = t(language, "kpi.otd" if metric is Metric.OTD else "kpi.otif")
    period = _period(window, language, as_of=report.as_of)
    if not lines:
        return t(language, "kpi.none_shipped_in", who=who, period=period) if window else t(language, "kpi.none_shipped",
                                                                                          who=who)
    share, n = f"{good / len(lines):.0%}", len(lines)
    if window:
        return t(language, "kpi.rate_in", label=label, who=who, share=share, good=good, n=n, period=period)
    return t(language, "kpi.rate", label=label, who=who, share=share, good=good, n=n)


def _period(window: Window | None, language: str, *, as_of: date) -> str:
    if window is None:
        return ""
    return span(window.first.isoformat(), window.last.isoformat(), language, today=as_of)


def _late_orders(report: KpiReport, language: str) -> str:
    late = list(report.open["late_open"])
    if not late:
        return t(language, "kpi.no_late")
    parts = [tn(language, "kpi.late_order", o.days_late, order=o.order_id, customer=o.customer, days=o.days_late)
             for o in late[:MAX_LISTED_ORDERS]]
    return tn(language, "kpi.late_orders", len(late), list=t(language, "list.semicolon").join(parts))


def _utilization_summary(report: KpiReport, snapshot: PlantSnapshot, language: str, *,
                         window: Window | None = None) -> str:
    loads = sorted((r for r in report.utilization.resources if r.utilization is not None),
                   key=lambda r: -(r.load_ratio if r.load_ratio is not None else r.utilization or 0.0))
    if not loads:
        return t(language, "kpi.no_utilization")
    parts = [f"{_resource(snapshot, r.resource_id, language)} {_percent(r.load_ratio, r.utilization)}" for r in loads[:5]]
    listed = t(language, "list.comma").join(parts)
    window = _load_window(report, window)
    if window is None:
        return _past(report, language) + t(language, "kpi.utilization", list=listed)
    return t(language, "kpi.utilization_in", list=listed, period=_period(window, language, as_of=report.as_of))


def _load_window(report: KpiReport, window: Window | None) -> Window | None:
    """The window the load was computed for (the KPI service loads future windows only)."""
    loaded = report.extra.get("load_window")
    return window if window is not None and loaded == window.to_json() else None


def _past(report: KpiReport, language: str) -> str:
    asked = report.extra.get("asked_window")
    if not asked:
        return ""
    period = span(asked["from"], asked["to"], language, today=report.as_of)
    return t(language, "kpi.past_window", period=period) + ("" if is_chinese(language) else " ")


def capacity(request: ParsedRequest, report: KpiReport, snapshot: PlantSnapshot, language: str) -> Reply:
    rid = request.slots.resource_id
    if rid is None:
        return Reply(_utilization_summary(report, snapshot, language, window=request.window), language,
                     answer=FactsDocument(**report.to_json()))
    load = next((r for r in report.utilization.resources if r.resource_id == rid), None)
    name = _resource(snapshot, rid, language)
    window = _load_window(report, request.window)
    if load is None or load.utilization is None:
        text = t(language, "kpi.no_working_time", name=name)
    else:
        over = load.load_ratio is not None and load.load_ratio > 1.0
        busy = _percent(load.load_ratio, load.utilization)
        if window is None:
            text = _past(report, language) + t(language, "kpi.loaded", name=name, busy=busy)
        else:
            text = t(language, "kpi.loaded_in", name=name, busy=busy,
                     period=_period(window, language, as_of=report.as_of))
        text += t(language, "kpi.overloaded_tail") if over else t(language, "sentence.end")
    return Reply(text, language, answer=FactsDocument(**{"resource_id": rid, **(load.to_json() if load else {})}))


def _accuracy(report: KpiReport, *, item_id: str | None, language: str) -> str:
    if report.accuracy is None:
        return t(language, "kpi.no_accuracy")
    lines = [line for line in report.accuracy.lines if item_id is None or line.item_id == item_id]
    actual = sum(line.actual for line in lines)
    if not lines or actual <= 0:
        return t(language, "kpi.no_item_accuracy")
    wape = sum(abs(line.forecast - line.actual) for line in lines) / actual
    bias = (sum(line.forecast for line in lines) - actual) / actual
    return t(language, "kpi.accuracy", wape=f"{wape:.0%}", bias=f"{bias:+.0%}", n=len(lines))


def shortages(request: ParsedRequest, found: Sequence[Shortage], snapshot: PlantSnapshot, language: str, *,
              as_of: date) -> Reply:
    s = request.slots
    item_orders = {o.order_id for o in snapshot.sales_orders if o.item_id == s.item_id} if s.item_id else set()
    relevant = [
        x for x in found
        if (s.item_id is None or x.item_id == s.item_id or item_orders & set(x.orders))
        and (s.order_id is None or s.order_id in x.orders)
        and (s.due_date is None or x.date <= s.due_date)
    ]
    if not relevant:
        return Reply(t(language, "shortage.none"), language, answer=FactsDocument(shortages=[]))
    parts = []
    for x in relevant[:MAX_LISTED_ORDERS]:
        item = snapshot.items.get(x.item_id)
        orders = ", ".join(x.orders[:3])
        parts.append(t(language, "shortage.line", item=display_name(item, language),
                       qty=pieces(x.qty, item.uom if item else "pcs"),
                       uom=item.uom if item else "", measure=measure(item, language),
                       day=day(x.date, language, today=as_of))
                     + (t(language, "shortage.orders", orders=orders) if orders else ""))
    more = len(relevant) - len(parts)
    text = tn(language, "shortage.list", len(relevant), list=t(language, "list.semicolon").join(parts))
    text += t(language, "ask.and_more_items", n=more) if more else t(language, "sentence.end")
    return Reply(text, language, answer=FactsDocument(shortages=[x.to_json() for x in relevant]))


def digest_summary(figures: DigestFigures, language: str) -> str:
    """The digest's key figures in two lines (chat channels post the full digest as a card)."""
    f = figures.to_dict()
    otd = f.get("otd_last_30_days")
    rate = t(language, "digest.no_shipments") if otd is None else f"{otd:.0%}"
    return t(language, "digest.summary", plant=f.get("plant", ""), day=f.get("as_of", ""), rate=rate,
             backlog=f.get("backlog_orders", 0), late=f.get("late_open_orders", 0), risk=f.get("at_risk_orders", 0),
             shortages=f.get("shortages", 0), pending=f.get("pending_requests", 0))


def _resource(snapshot: PlantSnapshot, resource_id: str, language: str) -> str:
    if resource_id not in snapshot.resources:
        return resource_id
    return t(language, "name.with_id", name=resource_name(snapshot, resource_id, language), id=resource_id)


def _percent(ratio: float | None, capped: float | None) -> str:
    value = ratio if ratio is not None else capped
    return "—" if value is None else f"{value:.0%}"
