"""Cards for answers: quotes, rushes, change requests asked in chat, and requests waiting for approval.

Inputs are the typed documents the CLI and the REST API print, so every channel shows the
same answer. Buttons carry what their click needs (signed by the chat platform).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from planbridge.presentation.cards import (
    Action,
    Bold,
    Bullets,
    Button,
    Buttons,
    Card,
    Confirm,
    Fields,
    Header,
    Mark,
    Mention,
    Note,
    Paragraph,
    Rich,
    rich,
    text_card,
)
from planbridge.presentation.catalogue import t
from planbridge.presentation.documents import (
    ChangeDocument,
    QuoteDocument,
    QuoteWithPlan,
    RepromiseDocument,
    RequestDocument,
    RushDocument,
)
from planbridge.presentation.formats import day, moment, qty

SHOWN_PARTIALS = 8
SHOWN_CONSTRAINTS = 5
SHOWN_IMPACTED = 10
SHOWN_OPERATIONS = 15
_STATUS_MARK = {"ok": Mark.OK, "warning": Mark.WARNING, "problem": Mark.PROBLEM}
_REVIEW = ("technical", "material", "capacity", "date", "quality")


def reply_card(text: str, answer: object | None) -> Card:
    """A chat reply: rich for quotes, rushes and changes, else its text."""
    if isinstance(answer, QuoteDocument):
        return quote_card(answer, answer.language, text=text)
    if isinstance(answer, RushDocument):
        return rush_card(answer, answer.language, text=text)
    if isinstance(answer, ChangeDocument):
        return change_card(answer, text=text)
    return text_card(text)


def ask_card(reply: str, answer: object | None, *, needs: str | None = None, error: str | None = None) -> Card:
    """The card of an `ask` answer (a clarifying question or an error is plain text)."""
    if needs or error:
        return text_card(reply)
    return reply_card(reply, answer)


def quote_card(quote: QuoteDocument, language: str, *, text: str | None = None, order_id: str | None = None) -> Card:
    """Promise date, partial deliveries, binding constraints, order review, and Book it / Request rush /
    Show plan. For an existing order (`order_id`: a re-promise) the date is moved by a change request
    instead of a booking."""
    today = quote.as_of
    summary = text or quote.explanation
    parts: list[Any] = [Paragraph(rich(summary))]
    parts.append(Fields((
        (t(language, "card.promise"), _promise(quote, language, today)),
        (t(language, "card.quantity"), rich(f"{qty(quote.qty)} × {quote.item_name or quote.item_id}")),
        (t(language, "card.requested"), rich(day(quote.due_date, language, today=today) if quote.due_date
                                             else t(language, "card.no_due"))),
        (t(language, "card.customer"), rich(quote.customer or "—")),
    )))
    if len(quote.partial) > 1:
        lines = [t(language, "card.partial_item", qty=qty(p.qty), day=day(p.date, language, today=today))
                 for p in quote.partial]
        shown = ", ".join(lines[:SHOWN_PARTIALS])
        if len(lines) > SHOWN_PARTIALS:
            shown += " " + t(language, "card.more", n=len(lines) - SHOWN_PARTIALS)
        parts.append(Paragraph(rich(shown), title=t(language, "card.partial")))
    constraints = tuple(rich(c.detail) for c in quote.constraints if c.detail)
    if constraints:
        parts.append(Bullets(constraints, SHOWN_CONSTRAINTS, t(language, "card.more", n="{n}"),
                             title=t(language, "card.constraints")))
    review: list[Any] = [Bold(t(language, "card.review")), ": "]
    for k, name in enumerate(_REVIEW):
        check = getattr(quote.review, name)
        if check is None:
            continue
        if k:
            review.append(" · ")
        if check.status in _STATUS_MARK:
            review.append(_STATUS_MARK[check.status])
        review.append(f" {t(language, f'card.{name}')}")
    parts.append(Note(tuple(review)))
    quality = quote.review.quality
    if quality is not None and quality.status != "ok":  # quality speaks in words: what it holds or what was reported
        parts.append(Note((_STATUS_MARK[quality.status], f" {quality.reason}")))
    parts.extend(_repromise_actions(quote, language, order_id) if order_id else _quote_actions(quote, language))
    return Card(summary, tuple(parts))


def _promise(quote: QuoteDocument, language: str, today: date) -> Rich:
    if quote.promise_date is None:
        return rich(Mark.PROBLEM, f" {t(language, 'card.never')}")
    when = day(quote.promise_date, language, today=today)
    if quote.feasible_by_due is None:
        return rich(Bold(when))
    if quote.feasible_by_due:
        return rich(Bold(when), " (", Mark.OK, f" {t(language, 'card.on_time')})")
    return rich(Bold(when), " (", Mark.WARNING, f" {t(language, 'card.late')})")


def _quote_actions(quote: QuoteDocument, language: str) -> list[Any]:
    if quote.promise_date is None:
        return []
    buttons: list[Button] = []
    notes: list[Note] = []
    item = quote.item_name or quote.item_id
    due = quote.due_date.isoformat() if quote.due_date else None
    if quote.customer:
        value = {"item_id": quote.item_id, "qty": quote.qty, "due": due, "customer": quote.customer}
        if quote.first_answer_date is not None and quote.promise_date is not None:
            value["quoted"] = quote.promise_date.isoformat()  # earlier than the first answer: book there if it holds
        buttons.append(Button(
            t(language, "card.book"), Action.BOOK, value, style="primary",
            confirm=Confirm(title=t(language, "card.book_confirm_title"),
                            text=t(language, "card.book_confirm_text", qty=qty(quote.qty), item=item,
                                   customer=quote.customer),
                            confirm=t(language, "card.yes_book"), deny=t(language, "card.cancel")),
        ))
    else:
        notes.append(Note(rich(t(language, "card.name_customer"))))
    if due and quote.feasible_by_due is False:
        buttons.append(Button(t(language, "card.request_rush"), Action.REQUEST, {
            "kind": "rush", "item_id": quote.item_id, "qty": quote.qty, "due": due, "customer": quote.customer}))
    buttons.append(_show_plan(quote, language))
    return [Buttons("quote_actions", tuple(buttons)), *notes]


def _repromise_actions(quote: QuoteDocument, language: str, order_id: str) -> list[Any]:
    if quote.promise_date is None:
        return []
    change = Button(t(language, "card.request_change"), Action.REQUEST,
                    {"kind": "change", "order_id": order_id, "due": quote.promise_date.isoformat()}, style="primary")
    return [Buttons("repromise_actions", (change, _show_plan(quote, language))),
            Note(rich(t(language, "card.repromise_for", order_id=order_id)))]


def _show_plan(quote: QuoteDocument, language: str) -> Button:
    value = {"item_id": quote.item_id, "qty": quote.qty, "due": quote.due_date.isoformat() if quote.due_date else None}
    return Button(t(language, "card.show_plan"), Action.SHOW_PLAN, value)


def plan_card(quote: QuoteDocument, language: str) -> Card:
    """The plan behind a promise: operations by resource and time, purchases, deliveries."""
    item = quote.item_name or quote.item_id
    title = t(language, "card.plan_title", qty=qty(quote.qty), item=item,
              day=day(quote.promise_date, language, today=quote.as_of))
    if not isinstance(quote, QuoteWithPlan) or quote.promise_date is None:
        return text_card(t(language, "card.plan_none"))
    plan = quote.plan
    more = t(language, "card.more", n="{n}")
    parts: list[Any] = [Header(title)]
    operations = tuple(rich(t(language, "card.plan_operation", start=_local_time(op["start"], language, quote.as_of),
                                  end=str(op["end"])[11:16], resource=op["resource_id"], item=op["item_id"],
                                  step=op["step"], qty=qty(op["qty"])))
                       for op in plan.get("operations", []))
    if operations:
        parts.append(Bullets(operations, SHOWN_OPERATIONS, more, title=t(language, "card.plan_operations")))
    purchases = tuple(rich(t(language, "card.plan_purchase", qty=qty(p["qty"]), item=p["item_id"],
                             day=day(str(p["arrival"])[:10], language, today=quote.as_of)))
                      for p in plan.get("purchases", []))
    if purchases:
        parts.append(Bullets(purchases, SHOWN_OPERATIONS, more, title=t(language, "card.plan_purchases")))
    deliveries = tuple(rich(t(language, "card.plan_delivery", qty=qty(d["qty"]), item=d["item_id"],
                              day=day(str(d["at"])[:10], language, today=quote.as_of)))
                       for d in plan.get("deliveries", []))
    if deliveries:
        parts.append(Bullets(deliveries, SHOWN_OPERATIONS, more, title=t(language, "card.plan_deliveries")))
    return Card(title, tuple(parts))


def _local_time(value: object, language: str, today: date) -> str:
    """A plan's time as the plant reads it (plans are written in the plant's zone)."""
    text = str(value)
    return f"{day(text[:10], language, today=today)} {text[11:16]}"


# -- owners of orders an approved change made late ---------------------------------------------


def repromise_card(order: RepromiseDocument, request: RequestDocument, language: str) -> Card:
    """A direct message to an order's owner: an approved change made it late; a button quotes it again."""
    kind = t(language, f"card.kind_{request.kind}")
    today = date.fromisoformat(request.payload["as_of"]) if request.payload.get("as_of") else None
    sentence = t(language, "card.repromise_text", request_id=request.request_id, kind=kind, user="{user}",
                 when=moment(request.decided_at, language, today=today), order_id=order.order_id,
                 customer=order.customer)
    projected = (rich(Mark.PROBLEM, f" {t(language, 'card.never')}") if order.projected_date is None
                 else rich(Bold(day(order.projected_date, language, today=today))))
    title = t(language, "card.repromise_title", order_id=order.order_id)
    return Card(title, (
        Header(title),
        Paragraph(_with_mention(sentence, request.decided_by)),
        Fields(((t(language, "card.order"), rich(order.order_id)), (t(language, "card.customer"), rich(order.customer)),
                (t(language, "card.old_promise"), rich(day(order.promised_date, language, today=today))),
                (t(language, "card.new_projected"), projected))),
        Buttons(f"repromise_{order.order_id}", (Button(t(language, "card.repromise"), Action.REPROMISE,
                                                       {"order_id": order.order_id}, style="primary"),)),
    ))


