"""The language-model path: planning operations as typed tools, the model picks one.

The model never runs anything. Its tool call is only a structured reading of the message:
the call is checked against an allow-list of read-only and request tools, its arguments
are validated by the tool's pydantic schema and then against the plant (`validate.py`),
and the result is an ordinary `ParsedRequest` that the service layer answers exactly as it
answers the rule parser's. There is no tool that approves, books or changes data, and a
call of any tool outside the list — "approve_request", a forged "update_order" — is
refused: the caller falls back to the rules and says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planbridge.language.frame import Intent, ParsedRequest, Source
from planbridge.language.rules.lexicon import Lexicon
from planbridge.language.rules.text import detect_language, normalize
from planbridge.language.validate import ModelFrame, resolve_frame
from planbridge.services.ports import LanguageModel
from planning_core.model import PlantSnapshot

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
MAX_ITEMS_IN_PROMPT = 80
MAX_CUSTOMERS_IN_PROMPT = 40
EXAMPLES_AS_OF = date(2027, 1, 4)


class LlmFailure(Exception):
    """The model could not be used for this message; `reason` is short and goes into `note`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- the tools (typed, allow-listed)

MetricName = Literal["otd", "otif", "backlog", "late_orders", "utilization", "forecast_accuracy", "shortages"]


class _Args(BaseModel):
    model_config = ConfigDict(extra="ignore")


class QuoteArgs(_Args):
    """When can a quantity of an item be delivered (a new demand), optionally by a due date, for a customer."""

    item: str = Field(description="item id, name or alias as the user wrote it")
    qty: float | None = Field(None, description="how many")
    due_date: str | None = Field(None, description="wanted delivery date, YYYY-MM-DD")
    customer: str | None = None


class AvailableArgs(_Args):
    """How many of an item can be ready by a date (available to promise)."""

    item: str = Field(description="item id, name or alias as the user wrote it")
    due_date: str | None = Field(None, description="the date they must be ready by, YYYY-MM-DD")
    customer: str | None = None


class LateOrdersArgs(_Args):
    """Which orders are late, will be late or are at risk, optionally for a customer or an item."""

    customer: str | None = None
    item: str | None = None


class RushArgs(_Args):
    """Impact of expediting an existing order (order_id) or an urgent new demand (item, qty): read-only analysis."""

    order_id: str | None = None
    item: str | None = None
    qty: float | None = None
    due_date: str | None = Field(None, description="the date the order is wanted, YYYY-MM-DD")
    customer: str | None = None


class ChangeArgs(_Args):
    """A request to change the quantity or the date of an existing order (a production lead decides)."""

    order_id: str
    qty: float | None = Field(None, description="the new quantity")
    due_date: str | None = Field(None, description="the new date, YYYY-MM-DD")
    customer: str | None = None


class CancelArgs(_Args):
    """A request to cancel an existing order (a production lead decides)."""

    order_id: str
    customer: str | None = None


class OrderStatusArgs(_Args):
    """Where an order stands, or the open orders of a customer or an item."""

    order_id: str | None = None
    customer: str | None = None
    item: str | None = None
    due_date: str | None = None


class StockArgs(_Args):
    """Stock on hand of an item (and whether a quantity is there)."""

    item: str
    qty: float | None = None


class CapacityArgs(_Args):
    """How loaded or free a resource (machine, line) is, up to a date."""

    resource: str | None = None
    due_date: str | None = Field(None, description="until when, YYYY-MM-DD")
    metric: Literal["utilization"] | None = None


class ShortagesArgs(_Args):
    """Material shortages, for an item or an order or in general."""

    item: str | None = None
    order_id: str | None = None
    due_date: str | None = None


class KpiArgs(_Args):
    """A delivery or capacity KPI."""

    metric: MetricName | None = None
    customer: str | None = None
    item: str | None = None


class QualityArgs(_Args):
    """Open complaints, returns and NCRs and held stock, for a customer or an item or in general."""

    customer: str | None = None
    item: str | None = None


class NoArgs(_Args):
    """No arguments."""


@dataclass(frozen=True)
class Tool:
    name: str
    intent: Intent
    schema: type[_Args]
    description: str


