"""What happens when someone writes to the bot or clicks one of its buttons, on any chat platform.

Who acts is always the person the platform says acted (`Interaction.user_id`, signed by the
platform), never a name from a message. The services check roles: a sales rep's Approve
changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from planbridge import logs
from planbridge.chat.conversation import AskAnswer, AskCommand, ask, ask_document, quote_command
from planbridge.chat.once import handle_once
from planbridge.chat.ports import ChatChannel, Interaction, JobQueue, Place, Posted
from planbridge.errors import Conflict, NotFound, PermissionDenied, PlanbridgeError
from planbridge.presentation.answer_cards import (
    ask_card,
    decided_card,
    mention_sentence,
    plan_card,
    quote_card,
    repromise_card,
    request_card,
    request_text,
)
from planbridge.presentation.cards import Card, Paragraph, rich
from planbridge.presentation.catalogue import t
from planbridge.presentation.digest import digest_card
from planbridge.presentation.documents import (
    DigestFigures,
    QuoteDocument,
    RequestDocument,
    quote_document,
    request_answer_document,
)
from planbridge.presentation.formats import day, moment, qty
from planbridge.presentation.home import home_card
from planbridge.records import RequestKind
from planbridge.services.context import ServiceContext
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.home import HomeCommand, home
from planbridge.services.orders import BookOrder, book_order
from planbridge.services.quoting import QuoteCommand, quote
from planbridge.services.requests import CreateRequest, Decide, create_request, decide_request
from planning_core.model import User

log = logging.getLogger("planbridge.chat")


@dataclass(frozen=True)
class Chat:
    """The services and channels every handler shares (one per chat platform)."""

    services: ServiceContext
    channel: ChatChannel
    production_channel: str | None = None
    channel_language: str = "en"  # the production and digest channels' language
    platform: str = "Slack"  # how users know the platform (their id there is their users.csv user_id)
    jobs: JobQueue | None = None  # long work (schedule, MRP, forecast) runs there; None: in the request

    def user(self, user_id: str | None) -> User | None:
        """The plant user with this chat id (users.csv `user_id`), or None for strangers."""
        if not user_id:
            return None
        return self.services.snapshot().users.get(user_id)

    def language_of(self, user_id: str | None) -> str:
        try:
            user = self.user(user_id)
        except Exception:  # no plant loaded yet: English, the error itself is reported elsewhere
            return "en"
        return user.language.value if user else "en"


def friendly_line(error: BaseException, language: str, reference: str = "") -> str:
    """What a person is told when their message or click failed: a planning error's own one-line
    message (theirs to act on), otherwise an apology with the `reference` the log line carries."""
    if isinstance(error, PlanbridgeError):
        return t(language, "card.failed", reason=error.message)
    return t(language, "card.oops", ref=reference or reference_id())


def reference_id() -> str:
    """A short id for one failure: the apology shows it and the log line carries it, so support can
    find the traceback from what the user reports."""
    return logs.new_id()[:8]


def text_message(text: str) -> Card:
    """A message that is only text (no card around it)."""
    return Card(text, (Paragraph(rich(text)),), text_only=True)


# -- messages --------------------------------------------------------------------------------


def answer_message(chat: Chat, *, text: str, user_id: str | None, place: Place, thread_id: str) -> None:
    """Ask the language service and post its reply in `place` (the digest as its own card).

    A quote is posted with its first answer at once (safe to give, from the committed plan);
    the exact answer follows and, when it is earlier, the card is updated in place."""
    known = chat.user(user_id)
    result = ask(AskCommand(text=text, user_id=known.user_id if known else None, thread_id=thread_id, exact=False),
                 chat.services)
    document = ask_document(result)
    if isinstance(result.reply.answer, DigestFigures) and not document.needs:
        digest = build_digest(DigestCommand(language=document.language), chat.services)
        chat.channel.post(place, digest_card(digest))
        return
    posted = chat.channel.post(place, ask_card(document.reply, result.reply.answer, needs=document.needs,
                                               error=document.error))
    first = result.reply.answer
    if isinstance(first, QuoteDocument) and not first.exact and posted is not None:
        _make_exact(chat, result, first, posted, user_id=known.user_id if known else None)


def _make_exact(chat: Chat, asked: AskAnswer, first: QuoteDocument, posted: Posted, *, user_id: str | None) -> None:
    """The exact answer to a quote posted with its first one: the card updated when it differs."""
    command = quote_command(asked.request, as_of=first.as_of, user_id=user_id, language=first.language, exact=True)
    exact = quote_document(quote(command, chat.services))
    if exact.promise_date != first.promise_date:
        chat.channel.update(posted, ask_card(exact.explanation, exact))


# -- Book it ---------------------------------------------------------------------------------


def _acting_user(chat: Chat, click: Interaction, action: str) -> User | None:
    """The plant user who clicked; a stranger is told privately how to get in, and gets None."""
    user = chat.user(click.user_id)
    if user is None:
        click.tell(t("en", "card.unknown_user", action=t("en", f"card.action_{action}"), platform=chat.platform))
    return user


def _once(chat: Chat, click: Interaction, user: User, work: Callable[[], str]) -> None:
    """Do a click's work once per message, button and person; a repeat (a double click, a resent
    request) is told what the first one did, or that it is still at it."""
    earlier = handle_once(chat.services, click.key, lambda: {"summary": work()})
    if earlier is None:
        return
    language = user.language.value
    if not earlier.finished:
        click.tell(t(language, "card.still_working"))
        return
    summary = earlier.outcome.get("summary") or t(language, "card.failed", reason=earlier.outcome.get("refused", ""))
    click.tell(t(language, "card.already_done", summary=summary))


def book_clicked(chat: Chat, click: Interaction) -> None:
    user = _acting_user(chat, click, "book")
    if user is not None:
        _once(chat, click, user, lambda: _book(chat, click, user))


def _book(chat: Chat, click: Interaction, user: User) -> str:
    language = user.language.value
    value = click.value
    booking = book_order(BookOrder(item=str(value["item_id"]), qty=float(value["qty"]), customer=str(value["customer"]),
                                   due=_date(value.get("due")), user_id=user.user_id, language=language,
                                   quoted=_date(value.get("quoted"))), chat.services)
    quote = booking.answer.quote
    booked = t(language, "card.booked", order_id=booking.order_id, qty=qty(quote.qty), item=booking.answer.item_name,
               customer=booking.answer.customer or "", day=day(quote.promise_date, language, today=quote.as_of))
    click.reply(text_message(booked))
    click.close(mention_sentence(t(language, "card.booked_by", order_id=booking.order_id, user="{user}"), user.user_id))
    return booked


# -- Request rush / change / cancellation ----------------------------------------------------


def request_clicked(chat: Chat, click: Interaction) -> None:
    user = _acting_user(chat, click, "request")
    if user is not None:
        _once(chat, click, user, lambda: _request(chat, click, user))


def _request(chat: Chat, click: Interaction, user: User) -> str:
    language = user.language.value
    v = click.value
    answer = create_request(CreateRequest(
        kind=RequestKind(str(v["kind"])), user_id=user.user_id, order_id=v.get("order_id"), due=_date(v.get("due")),
        qty=float(v["qty"]) if v.get("qty") is not None else None, item=v.get("item_id"), customer=v.get("customer"),
        note="requested in chat",
    ), chat.services)
    document = request_answer_document(answer)
    request_id = document.request_id
    if chat.production_channel:
        origin = {"channel": click.thread.channel, "ts": click.thread.thread or ""} if click.thread else None
        chat.channel.post(Place(chat.production_channel), request_card(document, chat.channel_language, origin=origin))
        sent = t(language, "card.request_sent", request_id=request_id)
    else:
        sent = t(language, "card.request_sent_no_channel", request_id=request_id)
    click.reply(text_message(sent))
    click.close(mention_sentence(t(language, "card.request_made_by", request_id=request_id, user="{user}"),
                                 user.user_id))
    return sent


# -- Approve / Reject ------------------------------------------------------------------------


def decision_clicked(chat: Chat, click: Interaction, *, approve: bool) -> None:
    """Decide as the clicking user; a refusal is told to that user only and changes nothing."""
    user = _acting_user(chat, click, "decide")
    if user is not None:
        _once(chat, click, user, lambda: _decide(chat, click, user, approve=approve))


def _decide(chat: Chat, click: Interaction, user: User, *, approve: bool) -> str:
    language = user.language.value
    request_id = str(click.value["request_id"])
    try:
        answer = decide_request(Decide(request_id=request_id, user_id=user.user_id, approve=approve), chat.services)
    except (PermissionDenied, Conflict, NotFound) as refusal:
        refused = t(language, "card.refused", reason=refusal.message)
        click.tell(refused)
        return refused
    document = request_answer_document(answer)
    click.update(decided_card(document, chat.channel_language))
    status = t(language, "card.approved_word" if approve else "card.rejected_word")
    decided = t(language, "card.decided_note", request_id=request_id, status=status, user=user.name)
    origin = click.value.get("origin")
    if isinstance(origin, dict) and origin.get("channel") and origin.get("ts"):
        _tell_requester(chat, document, answer.requester_explanation or document.explanation,
                        Place(str(origin["channel"]), str(origin["ts"])), user, approve=approve)
    _tell_impacted_owners(chat, document)
    return decided


def _tell_requester(chat: Chat, document: RequestDocument, explanation: str, thread: Place, decider: User, *,
                    approve: bool) -> None:
    """In the requester's thread: who decided, when, and what the service said (in the requester's language)."""
    language = chat.language_of(document.requested_by)
    status = t(language, "card.approved_word" if approve else "card.rejected_word")
    note = mention_sentence(t(language, "card.decided_at", request_id=document.request_id, status=status,
                              user="{user}", when=moment(document.decided_at, language)), decider.user_id)
    sentence = (*note, "\n", explanation)
    told = document.model_copy(update={"explanation": explanation})
    chat.channel.post(thread, Card(request_text(told, language), (Paragraph(sentence),), text_only=True))


def _tell_impacted_owners(chat: Chat, document: RequestDocument) -> None:
    """Each owner of an order the approved change made late gets a direct message in their language,
    with a button to quote it again. One owner the platform cannot reach does not stop the others
    (the decision stands, and the orders are flagged to re-promise in the data either way)."""
    for order in document.to_repromise:
        owner = chat.user(order.owner)
        if owner is None:
            log.info("order %s has no owner on %s to tell", order.order_id, chat.platform)
            continue
        try:
            chat.channel.direct_message(owner.user_id, repromise_card(order, document, owner.language.value))
        except Exception:
            log.exception("could not tell %s that %s needs a new promise", owner.user_id, order.order_id)


# -- Re-promise / Show plan (read only: each click answers again) -----------------------------


def repromise_clicked(chat: Chat, click: Interaction) -> None:
    """A quote for an order an approved change made late, for its owner to promise anew."""
    user = _acting_user(chat, click, "repromise")
    if user is None:
        return
    language = user.language.value
    order = chat.services.snapshot().orders_by_id.get(str(click.value.get("order_id")))
    if order is None or not order.is_open:
        click.tell(t(language, "card.failed", reason=t(language, "card.order_closed",
                                                       order_id=click.value.get("order_id"))))
        return
    answer = quote(QuoteCommand(item=order.item_id, qty=order.qty, due=order.due_date, customer=order.customer,
                                user_id=user.user_id, language=language), chat.services)
    document = quote_document(answer)
    click.reply(quote_card(document, language, order_id=order.order_id))


def show_plan_clicked(chat: Chat, click: Interaction) -> None:
    """The plan behind a quote's promise (quoted again on today's data, as the promise would be)."""
    user = _acting_user(chat, click, "show_plan")
    if user is None:
        return
    language = user.language.value
    value = click.value
    answer = quote(QuoteCommand(item=str(value["item_id"]), qty=float(value["qty"]), due=_date(value.get("due")),
                                user_id=user.user_id, language=language), chat.services)
    click.reply(plan_card(quote_document(answer, with_plan=True), language))


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


# -- the app's home ----------------------------------------------------------------------------


def home_opened(chat: Chat, user_id: str | None) -> Card:
    """What `user_id` sees on the app's home: their orders and requests, or what waits for a decision."""
    return home_card(home(HomeCommand(user_id=user_id), chat.services), platform=chat.platform)
