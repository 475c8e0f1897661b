"""The slash command: quote, rush, kpi, digest, help — or any question in plain words.

`quote ITEM QTY [--due YYYY-MM-DD] [--customer C]` and `rush (ORDER_ID | --item I --qty Q
[--customer C]) --due YYYY-MM-DD` follow the command line; anything that does not fit that
form (e.g. `quote 500 gate valves for ACME by Friday`) goes to the language service like a
chat message.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date

from planbridge.chat.conversation import AskCommand, ask
from planbridge.chat.handlers import Chat
from planbridge.presentation.answer_cards import ask_card, quote_card, rush_card
from planbridge.presentation.cards import Card
from planbridge.presentation.catalogue import t
from planbridge.presentation.digest import digest_card, kpi_card
from planbridge.presentation.documents import quote_document, rush_document
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.quoting import QuoteCommand, RushCommand, quote, rush_impact

SUBCOMMANDS = ("quote", "rush", "kpi", "digest", "help")


class NotStrict(ValueError):
    """The text is not in the command-line form; it goes to the language service instead."""


@dataclass(frozen=True)
class SlashRequest:
    subcommand: str  # quote | rush | kpi | digest | help | ask
    text: str  # the whole text, for `ask`
    args: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def parse(text: str) -> SlashRequest:
    """Split the command's text (already plain) into a subcommand, positional arguments and `--options`."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if not words:
        return SlashRequest("help", text)
    head = words[0].lower()
    if head not in SUBCOMMANDS:
        return SlashRequest("ask", text)
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
    return SlashRequest(head, text, args, options)


def help_text(language: str) -> str:
    return t(language, "slash.help")


def command_card(chat: Chat, request: SlashRequest, *, user_id: str | None, language: str, thread_id: str) -> Card:
    """The answer to a command, as a card for the whole channel."""
    if request.subcommand in ("kpi", "digest"):
        digest = build_digest(DigestCommand(language=language), chat.services)
        return digest_card(digest) if request.subcommand == "digest" else kpi_card(digest)
    try:
        if request.subcommand == "quote":
            answer = quote(_quote_command(request, user_id, language), chat.services)
            document = quote_document(answer)
            return quote_card(document, answer.language, text=document.explanation)
        if request.subcommand == "rush":
            rush = rush_document(rush_impact(_rush_command(request, user_id, language), chat.services))
            return rush_card(rush, rush.language, text=rush.explanation)
    except NotStrict:
        pass
    result = ask(AskCommand(text=request.text, user_id=user_id, thread_id=thread_id), chat.services)
    reply = result.reply
    return ask_card(reply.text, reply.answer, needs=reply.needs, error=reply.error)


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
