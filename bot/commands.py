"""The `/planbridge` slash command: quote, rush, kpi, digest, help — or any question in plain words.

`/planbridge quote ITEM QTY [--due YYYY-MM-DD] [--customer C]` and `/planbridge rush
(ORDER_ID | --item I --qty Q [--customer C]) --due YYYY-MM-DD` follow the command line;
anything that does not fit that form (e.g. `/planbridge quote 500 gate valves for ACME by
Friday`) goes to the language service like a chat message.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.context import Bot, plain_text, thread_key
from bot.failures import guarded
from bot.views.answers import quote_blocks, reply_blocks, rush_blocks
from bot.views.blocks import Block, section
from bot.views.digest import digest_blocks, digest_text, kpi_blocks
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.language import AskCommand, ask
from planbridge.services.quoting import QuoteCommand, RushCommand, quote, rush_impact

COMMAND = "/planbridge"
SUBCOMMANDS = ("quote", "rush", "kpi", "digest", "help")

HELP = {
    "en": ("*/planbridge* — planning answers in seconds\n"
           "• `/planbridge quote ITEM QTY [--due YYYY-MM-DD] [--customer C]`\n"
           "• `/planbridge rush ORDER_ID --due YYYY-MM-DD` or `rush --item I --qty Q --due D`\n"
           "• `/planbridge kpi` — on-time delivery, backlog, late orders, shortages, load\n"
           "• `/planbridge digest` — today's digest for the channel\n"
           "• or just ask: `/planbridge when can we ship 500 DN100 gate valves to ACME?`\n"
           "Rushes and changes are requested with a button and approved by a production lead."),
    "zh": ("*/planbridge* — 几秒钟得到计划答复\n"
           "• `/planbridge quote 产品 数量 [--due YYYY-MM-DD] [--customer 客户]`\n"
           "• `/planbridge rush 订单号 --due YYYY-MM-DD` 或 `rush --item 产品 --qty 数量 --due 日期`\n"
           "• `/planbridge kpi` — 准时交付率、未交订单、逾期、缺料、负荷\n"
           "• `/planbridge digest` — 今日摘要\n"
           "• 也可以直接提问：`/planbridge 12月20日之前能交300个球阀吗？`\n"
           "加急和变更通过按钮提交，由生产主管批准。"),
}


class NotStrict(ValueError):
    """The text is not in the command-line form; it goes to the language service instead."""


@dataclass(frozen=True)
class SlashRequest:
    subcommand: str  # quote | rush | kpi | digest | help | ask
    text: str  # the whole text, for `ask`
    args: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def parse(text: str) -> SlashRequest:
    """Split `/planbridge` text into a subcommand, positional arguments and `--options`."""
    cleaned = plain_text(text)
    try:
        words = shlex.split(cleaned)
    except ValueError:
        words = cleaned.split()
    if not words:
        return SlashRequest("help", cleaned)
    head = words[0].lower()
    if head not in SUBCOMMANDS:
        return SlashRequest("ask", cleaned)
    args: list[str] = []
    options: dict[str, str] = {}
    rest = iter(words[1:])
    for word in rest:
        if word.startswith("--") and "=" in word:
            name, value = word[2:].split("=", 1)
            options[name] = value
        elif word.startswith("--"):
            options[word[2:]] = next(rest, "")
        else:
            args.append(word)
    return SlashRequest(head, cleaned, args, options)


def register(app: App, bot: Bot) -> None:
    def run_command(body: dict[str, Any], client: WebClient) -> None:
        answer_command(bot, body, client)

    app.command(COMMAND)(ack=_ack_command(bot), lazy=[guarded(bot, run_command)])


def _ack_command(bot: Bot) -> Callable[[Ack, dict[str, Any]], None]:
    def ack_command(ack: Ack, body: dict[str, Any]) -> None:
        request = parse(body.get("text") or "")
        if request.subcommand == "help":  # nothing slow: answer within the ack
            ack(text=HELP.get(bot.language_of(body.get("user_id")), HELP["en"]), response_type="ephemeral")
        else:
            ack()

    return ack_command


def answer_command(bot: Bot, body: dict[str, Any], client: WebClient) -> None:
    request = parse(body.get("text") or "")
    if request.subcommand == "help":
        return
    user = bot.user(body.get("user_id"))
    language = user.language.value if user else "en"
    text, blocks = _answer(bot, request, body, user_id=user.user_id if user else None, language=language)
    WebhookClient(body["response_url"]).send(text=text, blocks=blocks, response_type="in_channel")


def _answer(bot: Bot, request: SlashRequest, body: dict[str, Any], *, user_id: str | None,
            language: str) -> tuple[str, list[Block]]:
    if request.subcommand in ("kpi", "digest"):
        digest = build_digest(DigestCommand(language=language), bot.services)
        return digest_text(digest), digest_blocks(digest) if request.subcommand == "digest" else kpi_blocks(digest)
    try:
        if request.subcommand == "quote":
            answer = quote(_quote_command(request, user_id, language), bot.services)
            return answer.explanation, quote_blocks(answer.to_json(), answer.language)
        if request.subcommand == "rush":
            rush = rush_impact(_rush_command(request, user_id, language), bot.services)
            return rush.explanation, rush_blocks(rush.to_json(), rush.language)
    except NotStrict:
        pass
    thread = thread_key(body.get("channel_id") or "dm", f"slash-{body.get('user_id')}")
    result = ask(AskCommand(text=request.text, user_id=user_id, thread_id=thread), bot.services).to_json()
    return result["reply"], reply_blocks(result) or [section(result["reply"])]


def _quote_command(request: SlashRequest, user_id: str | None, language: str) -> QuoteCommand:
    # ITEM QTY exactly (quote an item name with spaces); anything else reads better as a question
    if len(request.args) != 2 or not _is_number(request.args[1]) or set(request.options) - {"due", "customer"}:
        raise NotStrict
    return QuoteCommand(item=request.args[0], qty=float(request.args[1].replace(",", "")),
                        due=_strict_date(request.options.get("due")), customer=request.options.get("customer"),
                        user_id=user_id, language=language)


def _rush_command(request: SlashRequest, user_id: str | None, language: str) -> RushCommand:
    due = _strict_date(request.options.get("due"))
    if due is None or set(request.options) - {"due", "item", "qty", "customer"}:
        raise NotStrict
    if len(request.args) == 1 and not {"item", "qty"} & set(request.options):
        return RushCommand(due=due, order_id=request.args[0], user_id=user_id, language=language)
    if request.args or not _is_number(request.options.get("qty", "")) or not request.options.get("item"):
        raise NotStrict
    return RushCommand(due=due, item=request.options["item"], qty=float(request.options["qty"].replace(",", "")),
                       customer=request.options.get("customer"), user_id=user_id, language=language)


def _strict_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NotStrict from None


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