TOOLS: tuple[Tool, ...] = (
    Tool("quote", Intent.QUOTE, QuoteArgs, "Capable-to-promise quote for a new demand."),
    Tool("available", Intent.AVAILABLE, AvailableArgs, "The largest quantity that can be ready by a date."),
    Tool("late_orders", Intent.LATE_ORDERS, LateOrdersArgs, "Orders that are or will be late, or at risk."),
    Tool("rush_impact", Intent.RUSH, RushArgs, "Read-only impact analysis of a rush / expedite."),
    Tool("request_change", Intent.CHANGE, ChangeArgs, "Ask for a change of an order (needs approval)."),
    Tool("request_cancel", Intent.CANCEL, CancelArgs, "Ask for a cancellation (needs approval)."),
    Tool("order_status", Intent.ORDER_STATUS, OrderStatusArgs, "Status of an order or of a customer's orders."),
    Tool("stock", Intent.STOCK, StockArgs, "Stock on hand of an item."),
    Tool("capacity", Intent.CAPACITY, CapacityArgs, "Load of a resource."),
    Tool("shortages", Intent.SHORTAGES, ShortagesArgs, "Material shortages."),
    Tool("kpi", Intent.KPI, KpiArgs, "Delivery and capacity KPIs."),
    Tool("digest", Intent.DIGEST, NoArgs, "The daily digest."),
    Tool("quality", Intent.QUALITY, QualityArgs, "Open quality issues: complaints, returns, NCRs, held stock."),
    Tool("help", Intent.HELP, NoArgs, "What the assistant can do."),
    Tool("not_understood", Intent.UNKNOWN, NoArgs, "The message is not a planning question."),
)
ALLOWED_TOOLS: Mapping[str, Tool] = {tool.name: tool for tool in TOOLS}


@lru_cache(maxsize=1)
def tool_specs() -> list[dict[str, Any]]:
    """OpenAI-style function specs of the allow-listed tools (what `bind_tools` receives)."""
    specs = []
    for tool in TOOLS:
        spec = convert_to_openai_tool(tool.schema)
        spec["function"]["name"] = tool.name
        spec["function"]["description"] = tool.description + " " + (tool.schema.__doc__ or "").strip()
        specs.append(spec)
    return specs


# ---------------------------------------------------------------- prompts


@dataclass(frozen=True)
class Prompts:
    system: str
    examples: tuple[dict[str, Any], ...]


@lru_cache(maxsize=4)
def load_prompts(folder: Path = PROMPTS_DIR) -> Prompts:
    """The system prompt and few-shot examples from `prompts/` (kept as files so they can be reviewed)."""
    try:
        system = (folder / "system.md").read_text(encoding="utf-8")
        lines = (folder / "examples.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LlmFailure(f"prompts not found in {folder}: {exc.strerror or exc}") from None
    examples = tuple(json.loads(line) for line in lines if line.strip())
    return Prompts(system, examples)


def system_prompt(prompts: Prompts, *, snapshot: PlantSnapshot | None, as_of: date) -> str:
    return prompts.system.format(
        as_of=as_of.isoformat(),
        weekday=as_of.strftime("%A"),
        plant_name=snapshot.plant.name if snapshot else "(no plant loaded)",
        items=_items_text(snapshot),
        resources=_resources_text(snapshot),
        customers=", ".join(sorted({o.customer for o in snapshot.sales_orders})[:MAX_CUSTOMERS_IN_PROMPT]) if snapshot else "",
        order_ids=", ".join(o.order_id for o in (snapshot.sales_orders[-3:] if snapshot else ())),
        example_as_of=f"{EXAMPLES_AS_OF.isoformat()} ({EXAMPLES_AS_OF.strftime('%A')})",
        examples="\n".join(
            f"User: {e['text']}\nCall: {e['tool']}({json.dumps(e['args'], ensure_ascii=False)})" for e in prompts.examples
        ),
    )


def _items_text(snapshot: PlantSnapshot | None) -> str:
    if snapshot is None:
        return ""
    ordered = sorted(snapshot.items.values(), key=lambda i: (bool(snapshot.parents_of.get(i.item_id)), i.item_id))
    return "; ".join(
        f"{i.item_id}: {i.name}" + (f" ({', '.join(i.aliases)})" if i.aliases else "") for i in ordered[:MAX_ITEMS_IN_PROMPT]
    )


def _resources_text(snapshot: PlantSnapshot | None) -> str:
    if snapshot is None:
        return ""
    return "; ".join(
        f"{r.resource_id}: {r.name}" + (f" ({', '.join(r.aliases)})" if r.aliases else "") for r in snapshot.resources.values()
    )


# ---------------------------------------------------------------- asking the model

_EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="planbridge-llm")


