"""A question in chat: free text → parse → planning call → the reply the bot posts (CONTRACT §2 ask).

`ask` reads the plant, calls the read-only planning services, and writes one thing only:
the conversation state of its thread. Nothing here approves, books or changes an order —
whatever the text or a language model says; the reply tells the user how a change gets
approved instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from planbridge.errors import PlanbridgeError
from planbridge.language.conversation import ThreadState, continue_thread, next_state, reply_language
from planbridge.language.frame import Intent, Metric, ParsedRequest
from planbridge.presentation import replies
from planbridge.presentation.documents import (
    AskDocument,
    ParseDocument,
    available_document,
    digest_figures,
    quote_document,
    rush_document,
)
from planbridge.services.context import ServiceContext
from planbridge.services.language import checked_text, understand
from planbridge.services.lookup import find_user
from planbridge.services.ports import LanguageModel
from planning_core.model import PlantSnapshot

if TYPE_CHECKING:
    from planbridge.services.quoting import QuoteCommand


@dataclass(frozen=True)
class AskCommand:
    text: str
    user_id: str | None = None
    thread_id: str | None = None  # follow-ups in the same thread reuse earlier slots
    as_of: date | None = None
    mode: str | None = None
    exact: bool = True  # False: a quote gets its first answer only (chat posts it, then the exact one)


@dataclass(frozen=True)
class AskAnswer:
    request: ParsedRequest
    reply: replies.Reply
    thread_id: str | None


def ask(cmd: AskCommand, ctx: ServiceContext, *, model: LanguageModel | None = None) -> AskAnswer:
    """Parse, complete from the thread, answer with the planning services, remember the thread.

    `model` is a given chat model; otherwise the context's language model is asked when needed.
    """
    text = checked_text(cmd.text)
    snapshot = ctx.snapshot()
    user = find_user(snapshot, cmd.user_id) if cmd.user_id else None
    as_of = ctx.as_of(cmd.as_of, snapshot)
    state = _load_state(ctx, cmd.thread_id)
    ruled = understand(text, snapshot=snapshot, as_of=as_of, settings=ctx.settings, mode="rules")
    request = continue_thread(ruled, state)
    if not request.context_used:
        # A message that stands on its own may go to the model; a follow-up is completed from the thread.
        request = understand(text, snapshot=snapshot, as_of=as_of, settings=ctx.settings, model=model,
                             models=ctx.language_model, mode=cmd.mode)
    language = reply_language(request, user_language=user.language.value if user else None,
                                      thread_language=state.language if state else None, text=text)
    reply = answer(request, ctx=ctx, snapshot=snapshot, as_of=as_of, language=language,
                   user_id=user.user_id if user else None, exact=cmd.exact)
    if cmd.thread_id:
        _save_state(ctx, cmd.thread_id, user_id=cmd.user_id,
                    state=next_state(replace(request, language=language), previous=state, awaiting=reply.needs))
    return AskAnswer(request, reply, cmd.thread_id)


def ask_document(answer: AskAnswer) -> AskDocument:
    """`planbridge ask --json` and `/api/ask`."""
    reply = answer.reply
    return AskDocument(
        reply=reply.text, language=reply.language, intent=answer.request.intent.value,
        parse=ParseDocument.model_validate(answer.request.to_json()), needs=reply.needs,
        suggestions=list(reply.suggestions), answer=reply.answer.to_dict() if reply.answer is not None else None,
        error=reply.error, thread_id=answer.thread_id,
    )


def answer(
    request: ParsedRequest, *, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
    user_id: str | None, exact: bool = True,
) -> replies.Reply:
    """The reply to a parsed request: a clarifying question, or the answer of a read-only service."""
    missing = replies.missing_slot(request)
    if missing:
        reply = replies.clarify(request, missing, snapshot, language)
    else:
        handler = partial(_quote, exact=exact) if request.intent is Intent.QUOTE else _HANDLERS.get(request.intent)
        try:
            reply = handler(request, ctx, snapshot, as_of, language, user_id) if handler else _fixed(
                request, snapshot, language)
        except PlanbridgeError as exc:
            reply = replies.Reply(replies.could_not(exc.message, language), language, error=exc.message)
    if request.asks_approval:
        reply = replace(reply, text="\n".join(t for t in (replies.approval_refusal(language), reply.text) if t))
    return reply


Handler = Callable[[ParsedRequest, ServiceContext, PlantSnapshot, date, str, str | None], replies.Reply]


def _quote(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
           user_id: str | None, *, exact: bool = True) -> replies.Reply:
    from planbridge.services import quoting

    document = quote_document(quoting.quote(quote_command(request, as_of=as_of, user_id=user_id, language=language,
                                                          exact=exact), ctx))
    return replies.Reply(document.explanation, language, answer=document)


def quote_command(request: ParsedRequest, *, as_of: date, user_id: str | None, language: str,
                  exact: bool) -> QuoteCommand:
    """The quote a parsed question asks for."""
    from planbridge.services.quoting import QuoteCommand

    s = request.slots
    assert s.item_id is not None and s.qty is not None
    return QuoteCommand(item=s.item_id, qty=s.qty, due=s.due_date, customer=s.customer, as_of=as_of, user_id=user_id,
                        language=language, exact=exact)


def _rush(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
          user_id: str | None) -> replies.Reply:
    from planbridge.services import quoting

    s = request.slots
    assert s.due_date is not None
    result = quoting.rush_impact(quoting.RushCommand(
        due=s.due_date, order_id=s.order_id, item=None if s.order_id else s.item_id,
        qty=None if s.order_id else s.qty, customer=s.customer, as_of=as_of, user_id=user_id, language=language,
    ), ctx)
    document = rush_document(result)
    return replies.Reply(document.explanation + "\n" + replies.analysis_only(language), language, answer=document)


def _change(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
            user_id: str | None) -> replies.Reply:
    return replies.change_request(request, snapshot, language, as_of=as_of)


def _order_status(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
                  user_id: str | None) -> replies.Reply:
    from planbridge.services.lateness import order_states

    order = snapshot.orders_by_id.get(request.slots.order_id or "")
    states = order_states(ctx, as_of=as_of) if order is not None and order.is_open else None
    return replies.order_status(request, snapshot, language, as_of=as_of, states=states)


def _available(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
               user_id: str | None) -> replies.Reply:
    from planbridge.services import availability

    s = request.slots
    assert s.item_id is not None and s.due_date is not None
    result = availability.available_by(availability.AvailableCommand(
        item=s.item_id, by=s.due_date, customer=s.customer, as_of=as_of, user_id=user_id, language=language), ctx)
    document = available_document(result)
    return replies.Reply(document.explanation, language, answer=document)


def _late_orders(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
                 user_id: str | None) -> replies.Reply:
    from planbridge.services.lateness import LateOrdersCommand, late_orders

    s, window = request.slots, request.window
    found = late_orders(LateOrdersCommand(customer=s.customer, item=s.item_id, first=window.first if window else None,
                                          last=window.last if window else None, as_of=as_of), ctx)
    return replies.late_orders(found, snapshot, language)


def _stock(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
           user_id: str | None) -> replies.Reply:
    return replies.stock(request, snapshot, language, as_of=as_of)


def _kpi(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
         user_id: str | None) -> replies.Reply:
    from planbridge.services import material

    if request.intent is Intent.KPI and request.slots.metric is Metric.LATE_ORDERS and request.window is not None:
        return _late_orders(request, ctx, snapshot, as_of, language, user_id)  # "how many will be late next week?"
    window = request.window
    report = material.kpis(material.KpiCommand(as_of=as_of, first=window.first if window else None,
                                               last=window.last if window else None), ctx).report
    if request.intent is Intent.CAPACITY:
        return replies.capacity(request, report, snapshot, language)
    return replies.kpi(request, report, snapshot, language)


def _shortages(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
               user_id: str | None) -> replies.Reply:
    from planbridge.services import material

    plan = material.material_plan(material.MrpCommand(as_of=as_of), ctx).result
    return replies.shortages(request, plan.shortages, snapshot, language, as_of=as_of)


def _digest(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
            user_id: str | None) -> replies.Reply:
    from planbridge.services.digest import DigestCommand, build_digest

    figures = digest_figures(build_digest(DigestCommand(as_of=as_of, language=language), ctx))
    return replies.Reply(replies.digest_summary(figures, language), language, answer=figures)


def _quality(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
             user_id: str | None) -> replies.Reply:
    from planbridge.presentation.quality import overview_text
    from planbridge.services.quality import QualityQuery, quality_overview

    overview = quality_overview(QualityQuery(customer=request.slots.customer, item=request.slots.item_id, as_of=as_of,
                                             user_id=user_id, language=language), ctx)
    return replies.Reply(overview_text(overview), language)


def _fixed(request: ParsedRequest, snapshot: PlantSnapshot, language: str) -> replies.Reply:
    if request.intent is Intent.HELP:
        return replies.Reply(replies.help_text(snapshot, language), language)
    if request.intent is Intent.UNKNOWN:
        if request.asks_approval:
            return replies.Reply("", language)
        return replies.Reply(replies.not_understood(snapshot, language), language)
    return replies.Reply(replies.not_available(request.intent, language), language)


_HANDLERS: dict[Intent, Handler] = {
    Intent.QUOTE: _quote,
    Intent.RUSH: _rush,
    Intent.CHANGE: _change,
    Intent.CANCEL: _change,
    Intent.ORDER_STATUS: _order_status,
    Intent.AVAILABLE: _available,
    Intent.LATE_ORDERS: _late_orders,
    Intent.STOCK: _stock,
    Intent.CAPACITY: _kpi,
    Intent.KPI: _kpi,
    Intent.SHORTAGES: _shortages,
    Intent.DIGEST: _digest,
    Intent.QUALITY: _quality,
}


# ---------------------------------------------------------------- conversation state


def thread_is_known(ctx: ServiceContext, thread_id: str) -> bool:
    """The bot has answered in this thread before (it keeps a conversation state there)."""
    with ctx.uow_factory() as uow:
        return uow.conversations.get(thread_id) is not None


def _load_state(ctx: ServiceContext, thread_id: str | None) -> ThreadState | None:
    if not thread_id:
        return None
    with ctx.uow_factory() as uow:
        stored = uow.conversations.get(thread_id)
    return ThreadState.from_json(stored) if stored else None


def _save_state(ctx: ServiceContext, thread_id: str, *, user_id: str | None, state: ThreadState) -> None:
    with ctx.uow_factory() as uow:
        uow.conversations.save(thread_id, user_id=user_id, state=state.to_json(), at=ctx.clock.now())
        uow.commit()