def rush_card(rush: RushDocument, language: str, *, text: str | None = None) -> Card:
    """Achievable date, the orders that would slip, and a Request rush button (approval comes later)."""
    today = rush.as_of
    what = rush.order_id or t(language, "card.new_order", qty=qty(rush.qty), item=rush.item_id)
    summary = text or rush.explanation
    ready = (rich(Mark.PROBLEM, f" {t(language, 'card.never')}") if rush.promise_date is None
             else rich(day(rush.promise_date, language, today=today)))
    parts: list[Any] = [
        Paragraph(rich(summary)),
        Fields((
            (t(language, "card.rush_title", what=what), rich(f"{qty(rush.qty)} × {rush.item_id}")),
            (t(language, "card.needed"), rich(day(rush.due_date, language, today=today))),
            (t(language, "card.ready"), ready),
            (t(language, "card.customer"), rich(rush.customer or "—")),
        )),
        impacted_part([i.model_dump(mode="json") for i in rush.impacted], language, today),
    ]
    value: dict[str, Any] = {"kind": "rush", "due": rush.due_date.isoformat()}
    if rush.order_id:
        value["order_id"] = rush.order_id
    else:
        value.update(item_id=rush.item_id, qty=rush.qty, customer=rush.customer)
    parts.append(Buttons("rush_actions", (Button(t(language, "card.request_rush"), Action.REQUEST, value,
                                                 style="danger"),)))
    return Card(summary, tuple(parts))