def parse_with_model(
    text: str,
    *,
    model: LanguageModel,
    lexicon: Lexicon,
    snapshot: PlantSnapshot | None,
    as_of: date,
    timeout_seconds: float,
) -> ParsedRequest:
    """Ask the model for one allow-listed tool call and validate it; raise `LlmFailure` otherwise."""
    prompts = load_prompts()
    messages = [
        SystemMessage(content=system_prompt(prompts, snapshot=snapshot, as_of=as_of)),
        HumanMessage(content=text),
    ]
    reply = _invoke(model, messages, timeout_seconds)
    name, arguments = _single_call(reply)
    tool = ALLOWED_TOOLS.get(name)
    if tool is None:
        raise LlmFailure(f"refused tool call {name!r} (not an allowed tool)")
    try:
        args = tool.schema.model_validate(arguments)
    except ValidationError as exc:
        raise LlmFailure(f"invalid arguments for {name}: {exc.errors()[0].get('msg', 'invalid')}") from None
    frame = ModelFrame(intent=tool.intent, **{k: v for k, v in args.model_dump().items() if k in ModelFrame.FIELDS})
    slots, unmatched = resolve_frame(frame, lexicon=lexicon, snapshot=snapshot, as_of=as_of)
    return ParsedRequest(
        intent=tool.intent,
        slots=slots,
        source=Source.LLM,
        confidence=0.8,
        language=detect_language(normalize(text)),
        unmatched=unmatched,
        asks_approval=bool(re.search(r"approv|批准|审批", text, re.IGNORECASE)),
    )


def _invoke(model: LanguageModel, messages: Sequence[Any], timeout_seconds: float) -> AIMessage:
    try:
        bound: Any = model.bind_tools(tool_specs())
    except NotImplementedError:
        bound = model  # a model without tool binding may still answer with a JSON call
    future: Future[Any] = _EXECUTOR.submit(bound.invoke, list(messages))
    try:
        reply = future.result(timeout=timeout_seconds)
    except FutureTimeout:
        future.cancel()
        raise LlmFailure(f"timeout after {timeout_seconds:g} s") from None
    except Exception as exc:  # any provider error (HTTP, auth, parsing) means: use the rules
        if "timeout" in type(exc).__name__.lower():  # the client's own time-out won the race against ours
            raise LlmFailure(f"timeout after {timeout_seconds:g} s") from None
        raise LlmFailure(f"model error: {type(exc).__name__}: {str(exc)[:120]}") from None
    if not isinstance(reply, AIMessage):
        raise LlmFailure(f"unexpected reply type {type(reply).__name__}")
    return reply


def _single_call(reply: AIMessage) -> tuple[str, dict[str, Any]]:
    """The one tool call of a reply; several calls are refused if any is outside the allow-list."""
    calls = list(reply.tool_calls or [])
    if reply.invalid_tool_calls and not calls:
        raise LlmFailure("the model's tool call could not be read")
    if not calls:
        return _call_from_text(reply.content if isinstance(reply.content, str) else "")
    forbidden = [c["name"] for c in calls if c["name"] not in ALLOWED_TOOLS]
    if forbidden:
        raise LlmFailure(f"refused tool call {forbidden[0]!r} (not an allowed tool)")
    return calls[0]["name"], dict(calls[0].get("args") or {})


def _call_from_text(content: str) -> tuple[str, dict[str, Any]]:
    """Small local models sometimes write the call as JSON text: {"tool": ..., "args": {...}}."""
    match = re.search(r"\{.*\}", content, re.DOTALL)
    if not match:
        raise LlmFailure("the model answered without a tool call")
    try:
        data = json.loads(match.group(0))
    except ValueError:
        raise LlmFailure("the model answered without a tool call") from None
    name = data.get("tool") or data.get("name") if isinstance(data, dict) else None
    args = data.get("args") or data.get("arguments") or {} if isinstance(data, dict) else {}
    if not isinstance(name, str) or not isinstance(args, dict):
        raise LlmFailure("the model answered without a tool call")
    return name, args
