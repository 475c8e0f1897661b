"""Capable-to-promise quotes and rush impact (issue #3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from planbridge.cli.common import Cli, Commands, parse_date, stdout
from planbridge.errors import BadRequest

if TYPE_CHECKING:
    from planbridge.presentation import documents
    from planbridge.services import availability, quoting

# The planning engine (numpy, HiGHS) is imported inside the commands, so that
# `planbridge --help` and the other commands start fast.

commands = Commands()

STATUS_STYLE = {"ok": "green", "warning": "yellow", "problem": "red"}


@commands.command("quote", help="Capable-to-promise quote: the earliest date QTY of ITEM can be complete.")
def quote(
    item: Annotated[str, typer.Argument(help="Item id, name or alias.")],
    qty: Annotated[str, typer.Argument(help="Quantity.")],
    due: Annotated[str | None, typer.Option("--due", help="Date the customer wants it (YYYY-MM-DD).")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Customer name.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Chat user id of the person asking.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Answer in en or zh.")] = None,
    plan: Annotated[bool, typer.Option("--plan", help="Also print the plan behind the answer.")] = False,
    book: Annotated[bool, typer.Option("--book", help="Record a confirmed order: at --due when the plant can "
                                                      "hold it, else at the earliest day.")] = False,
    fast: Annotated[bool, typer.Option("--fast", help="The first answer only (from the committed plan, in "
                                                      "milliseconds), not the exact one.")] = False,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation import documents
    from planbridge.services import orders, quoting

    amount, due_day, language = quoting.positive_quantity(qty), parse_date(due, option="--due"), _language(lang)
    if book:
        if not customer:
            raise BadRequest("--book needs --customer")
        services = cli.services()
        booking = orders.book_order(
            orders.BookOrder(item=item, qty=amount, customer=customer, due=due_day, as_of=cli.as_of,
                             user_id=user or services.settings.user_id, language=language),
            services,
        )
        booked = documents.booking_document(booking)
        cli.emit(booked, lambda: _print_booking(booked))
        return
    command = quoting.QuoteCommand(
        item=item, qty=amount, due=due_day, customer=customer, as_of=cli.as_of, user_id=user, language=language,
        exact=not fast,
    )
    answer = quoting.quote(command, cli.services())
    document = documents.quote_document(answer, with_plan=plan)
    cli.emit(document, lambda: _print_quote(answer, document, plan))


@commands.command("rush", help="Impact of treating an order (or a new one) as first priority.")
def rush(
    order_id: Annotated[str | None, typer.Argument(help="Order id (or give --item and --qty).")] = None,
    item: Annotated[str | None, typer.Option("--item", help="Item of a new order.")] = None,
    qty: Annotated[str | None, typer.Option("--qty", help="Quantity of a new order.")] = None,
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Date the rush is needed (YYYY-MM-DD).")] = None,
    user: Annotated[str | None, typer.Option("--user")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Answer in en or zh.")] = None,
    plan: Annotated[bool, typer.Option("--plan", help="Also print the plan behind the answer.")] = False,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation import documents
    from planbridge.services import quoting

    due_day = parse_date(due, option="--due")
    if due_day is None:
        raise BadRequest("--due is required: the date the rush is needed")
    if order_id is None and (item is None or qty is None):
        raise BadRequest("give an ORDER_ID, or --item and --qty for a new order")
    command = quoting.RushCommand(
        due=due_day, order_id=order_id, item=item, qty=quoting.positive_quantity(qty) if qty is not None else None,
        customer=customer, as_of=cli.as_of, user_id=user, language=_language(lang),
    )
    answer = quoting.rush_impact(command, cli.services())
    document = documents.rush_document(answer, with_plan=plan)
    cli.emit(document, lambda: _print_rush(answer, document))


request_commands = Commands(group="request", help="Ask production for a rush, a change or a cancellation.")


@request_commands.command("rush", help="Ask to rush an order (or a new one); holds the impact analysis.")
def request_rush(
    order_id: Annotated[str | None, typer.Argument(help="Order id (or give --item, --qty, --customer).")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Date the rush is needed.")] = None,
    item: Annotated[str | None, typer.Option("--item")] = None,
    qty: Annotated[str | None, typer.Option("--qty")] = None,
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who asks (chat user id).")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    *,
    cli: Cli,
) -> None:
    _create_request("rush", cli, order_id=order_id, due=due, item=item, qty=qty, customer=customer, user=user, note=note)


@request_commands.command("change", help="Ask to change an order's quantity and/or date.")
def request_change(
    order_id: Annotated[str, typer.Argument(help="Order id.")],
    qty: Annotated[str | None, typer.Option("--qty", help="New quantity.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="New date.")] = None,
    user: Annotated[str | None, typer.Option("--user")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    *,
    cli: Cli,
) -> None:
    _create_request("change", cli, order_id=order_id, due=due, qty=qty, user=user, note=note)


@request_commands.command("cancel", help="Ask to cancel an order.")
def request_cancel(
    order_id: Annotated[str, typer.Argument(help="Order id.")],
    user: Annotated[str | None, typer.Option("--user")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    *,
    cli: Cli,
) -> None:
    _create_request("cancel", cli, order_id=order_id, user=user, note=note)


def _create_request(kind: str, cli: Cli, *, order_id: str | None = None, due: str | None = None,
                    item: str | None = None, qty: str | None = None, customer: str | None = None,
                    user: str | None = None, note: str | None = None) -> None:
    from planbridge.presentation import documents
    from planbridge.records import RequestKind
    from planbridge.services import quoting, requests

    if not user:
        raise BadRequest("--user is required: who asks for the change")
    command = requests.CreateRequest(
        kind=RequestKind(kind), user_id=user, order_id=order_id, due=parse_date(due, option="--due"),
        qty=quoting.positive_quantity(qty) if qty is not None else None, item=item, customer=customer, note=note,
        as_of=cli.as_of,
    )
    document = documents.request_answer_document(requests.create_request(command, cli.services()))
    cli.emit(document, lambda: _print_request(document))


@commands.command("approve", help="Approve a pending request (production or admin users only).")
def approve(
    request_id: Annotated[str, typer.Argument(help="Request id, e.g. REQ-3F9A2C.")],
    user: Annotated[str | None, typer.Option("--user", help="Who decides (chat user id).")] = None,
    *,
    cli: Cli,
) -> None:
    _decide(request_id, user, cli, approve=True, reason=None)


@commands.command("reject", help="Reject a pending request (production or admin users only).")
def reject(
    request_id: Annotated[str, typer.Argument(help="Request id.")],
    user: Annotated[str | None, typer.Option("--user")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    *,
    cli: Cli,
) -> None:
    _decide(request_id, user, cli, approve=False, reason=reason)


def _decide(request_id: str, user: str | None, cli: Cli, *, approve: bool, reason: str | None) -> None:
    from planbridge.presentation import documents
    from planbridge.services import requests

    if not user:
        raise BadRequest("--user is required: who decides")
    answer = requests.decide_request(
        requests.Decide(request_id=request_id, user_id=user, approve=approve, reason=reason, as_of=cli.as_of),
        cli.services(),
    )
    document = documents.request_answer_document(answer)
    cli.emit(document, lambda: _print_decision(document))


def _print_decision(document: documents.RequestDocument) -> None:
    _print_request(document)
    if document.to_repromise:
        stdout.print("To re-promise (their owners are told):")
        table = Table("order", "customer", "owner", "promised", "now projected")
        for r in document.to_repromise:
            table.add_row(r.order_id, r.customer, r.owner or "—", str(r.promised_date), str(r.projected_date or "never"))
        stdout.print(table)


@commands.command("requests", help="List change requests (pending first).")
def list_requests(
    status: Annotated[str | None, typer.Option("--status", help="pending, approved or rejected.")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation import documents
    from planbridge.services import requests

    rows = requests.list_requests(cli.services(), status=status)
    document = [documents.request_document(r) for r in rows]

    def render() -> None:
        zone = _plant_zone(cli)
        table = Table("request", "kind", "order", "item", "qty", "date", "impact", "status", "by", "decided by",
                      f"created ({zone})")
        for r in rows:
            p, impacted = r.payload, r.impact.get("impacted") or []
            impact = ", ".join(f"{i['order_id']} → {i.get('projected_date') or 'never'}" for i in impacted) or "none"
            table.add_row(r.request_id, r.kind, r.order_id or "new", str(p.get("item_id") or r.impact.get("item_id") or ""),
                          _qty(p.get("qty", r.impact.get("qty"))), str(p.get("due") or ""), impact, r.status,
                          r.requested_by, r.decided_by or "", _local(r.created_at, zone))
        stdout.print(table)

    cli.emit(document, render)


@commands.command("audit", help="The audit log: every booking, request and decision.")
def audit(
    order: Annotated[str | None, typer.Option("--order", help="Only entries about this order or request.")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation import documents
    from planbridge.services import requests

    entries = requests.audit_log(cli.services(), subject=order, limit=limit)
    document = [documents.audit_document(e) for e in entries]

    def render() -> None:
        zone = _plant_zone(cli)
        table = Table(f"at ({zone})", "user", "action", "subject", "request", "reason", "details")
        for e in entries:
            detail = e.detail or {}
            table.add_row(_local(e.at, zone), e.user_id or "", e.action, e.subject or "",
                          str(detail.get("request_id") or ""), str(detail.get("reason") or ""), _details(detail))
        stdout.print(table)

    cli.emit(document, render)


def _plant_zone(cli: Cli) -> str:
    """The plant's time zone (times are shown as the plant's clock reads them); UTC without a plant."""
    from planbridge.errors import NotFound

    try:
        return cli.services().snapshot().plant.timezone
    except NotFound:
        return "UTC"


def _local(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # stored in UTC
    return aware.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _qty(value: object) -> str:
    from planbridge.presentation.formats import qty

    return "" if value is None else qty(float(str(value)))


def _details(detail: dict[str, Any]) -> str:
    """What an audit entry changed or recorded, short: quantities, dates, impacted orders."""
    parts = []
    for key in ("item_id", "qty", "due", "promise_date", "customer", "order_id"):
        value = detail.get(key) or (detail.get("payload") or {}).get(key)
        if value is not None and key != "order_id":
            parts.append(f"{key}={_qty(value) if key == 'qty' else value}")
    changes = detail.get("changes") or {}
    parts += [f"{key}: {value}" for key, value in sorted(changes.items())] if isinstance(changes, dict) else []
    impacted = (detail.get("impact") or {}).get("impacted") or []
    if impacted:
        parts.append("impacted " + ", ".join(str(i.get("order_id")) for i in impacted))
    return "; ".join(parts)


def _print_request(r: documents.RequestDocument) -> None:
    stdout.print(f"[bold]{r.request_id}[/bold] {r.kind} {r.order_id or '(new order)'}: {r.status}")
    stdout.print(r.explanation, markup=False)


def _print_booking(booked: documents.BookingDocument) -> None:
    stdout.print(f"[bold green]Booked {booked.order_id}[/bold green]: {float(booked.qty):g} {booked.item_name} "
                 f"for {booked.customer}, promised {booked.promise_date}")
    if booked.requested_date is not None and booked.requested_date != booked.promise_date:
        stdout.print(f"  asked for {booked.requested_date}: the plant cannot hold that; earliest {booked.earliest_date}")
    elif booked.earliest_date is not None and booked.earliest_date != booked.promise_date:
        stdout.print(f"  ready from {booked.earliest_date} at the earliest")
    stdout.print(booked.explanation, markup=False)


@commands.command("available", help="The largest quantity of ITEM whose promise is on or before --by.")
def available(
    item: Annotated[str, typer.Argument(help="Item id, name or alias.")],
    by: Annotated[str | None, typer.Option("--by", help="Date it must be ready by (YYYY-MM-DD).")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Customer name.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Chat user id of the person asking.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Answer in en or zh.")] = None,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation import documents
    from planbridge.services import availability

    by_day = parse_date(by, option="--by")
    if by_day is None:
        raise BadRequest("--by is required: the date the quantity must be ready by")
    answer = availability.available_by(availability.AvailableCommand(
        item=item, by=by_day, customer=customer, as_of=cli.as_of, user_id=user, language=_language(lang),
    ), cli.services())
    document = documents.available_document(answer)
    cli.emit(document, lambda: _print_available(answer, document))


def _print_available(answer: availability.AvailableAnswer, document: documents.AvailableDocument) -> None:
    from planbridge.presentation.formats import qty

    a = answer.availability
    amount = "any quantity" if a.unlimited else qty(a.qty)
    stdout.print(f"[bold]{answer.item_name}[/bold] ({a.item_id}) by {a.by}, as of {answer.as_of}: [bold]{amount}[/bold]")
    if a.schedule and not a.unlimited:
        table = Table("ready on", "qty", box=None, pad_edge=False)
        for p in a.schedule:
            table.add_row(str(p.date), qty(p.qty))
        stdout.print(table)
    stdout.print(document.explanation, markup=False)


def _language(lang: str | None) -> str | None:
    from planbridge.languages import LANGUAGES

    if lang is not None and lang not in LANGUAGES:
        raise BadRequest(f"--lang must be en or zh (or zh-Hant), got {lang!r}")
    return lang


def _print_quote(answer: quoting.QuoteAnswer, document: documents.QuoteDocument, with_plan: bool) -> None:
    from planbridge.presentation.documents import plan_document
    from planbridge.presentation.formats import qty

    q = answer.quote
    stdout.print(f"[bold]{qty(q.qty)} × {answer.item_name}[/bold] ({q.item_id})  as of {q.as_of}")
    promise = "[red]cannot be made[/red]" if q.promise_date is None else f"[bold green]{q.promise_date}[/bold green]"
    due = f"  requested {q.due_date}: " + ("[green]on time[/green]" if q.feasible_by_due else "[red]late[/red]") if q.due_date else ""
    stdout.print(f"Promise: {promise}{due}")
    if answer.first_answer_date is not None:
        stdout.print(f"  earlier by resequencing: {q.promise_date} instead of {answer.first_answer_date} (the first answer)")
    elif not answer.exact:
        stdout.print("  first answer: safe to give, possibly later than the exact earliest day (run without --fast)")
    if len(q.partial) > 1:
        shown = ", ".join(f"{qty(p.qty)} on {p.date}" for p in q.partial[:6])
        more = f", … ({len(q.partial) - 6} more dates)" if len(q.partial) > 6 else ""
        stdout.print(f"Partial shipments: {shown}{more}")
    for c in document.constraints:
        stdout.print(f"  • {c.kind}: {c.detail}", markup=False)
    table = Table("check", "status", "reason", box=None, pad_edge=False)
    for name in ("technical", "material", "capacity", "date", "quality"):
        check = getattr(document.review, name)
        if check is None:
            continue
        table.add_row(name, f"[{STATUS_STYLE[check.status]}]{check.status}[/]", check.reason)
    stdout.print(table)
    stdout.print(document.explanation, markup=False)
    if with_plan and q.plan is not None:
        _print_plan(plan_document(q.plan), {i: item.uom for i, item in answer.snapshot.items.items()})


def _print_rush(answer: quoting.RushAnswer, document: documents.RushDocument) -> None:
    from planbridge.presentation.formats import qty

    r = answer.impact
    name = r.order_id or f"new order of {qty(r.qty)} {r.item_id}"
    promise = "[red]cannot be made[/red]" if r.promise_date is None else f"[bold]{r.promise_date}[/bold]"
    stdout.print(f"Rush {name}: ready {promise} (needed {r.due_date})")
    if r.impacted:
        table = Table("order", "customer", "item", "qty", "promised", "projected", "days late")
        for i in r.impacted:
            table.add_row(i.order_id, i.customer, i.item_id, qty(i.qty), str(i.promised_date),
                          str(i.projected_date or "never"), str(i.days_late if i.days_late is not None else "—"))
        stdout.print(table)
    stdout.print(document.explanation, markup=False)


def _print_plan(plan: dict[str, list[dict[str, object]]], uoms: dict[str, str]) -> None:
    from planbridge.presentation.formats import pieces, qty, whole_parts

    operations = plan["operations"]
    shown: dict[int, float] = {}  # whole pieces per line, each run of one item's step adding up
    runs: dict[tuple[str, str, str], list[int]] = {}
    for index, op in enumerate(operations):
        runs.setdefault((str(op["item_id"]), str(op["step"]), str(op["demand"])), []).append(index)
    for (item_id, _, _), lines in runs.items():
        values = whole_parts([float(str(operations[i]["qty"])) for i in lines], uoms.get(item_id, ""))
        shown.update(zip(lines, values, strict=True))
    table = Table("start", "end", "resource", "item", "step", "qty", "busy min", title="Operations")
    for index, op in enumerate(operations):
        table.add_row(str(op["start"])[:16], str(op["end"])[:16], str(op["resource_id"]), str(op["item_id"]),
                      str(op["step"]), qty(shown[index]), f"{float(str(op['busy_minutes'])):.0f}")
    stdout.print(table)
    for p in plan["purchases"]:
        item_id = str(p["item_id"])
        stdout.print(f"  buy {pieces(float(str(p['qty'])), uoms.get(item_id, ''))} {item_id}, "
                     f"arriving {str(p['arrival'])[:10]}")


def register(app: typer.Typer) -> None:
    commands.install(app)
    request_commands.install(app)
