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
from planbridge.chat.ports import Place
from planbridge.errors import BadRequest
from planbridge.metrics import timed_quote
from planbridge.presentation.answer_cards import ask_card, quote_card, rush_card
from planbridge.presentation.cards import Card, text_card
from planbridge.presentation.catalogue import t
from planbridge.presentation.digest import digest_card, kpi_card
from planbridge.presentation.documents import quote_document, rush_document
from planbridge.presentation.jobs import subscription_line
from planbridge.presentation.quality import event_sentence, overview_text
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.jobs import SubmitJob, submit_job
from planbridge.services.quality import (
    CloseQualityEvent,
    LogQualityEvent,
    QualityQuery,
    close_event,
    log_event,
    quality_overview,
)
from planbridge.services.quoting import QuoteCommand, RushCommand, quote, rush_impact
from planbridge.services.subscriptions import Subscribe, list_subscriptions, subscribe, unsubscribe
from planning_core.model import Role, User

SUBCOMMANDS = ("quote", "rush", "kpi", "digest", "help", "schedule", "mrp", "forecast", "quality")
JOB_SUBCOMMANDS = ("schedule", "mrp", "forecast")
DIGEST_ACTIONS = ("subscribe", "list", "unsubscribe")


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


def help_text(language: str, command: str | None = None) -> str:
    """The help, naming the command as this workspace calls it (`/plan`, `/交期`, …)."""
    text = t(language, "slash.help")
    return text.replace("/planbridge", command) if command and command != "/planbridge" else text


def command_card(chat: Chat, request: SlashRequest, *, user_id: str | None, language: str, thread_id: str,
                 channel: str | None = None) -> Card | None:
    """The answer to a command, as a card for the whole channel (None: it was posted already,
    e.g. "working on it" for long work, whose result follows in that message's thread)."""
    if request.subcommand in JOB_SUBCOMMANDS:
        return start_job(chat, request.subcommand, user_id=user_id, language=language, channel=channel)
    if request.subcommand == "digest" and request.args and request.args[0].lower() in DIGEST_ACTIONS:
        return digest_subscription_card(chat, request, user_id=user_id, language=language, channel=channel)
    if request.subcommand == "quality":
        return quality_card(chat, request, user_id=user_id, language=language)
    if request.subcommand in ("kpi", "digest"):
        digest = build_digest(DigestCommand(language=language), chat.services)
        return digest_card(digest) if request.subcommand == "digest" else kpi_card(digest)
    try:
        if request.subcommand == "quote":
            command = _quote_command(request, user_id, language)
            answer = timed_quote("slack", lambda: quote(command, chat.services), exact_of=lambda a: a.exact)
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


def start_job(chat: Chat, kind: str, *, user_id: str | None, language: str, channel: str | None) -> Card | None:
    """Say "working on it" in the channel and hand the job to the workers; the result goes in its thread."""
    kind_words = t(language, f"job.kind_{kind}")
    if chat.jobs is None or channel is None:
        return text_card(t(language, "job.failed", kind=kind_words, job_id="-", error="no background workers here"))
    working = chat.channel.post(Place(channel), text_card(t(language, "job.working", kind=kind_words)))
    job = submit_job(SubmitJob(kind=kind, user_id=user_id, reply_channel=channel,
                               reply_thread=working.message_id if working else None), chat.services)
    chat.jobs.run_job(job.job_id)
    return None


def digest_subscription_card(chat: Chat, request: SlashRequest, *, user_id: str | None, language: str,
                             channel: str | None) -> Card:
    """`digest subscribe HH:MM [--tz Z] [--lang L] [--weekly D] [--sections S]`, `digest list`, `digest unsubscribe ID`
    for the channel the command was typed in."""
    if channel is None:
        raise BadRequest("digest subscriptions need a channel")
    action, rest = request.args[0].lower(), request.args[1:]
    if action == "list":
        found = list_subscriptions(chat.services, channel=channel)
        lines = [subscription_line(s, language) for s in found] or [t(language, "digest.no_subscriptions")]
        return text_card("\n".join([t(language, "digest.subscriptions_title") + ":", *lines]))
    if action == "unsubscribe":
        if len(rest) != 1 or not rest[0].isdigit():
            raise BadRequest("unsubscribe needs the subscription's number (see `/planbridge digest list`)")
        removed = unsubscribe(chat.services, int(rest[0]), channel=channel)
        return text_card(t(language, "digest.unsubscribed", id=removed.subscription_id, channel=channel))
    if len(rest) != 1:
        return text_card(t(language, "digest.subscribe_usage"))
    user = chat.user(user_id)
    sections, owner = _audience(user, request.options.get("sections"))
    added = subscribe(Subscribe(channel=channel, at=rest[0], timezone=request.options.get("tz"),
                                language=request.options.get("lang") or language,
                                weekly=request.options.get("weekly"), sections=sections, owner=owner,
                                source="slack", user_id=user_id), chat.services)
    return text_card(subscription_line(added, language))


def quality_card(chat: Chat, request: SlashRequest, *, user_id: str | None, language: str) -> Card:
    """`quality log KIND [--item I] [--qty Q] [--customer C] [--order SO] [--note N]`, `quality close ID`, or
    `quality [--customer C] [--item I]` (what is open): the user who typed it is the one checked and audited."""
    action = request.args[0].lower() if request.args else "list"
    options = request.options
    if action == "log":
        if len(request.args) != 2:
            raise BadRequest("quality log needs the kind: complaint, return or ncr")
        answer = log_event(LogQualityEvent(kind=request.args[1], user_id=user_id, item=options.get("item"),
                                           qty=options.get("qty") or 0, customer=options.get("customer"),
                                           order_id=options.get("order"), note=options.get("note"), language=language),
                           chat.services)
        return text_card(event_sentence(answer))
    if action == "close":
        if len(request.args) != 2:
            raise BadRequest("quality close needs the event's id (e.g. QE-1001)")
        return text_card(event_sentence(close_event(CloseQualityEvent(request.args[1], user_id, language), chat.services)))
    overview = quality_overview(QualityQuery(customer=options.get("customer"), item=options.get("item"),
                                             user_id=user_id, language=language), chat.services)
    return text_card(overview_text(overview))


def _audience(user: User | None, sections: str | None) -> tuple[list[str], str | None]:
    """Sections asked for, else by the subscriber's role; a sales rep's sales section lists their orders."""
    if user is None:
        return ([sections] if sections else []), None
    chosen = [sections] if sections else {Role.SALES: ["sales"], Role.PRODUCTION: ["production"]}.get(user.role, [])
    owner = user.user_id if user.role is Role.SALES and (not sections or "sales" in sections) else None
    return chosen, owner


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