def impacted_part(impacted: list[dict[str, Any]], language: str, today: date | None) -> Paragraph | Bullets:
    """The orders that would slip, one line each (from a rush document or a request's stored impact)."""
    title = t(language, "card.impacted")
    if not impacted:
        return Paragraph(rich(t(language, "card.no_impact")), title=title)
    lines = []
    for i in impacted:
        old = day(i["promised_date"], language, today=today)
        customer = i.get("customer") or "?"
        if i.get("projected_date") is None:
            lines.append(rich(t(language, "card.slip_never", order=i["order_id"], customer=customer, old=old)))
        else:
            lines.append(rich(t(language, "card.slip", order=i["order_id"], customer=customer, old=old,
                                new=day(i["projected_date"], language, today=today),
                                days=i.get("days_late") if i.get("days_late") is not None else "?")))
    return Bullets(tuple(lines), SHOWN_IMPACTED, t(language, "card.more", n="{n}"), title=title)


def change_card(change: ChangeDocument, *, text: str) -> Card:
    """The order as it is, what would change, and a button that sends the request to production."""
    language = change.language
    order = change.order
    value: dict[str, Any] = {"kind": change.intent, "order_id": order["order_id"]}
    if change.intent == "change":
        value.update(qty=change.requested.get("qty"), due=change.requested.get("due_date"))
    label = t(language, "card.request_cancel" if change.intent == "cancel" else "card.request_change")
    return Card(text, (Paragraph(rich(text)), Buttons("change_actions", (Button(label, Action.REQUEST, value),))))


