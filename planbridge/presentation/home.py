"""The app's home as a card: words for `services.home.HomeAnswer`, in the reader's language."""

from __future__ import annotations

from planbridge.presentation.cards import Bullets, Card, Divider, Header, Mark, Note, Paragraph, Rich, rich
from planbridge.presentation.catalogue import t
from planbridge.presentation.formats import day, percent, qty
from planbridge.presentation.names import item_name, resource_name
from planbridge.records import StoredRequest
from planbridge.services.home import HomeAnswer
from planbridge.services.lateness import OrderState, Outlook

SHOWN = 20
_OUTLOOK = {Outlook.ON_TRACK: (Mark.OK, "home.on_track"), Outlook.AT_RISK: (Mark.WARNING, "home.at_risk"),
            Outlook.LATE: (Mark.PROBLEM, "home.late"), Outlook.PAST_DUE: (Mark.PROBLEM, "home.late")}


def home_card(answer: HomeAnswer, *, platform: str = "Slack") -> Card:
    language = answer.language
    ask = Note(rich(t(language, "home.ask")))
    if answer.user is None:
        text = t(language, "home.stranger", platform=platform)
        return Card(text, (Paragraph(rich(text)), ask))
    title = t(language, "home.title", name=answer.user.name)
    parts: list[object] = [Header(title), Note(rich(t(language, "home.as_of", day=day(answer.as_of, language))))]
    more = t(language, "card.more", n="{n}")
    if not answer.decides or answer.orders:
        lines = tuple(_order(o, answer) for o in answer.orders)
        parts.append(Bullets(lines, SHOWN, more, title=t(language, "home.my_orders")) if lines
                     else Paragraph(rich(t(language, "home.no_orders")), title=t(language, "home.my_orders")))
        requests = tuple(_my_request(r, answer) for r in answer.my_requests)
        parts.append(Bullets(requests, SHOWN, more, title=t(language, "home.my_requests")) if requests
                     else Paragraph(rich(t(language, "home.no_my_requests")), title=t(language, "home.my_requests")))
    if answer.decides:
        pending = tuple(_pending(r, answer) for r in answer.pending)
        parts.append(Bullets(pending, SHOWN, more, title=t(language, "home.pending")) if pending
                     else Paragraph(rich(t(language, "home.no_pending")), title=t(language, "home.pending")))
        loads = tuple(_load(resource_name(answer.snapshot, r.resource_id, language),
                            r.load_ratio if r.load_ratio is not None else r.utilization, answer)
                      for r in answer.loads)
        title_load = t(language, "home.load", days=answer.load_days)
        parts.append(Bullets(loads, SHOWN, more, title=title_load) if loads
                     else Paragraph(rich(t(language, "home.no_load")), title=title_load))
    parts += [Divider(), ask]
    return Card(title, tuple(parts))  # type: ignore[arg-type]


def _order(order: OrderState, answer: HomeAnswer) -> Rich:
    language = answer.language
    mark, word = _OUTLOOK[order.outlook]
    item = item_name(answer.snapshot, order.item_id, language)
    line = t(language, "home.order_line", order_id=order.order_id, customer=order.customer, qty=qty(order.qty),
             item=item, promised=day(order.promised_date, language, today=answer.as_of),
             projected=day(order.projected_date, language, today=answer.as_of) if order.projected_date
             else t(language, "card.never"))
    return rich(mark, f" {t(language, word)} · {line}")


def _subject(request: StoredRequest, language: str) -> str:
    payload = request.payload or {}
    return request.order_id or t(language, "card.new_order", qty=qty(payload.get("qty")), item=payload.get("item_id", "?"))


def _my_request(request: StoredRequest, answer: HomeAnswer) -> Rich:
    language = answer.language
    return rich(t(language, "home.request_line", request_id=request.request_id,
                  kind=t(language, f"card.kind_{request.kind}"), subject=_subject(request, language),
                  day=day(request.created_at.date(), language, today=answer.as_of)))


def _pending(request: StoredRequest, answer: HomeAnswer) -> Rich:
    language = answer.language
    impact = request.impact or {}
    slips = [t(language, "home.slip", order_id=i["order_id"], days=i.get("days_late") if i.get("days_late") is not None
               else "?") for i in impact.get("impacted") or []]
    ready = impact.get("promise_date")
    return rich(t(language, "home.pending_line", request_id=request.request_id,
                  kind=t(language, f"card.kind_{request.kind}"), subject=_subject(request, language),
                  user=_name(request.requested_by, answer), ready=day(ready, language, today=answer.as_of)
                  if ready else t(language, "card.never"),
                  impact=", ".join(slips) if slips else t(language, "home.no_slip")))


def _name(user_id: str, answer: HomeAnswer) -> str:
    user = answer.snapshot.users.get(user_id)
    return user.name if user else user_id


def _load(resource: str, ratio: float | None, answer: HomeAnswer) -> Rich:
    line = t(answer.language, "home.load_line", resource=resource, percent=percent(ratio))
    return rich(Mark.WARNING, f" {line}") if ratio is not None and ratio > 1.0 else rich(line)
