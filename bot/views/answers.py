"""Block Kit for the bot's answers to free text (`ask`) and to `/planbridge quote|rush`.

Inputs are the services' JSON documents (CONTRACT section 2 shapes), so the same views
render an answer from the language service, the slash command or the REST API.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.views.blocks import (
    Block,
    actions,
    bullets,
    button,
    capped,
    confirm_dialog,
    context,
    escape,
    fields,
    section,
)
from bot.views.words import words
from planbridge.services import wording

SHOWN_PARTIALS = 8
SHOWN_CONSTRAINTS = 5
SHOWN_IMPACTED = 10
_STATUS_EMOJI = {"ok": ":white_check_mark:", "warning": ":warning:", "problem": ":x:"}

# action ids (the listeners in bot/actions.py match on them)
BOOK = "planbridge_book"
REQUEST = "planbridge_request"


def reply_blocks(ask: dict[str, Any]) -> list[Block]:
    """An `AskAnswer.to_json()` document as blocks: rich for quotes, rushes and changes, else its text."""
    answer = ask.get("answer") or {}
    language = ask.get("language") or wording.EN
    intent = ask.get("intent")
    if ask.get("needs") or ask.get("error") or not answer:
        return [section(escape(ask["reply"]))] if ask.get("reply") else []
    if intent == "quote" and "promise_date" in answer:
        return quote_blocks(answer, language, text=ask["reply"])
    if intent == "rush" and "impacted" in answer:
        return rush_blocks(answer, language, text=ask["reply"])
    if intent in ("change", "cancel") and "order" in answer:
        return change_blocks(answer, intent, language, text=ask["reply"])
    return [section(escape(ask["reply"]))]


def quote_blocks(quote: dict[str, Any], language: str, *, text: str | None = None) -> list[Block]:
    """Promise date, partial deliveries, binding constraints, order review, and Book it / Request rush."""
    today = date.fromisoformat(quote["as_of"])
    blocks: list[Block] = [section(escape(text or quote.get("explanation", "")))]
    blocks.append(fields([
        (words(language, "promise"), _promise(quote, language, today)),
        (words(language, "quantity"), f"{wording.qty(quote['qty'])} × {escape(quote.get('item_name') or quote['item_id'])}"),
        (words(language, "requested"), wording.day(quote.get("due_date"), language, today=today)
         if quote.get("due_date") else words(language, "no_due")),
        (words(language, "customer"), escape(quote.get("customer") or "—")),
    ]))
    partial = quote.get("partial") or []
    if len(partial) > 1:
        lines = [words(language, "partial_item", qty=wording.qty(p["qty"]), day=wording.day(p["date"], language, today=today))
                 for p in partial]
        shown = ", ".join(lines[:SHOWN_PARTIALS])
        if len(lines) > SHOWN_PARTIALS:
            shown += " " + words(language, "more", n=len(lines) - SHOWN_PARTIALS)
        blocks.append(section(f"*{words(language, 'partial')}*\n{shown}"))
    constraints = [escape(c["detail"]) for c in quote.get("constraints") or [] if c.get("detail")]
    if constraints:
        blocks.append(section(f"*{words(language, 'constraints')}*\n"
                              + bullets(constraints, limit=SHOWN_CONSTRAINTS, more=words(language, "more", n="{n}"))))
    review = quote.get("review") or {}
    if review:
        blocks.append(context(f"*{words(language, 'review')}*: " + " · ".join(
            f"{_STATUS_EMOJI.get(check['status'], '')} {words(language, name)}" for name, check in review.items()
            if name in ("technical", "material", "capacity", "date"))))
    blocks.extend(_quote_actions(quote, language))
    return capped(blocks)


def _promise(quote: dict[str, Any], language: str, today: date) -> str:
    if quote.get("promise_date") is None:
        return f":x: {words(language, 'never')}"
    day = wording.day(quote["promise_date"], language, today=today)
    feasible = quote.get("feasible_by_due")
    if feasible is None:
        return f"*{day}*"
    mark = f":white_check_mark: {words(language, 'on_time')}" if feasible else f":warning: {words(language, 'late')}"
    return f"*{day}* ({mark})"


def _quote_actions(quote: dict[str, Any], language: str) -> list[Block]:
    if quote.get("promise_date") is None:
        return []
    elements: list[Block] = []
    notes: list[Block] = []
    item = quote.get("item_name") or quote["item_id"]
    if quote.get("customer"):
        value = {"item_id": quote["item_id"], "qty": quote["qty"], "due": quote.get("due_date"),
                 "customer": quote["customer"]}
        elements.append(button(
            words(language, "book"), action_id=BOOK, value=value, style="primary",
            confirm=confirm_dialog(
                title=words(language, "book_confirm_title"),
                text=words(language, "book_confirm_text", qty=wording.qty(quote["qty"]), item=escape(item),
                           customer=escape(quote["customer"])),
                confirm=words(language, "yes_book"), deny=words(language, "cancel")),
        ))
    else:
        notes.append(context(words(language, "name_customer")))
    if quote.get("due_date") and quote.get("feasible_by_due") is False:
        elements.append(button(words(language, "request_rush"), action_id=REQUEST, value={
            "kind": "rush", "item_id": quote["item_id"], "qty": quote["qty"], "due": quote["due_date"],
            "customer": quote.get("customer")}))
    return ([actions("quote_actions", *elements)] if elements else []) + notes


def rush_blocks(rush: dict[str, Any], language: str, *, text: str | None = None) -> list[Block]:
    """Achievable date, the orders that would slip, and a Request rush button (approval comes later)."""
    today = date.fromisoformat(rush["as_of"])
    what = rush.get("order_id") or words(language, "new_order", qty=wording.qty(rush["qty"]), item=rush["item_id"])
    blocks: list[Block] = [section(escape(text or rush.get("explanation", "")))]
    ready = (f":x: {words(language, 'never')}" if rush.get("promise_date") is None
             else wording.day(rush["promise_date"], language, today=today))
    blocks.append(fields([
        (words(language, "rush_title", what=escape(what)), f"{wording.qty(rush['qty'])} × {escape(rush['item_id'])}"),
        (words(language, "needed"), wording.day(rush["due_date"], language, today=today)),
        (words(language, "ready"), ready),
        (words(language, "customer"), escape(rush.get("customer") or "—")),
    ]))
    blocks.append(section(f"*{words(language, 'impacted')}*\n" + impacted_text(rush.get("impacted") or [], language, today)))
    value: dict[str, Any] = {"kind": "rush", "due": rush["due_date"]}
    if rush.get("order_id"):
        value["order_id"] = rush["order_id"]
    else:
        value.update(item_id=rush["item_id"], qty=rush["qty"], customer=rush.get("customer"))
    blocks.append(actions("rush_actions", button(words(language, "request_rush"), action_id=REQUEST, value=value,
                                                 style="danger")))
    return capped(blocks)


def impacted_text(impacted: list[dict[str, Any]], language: str, today: date | None) -> str:
    if not impacted:
        return words(language, "no_impact")
    lines = []
    for i in impacted:
        old = wording.day(i["promised_date"], language, today=today)
        customer = escape(i.get("customer") or "?")
        if i.get("projected_date") is None:
            lines.append(words(language, "slip_never", order=escape(i["order_id"]), customer=customer, old=old))
        else:
            lines.append(words(language, "slip", order=escape(i["order_id"]), customer=customer, old=old,
                               new=wording.day(i["projected_date"], language, today=today),
                               days=i.get("days_late") if i.get("days_late") is not None else "?"))
    return bullets(lines, limit=SHOWN_IMPACTED, more=words(language, "more", n="{n}"))


def change_blocks(answer: dict[str, Any], intent: str, language: str, *, text: str) -> list[Block]:
    """The order as it is, what would change, and a button that sends the request to production."""
    order = answer["order"]
    requested = answer.get("requested") or {}
    value: dict[str, Any] = {"kind": intent, "order_id": order["order_id"]}
    if intent == "change":
        value.update(qty=requested.get("qty"), due=requested.get("due_date"))
    label = words(language, "request_cancel" if intent == "cancel" else "request_change")
    return [section(escape(text)), actions("change_actions", button(label, action_id=REQUEST, value=value))]


def decided_actions_note(blocks: list[Block], note: str) -> list[Block]:
    """The same message with its buttons replaced by a one-line note (after a click)."""
    return [b for b in blocks if b.get("type") != "actions"] + [context(note)]