# -- change requests in the production channel ------------------------------------------------


def request_card(request: RequestDocument, language: str, *, origin: dict[str, str] | None = None) -> Card:
    """A pending request with its impact analysis and Approve / Reject.

    `origin` (channel and thread of the conversation that asked) rides in the button value,
    so the decision can be posted back there; the chat platform signs it with the click.
    """
    parts = _request_body(request, language)
    if request.status != "pending":
        return Card(request_text(request, language), (*parts, Note(_status(request, language))))
    value = {"request_id": request.request_id, **({"origin": origin} if origin else {})}
    parts.append(Note(rich(t(language, "card.status_pending"))))
    parts.append(Buttons(f"decide_{request.request_id}", (
        Button(t(language, "card.approve"), Action.APPROVE, value, style="primary",
               confirm=Confirm(title=t(language, "card.approve_confirm_title", request_id=request.request_id),
                               text=t(language, "card.approve_confirm_text"),
                               confirm=t(language, "card.approve"), deny=t(language, "card.cancel"))),
        Button(t(language, "card.reject"), Action.REJECT, value, style="danger"),
    )))
    return Card(request_text(request, language), tuple(parts))


def decided_card(request: RequestDocument, language: str) -> Card:
    """The request after a decision: no buttons, who decided, and what the service said."""
    return Card(request_text(request, language), (*_request_body(request, language),
                                                  Paragraph(rich(request.explanation or "")),
                                                  Note(_status(request, language))))


def request_text(request: RequestDocument, language: str) -> str:
    """The request in one line (the notification text)."""
    kind = t(language, f"card.kind_{request.kind}")
    title = t(language, "card.request_title", kind=kind, request_id=request.request_id)
    return f"{title}: {request.explanation or ''}"


def _request_body(request: RequestDocument, language: str) -> list[Any]:
    kind = t(language, f"card.kind_{request.kind}")
    impact = request.impact or {}
    payload = request.payload or {}
    today = date.fromisoformat(payload["as_of"]) if payload.get("as_of") else None
    subject = request.order_id or t(language, "card.new_order", qty=qty(payload.get("qty")),
                                    item=payload.get("item_id", "?"))
    parts: list[Any] = [
        Header(t(language, "card.request_title", kind=kind, request_id=request.request_id) + f" · {subject}"),
        Note(_with_mention(t(language, "card.asked_by", user="{user}"), request.requested_by)),
    ]
    explanation = impact.get("explanation") or (request.explanation if request.status == "pending" else None)
    if explanation:
        parts.append(Paragraph(rich(explanation)))
    if "impacted" in impact and request.kind != "cancel":
        parts.append(impacted_part(impact["impacted"], language, today))
    return parts


def _status(request: RequestDocument, language: str) -> Rich:
    when = f" · {moment(request.decided_at, language)}" if request.decided_at else ""
    if request.status == "approved":
        return (Mark.OK, " ", *_with_mention(t(language, "card.status_approved", user="{user}"), request.decided_by),
                when)
    if request.status == "rejected":
        return (Mark.STOPPED, " ", *_with_mention(t(language, "card.status_rejected", user="{user}"),
                                                  request.decided_by), when)
    return rich(t(language, "card.status_pending"))


def _with_mention(template: str, user_id: str | None) -> Rich:
    """A sentence with a `{user}` slot, the user mentioned there."""
    before, _, after = template.partition("{user}")
    return tuple(p for p in (before, Mention(user_id or "?"), after) if p != "")


def mention_sentence(template: str, user_id: str) -> Rich:
    return _with_mention(template, user_id)
