"""Free text → structured request → planning call → the reply the bot posts (CONTRACT §2 parse/ask).

`parse_text` has no side effects. `ask` reads the plant, calls the read-only planning
services, and writes one thing only: the conversation state of its thread. Nothing here
approves, books or changes an order — whatever the text or a language model says; the
reply tells the user how a change gets approved instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from planbridge.errors import BadRequest, NotFound, PlanbridgeError
from planbridge.language import replies
from planbridge.language.conversation import ThreadState, continue_thread, next_state
from planbridge.language.evaluation import EvalCase, EvalReport, evaluate, load_cases
from planbridge.language.frame import Intent, ParsedRequest, Source
from planbridge.language.rules import lexicon_for, parse_rules
from planbridge.services.context import ServiceContext
from planbridge.services.lookup import find_user
from planbridge.services.ports import LanguageModel
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot

HYBRID_MIN_CONFIDENCE = 0.6  # below this the rules ask the model (nl_mode=hybrid)
MODES = ("rules", "llm", "hybrid")


@dataclass(frozen=True)
class ParseCommand:
    text: str
    as_of: date | None = None
    mode: str | None = None  # rules | llm | hybrid; default: settings.nl_mode
    min_confidence: float = HYBRID_MIN_CONFIDENCE


@dataclass(frozen=True)
class AskCommand:
    text: str
    user_id: str | None = None
    thread_id: str | None = None  # follow-ups in the same thread reuse earlier slots
    as_of: date | None = None
    mode: str | None = None


@dataclass(frozen=True)
class AskAnswer:
    request: ParsedRequest
    reply: replies.Reply
    thread_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "reply": self.reply.text,
            "language": self.reply.language,
            "intent": self.request.intent.value,
            "parse": self.request.to_json(),
            "needs": self.reply.needs,
            "suggestions": list(self.reply.suggestions),
            "answer": self.reply.answer,
            "error": self.reply.error,
            "thread_id": self.thread_id,
        }


# ---------------------------------------------------------------- parse


def parse_text(cmd: ParseCommand, ctx: ServiceContext, *, model: LanguageModel | None = None) -> ParsedRequest:
    """Free text → intent and slots. Works without a loaded plant (then no items are recognised)."""
    text = _checked_text(cmd.text)
    snapshot = _snapshot_or_none(ctx)
    as_of = _as_of(ctx, cmd.as_of, snapshot)
    return understand(text, snapshot=snapshot, as_of=as_of, settings=ctx.settings, model=model,
                      mode=cmd.mode, min_confidence=cmd.min_confidence)


def understand(
    text: str,
    *,
    snapshot: PlantSnapshot | None,
    as_of: date,
    settings: Settings,
    model: LanguageModel | None = None,
    mode: str | None = None,
    min_confidence: float = HYBRID_MIN_CONFIDENCE,
) -> ParsedRequest:
    """Rules first; the model when asked to (`llm`) or when the rules are unsure (`hybrid`)."""
    mode = mode or settings.nl_mode
    # A `nl_min_confidence` setting, when the settings grow one, overrides the default threshold.
    min_confidence = float(getattr(settings, "nl_min_confidence", None) or min_confidence)
    if mode not in MODES:
        raise BadRequest(f"unknown language mode {mode!r}: use rules, llm or hybrid")
    lexicon = lexicon_for(snapshot)
    ruled = parse_rules(text, lexicon=lexicon, as_of=as_of)
    if mode == "rules" or (mode == "hybrid" and ruled.confidence >= min_confidence):
        return ruled
    chat, problem = _model(settings, model)
    if chat is None:
        if problem is None and mode == "hybrid":
            return ruled  # no model configured: the rules are the parser
        return replace(ruled, source=Source.RULES_FALLBACK, note=f"llm unavailable: {problem or 'no model configured'}")
    from planbridge.language.llm import LlmFailure, parse_with_model  # LangChain loads only when a model is used

    try:
        return parse_with_model(text, model=chat, lexicon=lexicon, snapshot=snapshot, as_of=as_of,
                                timeout_seconds=settings.llm_timeout_seconds)
    except LlmFailure as failure:
        return replace(ruled, source=Source.RULES_FALLBACK, note=f"llm failed: {failure.reason}")


def _model(settings: Settings, given: LanguageModel | None) -> tuple[LanguageModel | None, str | None]:
    if given is not None:
        return given, None
    if settings.llm_provider == "none":
        return None, None
    from integrations.llm.providers import ModelSettings, ModelUnavailable

    try:
        return _cached_model(ModelSettings(settings.llm_provider, settings.llm_model, settings.llm_base_url,
                                           settings.llm_api_key, settings.llm_timeout_seconds)), None
    except ModelUnavailable as exc:
        return None, str(exc)


@lru_cache(maxsize=4)
def _cached_model(model_settings: Any) -> LanguageModel | None:
    from integrations.llm.providers import build_chat_model

    chat: LanguageModel | None = build_chat_model(model_settings)
    return chat


# ---------------------------------------------------------------- ask


def ask(cmd: AskCommand, ctx: ServiceContext, *, model: LanguageModel | None = None) -> AskAnswer:
    """Parse, complete from the thread, answer with the planning services, remember the thread."""
    text = _checked_text(cmd.text)
    snapshot = ctx.snapshot()
    user = find_user(snapshot, cmd.user_id) if cmd.user_id else None
    as_of = _as_of(ctx, cmd.as_of, snapshot)
    state = _load_state(ctx, cmd.thread_id)
    ruled = understand(text, snapshot=snapshot, as_of=as_of, settings=ctx.settings, mode="rules")
    request = continue_thread(ruled, state)
    if not request.context_used:
        # A message that stands on its own may go to the model; a follow-up is completed from the thread.
        request = understand(text, snapshot=snapshot, as_of=as_of, settings=ctx.settings, model=model, mode=cmd.mode)
    language = replies.reply_language(request, user_language=user.language.value if user else None,
                                      thread_language=state.language if state else None, text=text)
    reply = answer(request, ctx=ctx, snapshot=snapshot, as_of=as_of, language=language,
                   user_id=user.user_id if user else None)
    if cmd.thread_id:
        _save_state(ctx, cmd.thread_id, user_id=cmd.user_id,
                    state=next_state(replace(request, language=language), previous=state, awaiting=reply.needs))
    return AskAnswer(request, reply, cmd.thread_id)


def answer(
    request: ParsedRequest, *, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
    user_id: str | None,
) -> replies.Reply:
    """The reply to a parsed request: a clarifying question, or the answer of a read-only service."""
    missing = replies.missing_slot(request)
    if missing:
        reply = replies.clarify(request, missing, snapshot, language)
    else:
        handler = _HANDLERS.get(request.intent)
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
           user_id: str | None) -> replies.Reply:
    from planbridge.services import quoting

    s = request.slots
    assert s.item_id is not None and s.qty is not None
    result = quoting.quote(quoting.QuoteCommand(item=s.item_id, qty=s.qty, due=s.due_date, customer=s.customer,
                                                as_of=as_of, user_id=user_id, language=language), ctx)
    return replies.Reply(result.explanation, language, answer=result.to_json())


def _rush(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
          user_id: str | None) -> replies.Reply:
    from planbridge.services import quoting

    s = request.slots
    assert s.due_date is not None
    result = quoting.rush_impact(quoting.RushCommand(
        due=s.due_date, order_id=s.order_id, item=None if s.order_id else s.item_id,
        qty=None if s.order_id else s.qty, customer=s.customer, as_of=as_of, user_id=user_id, language=language,
    ), ctx)
    return replies.Reply(result.explanation + "\n" + replies.analysis_only(language), language, answer=result.to_json())


def _change(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
            user_id: str | None) -> replies.Reply:
    return replies.change_request(request, snapshot, language, as_of=as_of)


def _order_status(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
                  user_id: str | None) -> replies.Reply:
    return replies.order_status(request, snapshot, language, as_of=as_of)


def _stock(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
           user_id: str | None) -> replies.Reply:
    return replies.stock(request, snapshot, language, as_of=as_of)


def _kpi(request: ParsedRequest, ctx: ServiceContext, snapshot: PlantSnapshot, as_of: date, language: str,
         user_id: str | None) -> replies.Reply:
    from planbridge.services import material

    report = material.kpis(material.KpiCommand(as_of=as_of), ctx).report
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

    figures = build_digest(DigestCommand(as_of=as_of, language=language), ctx).figures()
    return replies.Reply(replies.digest_summary(figures, language), language, answer=figures)


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
    Intent.STOCK: _stock,
    Intent.CAPACITY: _kpi,
    Intent.KPI: _kpi,
    Intent.SHORTAGES: _shortages,
    Intent.DIGEST: _digest,
}


# ---------------------------------------------------------------- conversation state


def _load_state(ctx: ServiceContext, thread_id: str | None) -> ThreadState | None:
    if not thread_id:
        return None
    with ctx.uow_factory() as uow:
        stored = uow.conversations.get(thread_id)
    return ThreadState.from_json(stored) if stored else None


def _save_state(ctx: ServiceContext, thread_id: str, *, user_id: str | None, state: ThreadState) -> None:
    with ctx.uow_factory() as uow:
        uow.conversations.save(thread_id, user_id=user_id, state=state.to_json(), at=datetime.now(UTC))
        uow.commit()


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class EvaluateNl:
    path: Path
    as_of: date | None = None  # for cases without their own as_of
    mode: str = "rules"


def evaluate_nl(cmd: EvaluateNl, ctx: ServiceContext | None, *, model: LanguageModel | None = None) -> EvalReport:
    """Score the parser on an evaluation file. Cases name a plant folder next to the file, or use the loaded plant."""
    cases = load_cases(cmd.path)
    folders: dict[str, PlantSnapshot] = {}
    settings = ctx.settings if ctx else Settings()

    def parse_case(case: EvalCase) -> ParsedRequest:
        snapshot = _case_plant(case, cmd.path.parent, folders) if case.plant else _loaded_plant(ctx)
        as_of = case.as_of or cmd.as_of or (ctx.as_of(None, snapshot) if ctx else date.today())
        return understand(case.text, snapshot=snapshot, as_of=as_of, settings=settings, model=model, mode=cmd.mode)

    return evaluate(cases, parse_case)


def _case_plant(case: EvalCase, base: Path, cache: dict[str, PlantSnapshot]) -> PlantSnapshot:
    from integrations.csv_import import read_plant_folder

    name = case.plant or ""
    if name not in cache:
        reading = read_plant_folder(base / name)
        if reading.snapshot is None:
            raise BadRequest(f"evaluation plant {base / name}: {len(reading.errors)} problems, cannot be read")
        cache[name] = reading.snapshot
    return cache[name]


def _loaded_plant(ctx: ServiceContext | None) -> PlantSnapshot:
    if ctx is None:
        raise NotFound("evaluation cases without a plant need a loaded plant")
    return ctx.snapshot()


# ---------------------------------------------------------------- helpers


def _checked_text(text: str) -> str:
    if not text or not text.strip():
        raise BadRequest("nothing to parse: the text is empty")
    if len(text) > 2000:
        raise BadRequest(f"the text is too long ({len(text)} characters, at most 2000)")
    return text


def _snapshot_or_none(ctx: ServiceContext) -> PlantSnapshot | None:
    try:
        return ctx.snapshot()
    except NotFound:
        return None


def _as_of(ctx: ServiceContext, requested: date | None, snapshot: PlantSnapshot | None) -> date:
    if requested:
        return requested
    return ctx.clock.today(snapshot.plant.timezone if snapshot else "UTC")
