"""Free text → structured request (CONTRACT §2 parse), with rules and optionally a language model.

`parse_text` has no side effects. Answering a question in words is the chat layer's
(`planbridge.chat.conversation.ask`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from planbridge.errors import BadRequest, NotFound
from planbridge.language.conversation import reply_language
from planbridge.language.evaluation import EvalCase, EvalReport, evaluate, load_cases
from planbridge.language.frame import ParsedRequest, Source
from planbridge.language.rules import lexicon_for, parse_rules
from planbridge.language.rules.parser import WINDOW_INTENTS
from planbridge.services.context import ServiceContext, SystemClock
from planbridge.services.ports import Clock, LanguageModel, LanguageModels, LanguageModelUnavailable, PlantSource
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot

HYBRID_MIN_CONFIDENCE = 0.6  # below this the rules ask the model (nl_mode=hybrid)
MODES = ("rules", "llm", "hybrid")
MAX_TEXT = 2000


@dataclass(frozen=True)
class ParseCommand:
    text: str
    as_of: date | None = None
    mode: str | None = None  # rules | llm | hybrid; default: settings.nl_mode
    min_confidence: float = HYBRID_MIN_CONFIDENCE


# ---------------------------------------------------------------- parse


def parse_text(cmd: ParseCommand, ctx: ServiceContext, *, model: LanguageModel | None = None) -> ParsedRequest:
    """Free text → intent and slots. Works without a loaded plant (then no items are recognised)."""
    text = checked_text(cmd.text)
    snapshot = _snapshot_or_none(ctx)
    as_of = _as_of(ctx, cmd.as_of, snapshot)
    return understand(text, snapshot=snapshot, as_of=as_of, settings=ctx.settings, model=model,
                      models=ctx.language_model, mode=cmd.mode, min_confidence=cmd.min_confidence)


def understand(
    text: str,
    *,
    snapshot: PlantSnapshot | None,
    as_of: date,
    settings: Settings,
    model: LanguageModel | None = None,
    models: LanguageModels | None = None,
    mode: str | None = None,
    min_confidence: float = HYBRID_MIN_CONFIDENCE,
) -> ParsedRequest:
    """Rules first; the model when asked to (`llm`) or when the rules are unsure (`hybrid`).

    `model` is a given chat model; otherwise `models` (the context's port) gives the configured one.
    """
    mode = mode or settings.nl_mode
    # A `nl_min_confidence` setting, when the settings grow one, overrides the default threshold.
    min_confidence = float(getattr(settings, "nl_min_confidence", None) or min_confidence)
    if mode not in MODES:
        raise BadRequest(f"unknown language mode {mode!r}: use rules, llm or hybrid")
    lexicon = lexicon_for(snapshot)
    ruled = parse_rules(text, lexicon=lexicon, as_of=as_of)
    if mode == "rules" or (mode == "hybrid" and ruled.confidence >= min_confidence):
        return ruled
    chat, problem = _model(model, models)
    if chat is None:
        if problem is None and mode == "hybrid":
            return ruled  # no model configured: the rules are the parser
        return replace(ruled, source=Source.RULES_FALLBACK, note=f"llm unavailable: {problem or 'no model configured'}")
    from planbridge.language.llm import LlmFailure, parse_with_model  # LangChain loads only when a model is used

    try:
        parsed = parse_with_model(text, model=chat, lexicon=lexicon, snapshot=snapshot, as_of=as_of,
                                  timeout_seconds=settings.llm_timeout_seconds)
        # The model reads the intent and slots; the language and the window come from the rules.
        return replace(parsed, language=ruled.language, has_language=ruled.has_language,
                       window=ruled.window if parsed.intent in WINDOW_INTENTS else None)
    except LlmFailure as failure:
        return replace(ruled, source=Source.RULES_FALLBACK, note=f"llm failed: {failure.reason}")


def _model(given: LanguageModel | None, models: LanguageModels | None) -> tuple[LanguageModel | None, str | None]:
    if given is not None:
        return given, None
    if models is None:
        return None, None
    try:
        return models(), None
    except LanguageModelUnavailable as exc:
        return None, str(exc)


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class EvaluateNl:
    path: Path
    as_of: date | None = None  # for cases without their own as_of
    mode: str = "rules"


def evaluate_nl(
    cmd: EvaluateNl, ctx: ServiceContext | None, *, source: PlantSource, models: LanguageModels | None = None,
    clock: Clock | None = None, model: LanguageModel | None = None,
) -> EvalReport:
    """Score the parser on an evaluation file. Cases name a plant folder next to the file (read through
    `source`), or use the loaded plant."""
    cases = load_cases(cmd.path)
    folders: dict[str, PlantSnapshot] = {}
    settings = ctx.settings if ctx else Settings()
    clock = ctx.clock if ctx else (clock or SystemClock(fixed_today=settings.as_of))
    models = ctx.language_model if ctx else models

    def parse_case(case: EvalCase) -> ParsedRequest:
        snapshot = _case_plant(case, cmd.path.parent, folders, source) if case.plant else _loaded_plant(ctx)
        as_of = case.as_of or cmd.as_of or clock.today(snapshot.plant.timezone)
        return understand(case.text, snapshot=snapshot, as_of=as_of, settings=settings, model=model, models=models,
                          mode=cmd.mode)

    def answer_language(request: ParsedRequest, user_language: str | None, text: str) -> str:
        return reply_language(request, user_language=user_language, thread_language=None, text=text)

    return evaluate(cases, parse_case, reply_language=answer_language)


def _case_plant(case: EvalCase, base: Path, cache: dict[str, PlantSnapshot], source: PlantSource) -> PlantSnapshot:
    name = case.plant or ""
    if name not in cache:
        reading = source.read(str(base / name))
        if reading.snapshot is None:
            raise BadRequest(f"evaluation plant {base / name}: {len(reading.errors)} problems, cannot be read")
        cache[name] = reading.snapshot
    return cache[name]


def _loaded_plant(ctx: ServiceContext | None) -> PlantSnapshot:
    if ctx is None:
        raise NotFound("evaluation cases without a plant need a loaded plant")
    return ctx.snapshot()


# ---------------------------------------------------------------- helpers


def checked_text(text: str) -> str:
    if not text or not text.strip():
        raise BadRequest("nothing to parse: the text is empty")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"the text is too long ({len(text)} characters, at most {MAX_TEXT})")
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
