"""The daily digest as plain text, as a card, and as the `{"text", "blocks", "figures"}` document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planbridge.presentation.cards import (
    Bullets,
    Card,
    Code,
    Divider,
    Fields,
    Header,
    Inline,
    Mark,
    Note,
    Paragraph,
    Part,
    Picture,
    rich,
)
from planbridge.presentation.catalogue import t
from planbridge.presentation.documents import DigestDocument, digest_figures
from planbridge.presentation.formats import day, percent, pieces, qty
from planbridge.presentation.names import item_name
from planbridge.services.digest import Digest, OrderLine, ProjectedLine, ResourceLine, ShortageLine

LISTED = 5
SHOWN_RESOURCES = 30

CardRenderer = Callable[[Card], list[dict[str, Any]]]


def digest_document(digest: Digest, *, render: CardRenderer, image_url: str | None = None) -> DigestDocument:
    """What `planbridge digest --json` prints and `/api/digest` returns; `render` draws the card
    in the format the contract names (Slack's Block Kit, wired by the composition root)."""
    return DigestDocument(text=digest_text(digest), blocks=render(digest_card(digest, image_url=image_url)),
                          figures=digest_figures(digest))


# -- plain text ------------------------------------------------------------------------------


def digest_text(digest: Digest) -> str:
    """The digest as lines of plain text (the CLI output and the notification fallback)."""
    lang = digest.language
    lines = [t(lang, "card.digest_title", plant=digest.plant_name, day=digest.as_of.isoformat()), ""]
    for label, value in headline(digest):
        lines.append(f"{label}: {value}")
    for title, entries in _lists(digest):
        lines.append("")
        lines.append(f"{title}:")
        lines.extend(f"  - {entry}" for entry in entries[:LISTED])
        if len(entries) > LISTED:
            lines.append("  " + t(lang, "card.more", n=len(entries) - LISTED))
    quality = quality_lines(digest)
    if quality:
        lines += ["", f"{t(lang, 'digest.section_quality')}:", *(f"  - {entry}" for entry in quality[:LISTED + 1])]
    lines.append("")
    lines.append(f"{t(lang, 'card.load')} ({_load_source(digest)}):")
    for r in digest.resources:
        lines.append(f"  {r.resource_id:<10} {percent(_load(r)):>7}  {_bar(r.utilization)}"
                     + (f"  {t(lang, 'card.overloaded')}" if r.overloaded else ""))
    return "\n".join(lines)


def quality_lines(digest: Digest) -> list[str]:
    """The quality section: the figures, then held stock, the lowest yields and complaint rates."""
    k, lang = digest.quality, digest.language
    if k is None:
        return []
    lines = [t(lang, "card.quality_summary", ncrs=len(k.open_ncrs), complaints=len(k.open_complaints),
               held=qty(k.held_qty))]
    for h in k.held:
        key = "card.quality_held_line" if h.oldest_days is not None else "card.quality_held_line_no_age"
        lines.append(t(lang, key, item=_name(digest, h.item_id), qty=qty(h.qty),
                       status=t(lang, f"card.stock_{h.status.replace('+', '_')}"), days=h.oldest_days))
    low = sorted((y, item_id) for item_id, y in k.item_yield.items() if y < 1.0)
    lines += [t(lang, "card.quality_yield_line", item=_name(digest, item_id), pct=percent(y)) for y, item_id in low[:3]]
    lines += [t(lang, "card.quality_rate_line", customer=r.key, n=r.complaints + r.returns,
                rate=qty(r.per_1000) if r.per_1000 is not None else "—")
              for r in k.by_customer[:3]]
    return lines


def _quality_parts(digest: Digest) -> list[Part]:
    lines = quality_lines(digest)
    if not lines:
        return []
    lang = digest.language
    return [Divider(), Paragraph(rich(t(lang, "digest.section_quality"))),
            Bullets(tuple(rich(e) for e in lines), LISTED + 1, t(lang, "card.more", n="{n}"))]


def _load(r: ResourceLine) -> float | None:
    """The true load (131 %), not capped at 100 %: the bar is full, the figure says by how much."""
    return r.load_ratio if r.load_ratio is not None else r.utilization


def headline(digest: Digest) -> list[tuple[str, str]]:
    """The figures of the digest, as (label, value): the card's fields and the board's tiles."""
    lang = digest.language
    shipped = (t(lang, "card.of_shipped", on_time=digest.on_time, shipped=digest.shipped) if digest.shipped
               else t(lang, "card.none_shipped"))
    return [
        (t(lang, "card.otd"), f"{percent(digest.otd)} ({shipped})"),
        (t(lang, "card.otif"), percent(digest.otif)),
        (t(lang, "card.backlog"), t(lang, "card.orders_n", n=digest.backlog)),
        (t(lang, "card.late_orders"), str(len(digest.late_open))),
        (t(lang, "card.projected_late"), str(len(digest.projected_late))),
        (t(lang, "card.at_risk"), str(len(digest.at_risk))),
        (t(lang, "card.shortages"), str(digest.shortage_count)),
        (t(lang, "card.pending"), str(len(digest.pending))),
    ]


def _lists(digest: Digest) -> list[tuple[str, list[str]]]:
    """The lists behind the figures (only those that are not empty)."""
    lang = digest.language
    found = [
        (t(lang, "card.late_orders"), [_late(o, digest) for o in digest.late_open]),
        (t(lang, "card.projected_late"), [_projected(p, digest) for p in digest.projected_late]),
        (t(lang, "card.at_risk"), [_risk(o, digest) for o in digest.at_risk]),
        (t(lang, "card.top_shortages"), [_shortage(s, digest) for s in digest.top_shortages]),
        (t(lang, "card.pending"), [
            t(lang, "card.pending_line", request_id=p.request_id, kind=t(lang, f"card.kind_{p.kind}"),
              order=p.order_id or "", user=p.requested_by_name)
            for p in digest.pending]),
    ]
    return [(title, entries) for title, entries in found if entries]


def _name(digest: Digest, item_id: str) -> str:
    return item_name(digest.snapshot, item_id, digest.language)


def _late(o: OrderLine, digest: Digest) -> str:
    return t(digest.language, "card.late_line", order=o.order_id, customer=o.customer, qty=qty(o.qty),
             item=_name(digest, o.item_id), day=day(o.due_date, digest.language, today=digest.as_of), days=o.days_late)


def _projected(p: ProjectedLine, digest: Digest) -> str:
    lang = digest.language
    when = day(p.projected_date, lang, today=digest.as_of) if p.projected_date else t(lang, "card.never")
    return t(lang, "card.projected_line", order=p.order_id, customer=p.customer, qty=qty(p.qty),
             item=_name(digest, p.item_id), day=day(p.promised_date, lang, today=digest.as_of), projected=when)


def _risk(o: OrderLine, digest: Digest) -> str:
    return t(digest.language, "card.risk_line", order=o.order_id, customer=o.customer, qty=qty(o.qty),
             item=_name(digest, o.item_id), day=day(o.due_date, digest.language, today=digest.as_of),
             short=", ".join(o.short_items))


def _shortage(s: ShortageLine, digest: Digest) -> str:
    lang = digest.language
    hurt = ", ".join(f"{o} {c}" for o, c in zip(s.orders, s.customers, strict=True)) or t(lang, "card.no_orders_hurt")
    return t(lang, "card.shortage_line", item=_name(digest, s.item_id), qty=pieces(s.qty, s.uom), uom=s.uom,
             day=day(s.short_from, lang, today=digest.as_of), orders=hurt)


def _load_source(digest: Digest) -> str:
    key = "card.load_source_schedule" if digest.utilization_source == "schedule" else "card.load_source_rough_cut"
    return t(digest.language, key)


def _bar(value: float | None, width: int = 20) -> str:
    if value is None:
        return ""
    filled = round(min(1.0, max(0.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


# -- card --------------------------------------------------------------------------------------


def digest_card(digest: Digest, *, image_url: str | None = None) -> Card:
    """Header, the key figures as fields, the lists behind them, load per resource, and the chart if hosted."""
    parts: list[Part] = [*_figure_parts(digest), *_list_parts(digest), *_quality_parts(digest), Divider(),
                         *_load_parts(digest)]
    if image_url:
        parts.append(Picture(image_url, t(digest.language, "card.chart_title")))
    return Card(digest_text(digest), tuple(parts))


def kpi_card(digest: Digest) -> Card:
    """The figures and the load, without the lists (`/planbridge kpi`)."""
    return Card(digest_text(digest), (*_figure_parts(digest), Divider(), *_load_parts(digest)))


def _figure_parts(digest: Digest) -> list[Header | Fields]:
    lang = digest.language
    return [
        Header(t(lang, "card.digest_title", plant=digest.plant_name, day=day(digest.as_of, lang))),
        Fields(tuple((label, rich(value)) for label, value in headline(digest))),
    ]


def _list_parts(digest: Digest) -> list[Bullets]:
    more = t(digest.language, "card.more", n="{n}")
    return [Bullets(tuple(rich(e) for e in entries), LISTED, more, title=title) for title, entries in _lists(digest)]


def _load_parts(digest: Digest) -> list[Paragraph | Note]:
    lang = digest.language
    pieces: list[Inline] = []
    for k, r in enumerate(digest.resources[:SHOWN_RESOURCES]):
        if k:
            pieces.append("\n")
        pieces += [Code(f"{r.resource_id:<8}"), f" {_bar(r.utilization, 10)} {percent(_load(r))}"]
        if r.overloaded:
            pieces += [" ", Mark.ALARM, f" {t(lang, 'card.overloaded')}"]
    trend = " ".join(percent(p.otd) for p in digest.trend)
    return [
        Paragraph(tuple(pieces), title=t(lang, "card.load")),
        Note(rich(_load_source(digest) + " · " + t(lang, "card.trend") + ": " + trend)),
    ]


# -- per audience (digest subscriptions) -------------------------------------------------------

SECTION_ORDER = ("sales", "production", "management")


def audience_card(digest: Digest, *, sections: tuple[str, ...], owner: str | None = None,
                  weekly: bool = False) -> Card:
    """The digest for a subscription's audiences: sales (orders at risk, to re-promise; only
    `owner`'s orders when given), production (load, pending requests, shortages), management
    (OTD/OTIF trend, backlog). All three without an owner is the whole digest."""
    if set(sections) >= set(SECTION_ORDER) and owner is None and not weekly:
        return digest_card(digest)
    lang = digest.language
    title = t(lang, "digest.weekly_title" if weekly else "card.digest_title", plant=digest.plant_name,
              day=day(digest.as_of, lang))
    parts: list[Part] = [Header(title)]
    lines = [title]
    for section in SECTION_ORDER:
        if section not in sections:
            continue
        heading = t(lang, f"digest.section_{section}")
        section_parts = {"sales": _sales_parts, "production": _production_parts,
                         "management": _management_parts}[section](digest, owner)
        parts += [Divider(), Paragraph(rich(heading)), *section_parts]
        lines += ["", heading, *(_plain_part(p) for p in section_parts)]
    return Card("\n".join(lines), tuple(parts))


def _owned(digest: Digest, order_id: str, owner: str | None) -> bool:
    order = digest.snapshot.orders_by_id.get(order_id)
    return owner is None or (order is not None and order.owner == owner)


def _sales_parts(digest: Digest, owner: str | None) -> list[Part]:
    lang = digest.language
    more = t(lang, "card.more", n="{n}")
    found = [
        (t(lang, "card.projected_late"), [_projected(p, digest) for p in digest.projected_late
                                          if _owned(digest, p.order_id, owner)]),
        (t(lang, "card.at_risk"), [_risk(o, digest) for o in digest.at_risk if _owned(digest, o.order_id, owner)]),
        (t(lang, "card.late_orders"), [_late(o, digest) for o in digest.late_open
                                       if _owned(digest, o.order_id, owner)]),
    ]
    parts: list[Part] = [Bullets(tuple(rich(e) for e in entries), LISTED, more, title=title)
                         for title, entries in found if entries]
    return parts or [Paragraph(rich(t(lang, "digest.nothing_at_risk")))]


def _production_parts(digest: Digest, _owner: str | None) -> list[Part]:
    lang = digest.language
    more = t(lang, "card.more", n="{n}")
    pending = [t(lang, "card.pending_line", request_id=p.request_id, kind=t(lang, f"card.kind_{p.kind}"),
                 order=p.order_id or "", user=p.requested_by_name) for p in digest.pending]
    shortages = [_shortage(s, digest) for s in digest.top_shortages]
    parts: list[Part] = [Fields((
        (t(lang, "card.shortages"), rich(str(digest.shortage_count))),
        (t(lang, "card.pending"), rich(str(len(digest.pending)))),
    ))]
    parts += [Bullets(tuple(rich(e) for e in entries), LISTED, more, title=title)
              for title, entries in ((t(lang, "card.top_shortages"), shortages), (t(lang, "card.pending"), pending))
              if entries]
    quality = quality_lines(digest)  # production holds the stock and raises the NCRs
    if quality:
        parts.append(Bullets(tuple(rich(e) for e in quality), LISTED + 1, more,
                             title=t(lang, "digest.section_quality")))
    return parts + list(_load_parts(digest))


def _management_parts(digest: Digest, _owner: str | None) -> list[Part]:
    lang = digest.language
    figures = dict(headline(digest))
    keep = ("card.otd", "card.otif", "card.backlog", "card.late_orders", "card.projected_late")
    trend = " ".join(percent(p.otd) for p in digest.trend)
    return [Fields(tuple((t(lang, k), rich(figures[t(lang, k)])) for k in keep)),
            Note(rich(t(lang, "card.trend") + ": " + trend))]


def _plain_part(part: Part) -> str:
    from planbridge.presentation.cards import plain

    if isinstance(part, Bullets):
        entries = [f"  - {plain(e)}" for e in part.items[:part.limit]]
        return "\n".join([f"{part.title}:" if part.title else "", *entries]).strip("\n")
    if isinstance(part, Fields):
        return "\n".join(f"{label}: {plain(value)}" for label, value in part.pairs)
    if isinstance(part, Paragraph | Note):
        return (f"{part.title}:\n" if isinstance(part, Paragraph) and part.title else "") + plain(part.text)
    return ""
