"""The daily digest as plain text, as Block Kit, and as the `{"text", "blocks", "figures"}` document."""

from __future__ import annotations

from typing import Any

from bot.views.blocks import Block, bullets, capped, context, divider, escape, fields, header, image, section
from bot.views.words import words
from planbridge.services import wording
from planbridge.services.digest import Digest, OrderLine, ProjectedLine, ShortageLine

LISTED = 5


def digest_document(digest: Digest, *, image_url: str | None = None) -> dict[str, Any]:
    """What `planbridge digest --json` prints and `/api/digest` returns."""
    return {"text": digest_text(digest), "blocks": digest_blocks(digest, image_url=image_url),
            "figures": digest.figures()}


# -- plain text ------------------------------------------------------------------------------


def digest_text(digest: Digest) -> str:
    """The digest as lines of plain text (the CLI output and the notification fallback)."""
    lang = digest.language
    lines = [words(lang, "digest_title", plant=digest.plant_name, day=digest.as_of.isoformat()), ""]
    for label, value in _headline(digest):
        lines.append(f"{label}: {value}")
    for title, entries in _lists(digest):
        lines.append("")
        lines.append(f"{title}:")
        lines.extend(f"  - {entry}" for entry in entries[:LISTED])
        if len(entries) > LISTED:
            lines.append("  " + words(lang, "more", n=len(entries) - LISTED))
    lines.append("")
    lines.append(f"{words(lang, 'load')} ({_load_source(digest)}):")
    for r in digest.resources:
        lines.append(f"  {r.resource_id:<10} {_pct(r.utilization):>7}  {_bar(r.utilization)}"
                     + (f"  {words(lang, 'overloaded')} ({_pct(r.load_ratio)})" if r.overloaded else ""))
    return "\n".join(lines)


def _headline(digest: Digest) -> list[tuple[str, str]]:
    lang = digest.language
    shipped = (words(lang, "of_shipped", on_time=digest.on_time, shipped=digest.shipped) if digest.shipped
               else words(lang, "none_shipped"))
    return [
        (words(lang, "otd"), f"{_pct(digest.otd)} ({shipped})"),
        (words(lang, "otif"), _pct(digest.otif)),
        (words(lang, "backlog"), words(lang, "orders_n", n=digest.backlog)),
        (words(lang, "late_orders"), str(len(digest.late_open))),
        (words(lang, "projected_late"), str(len(digest.projected_late))),
        (words(lang, "at_risk"), str(len(digest.at_risk))),
        (words(lang, "shortages"), str(digest.shortage_count)),
        (words(lang, "pending"), str(len(digest.pending))),
    ]


def _lists(digest: Digest) -> list[tuple[str, list[str]]]:
    """The lists behind the figures (only those that are not empty)."""
    lang = digest.language
    found = [
        (words(lang, "late_orders"), [_late(o, digest) for o in digest.late_open]),
        (words(lang, "projected_late"), [_projected(p, digest) for p in digest.projected_late]),
        (words(lang, "at_risk"), [_risk(o, digest) for o in digest.at_risk]),
        (words(lang, "top_shortages"), [_shortage(s, digest) for s in digest.top_shortages]),
        (words(lang, "pending"), [
            words(lang, "pending_line", request_id=p.request_id, kind=words(lang, f"kind_{p.kind}"),
                  order=p.order_id or "", user=p.requested_by_name)
            for p in digest.pending]),
    ]
    return [(title, entries) for title, entries in found if entries]


def _late(o: OrderLine, digest: Digest) -> str:
    return words(digest.language, "late_line", order=o.order_id, customer=o.customer, qty=wording.qty(o.qty),
                 item=o.item_name, day=wording.day(o.due_date, digest.language, today=digest.as_of), days=o.days_late)


def _projected(p: ProjectedLine, digest: Digest) -> str:
    lang = digest.language
    when = wording.day(p.projected_date, lang, today=digest.as_of) if p.projected_date else words(lang, "never")
    return words(lang, "projected_line", order=p.order_id, customer=p.customer, qty=wording.qty(p.qty), item=p.item_name,
                 day=wording.day(p.promised_date, lang, today=digest.as_of), projected=when)


def _risk(o: OrderLine, digest: Digest) -> str:
    return words(digest.language, "risk_line", order=o.order_id, customer=o.customer, qty=wording.qty(o.qty),
                 item=o.item_name, day=wording.day(o.due_date, digest.language, today=digest.as_of),
                 short=", ".join(o.short_items))


def _shortage(s: ShortageLine, digest: Digest) -> str:
    lang = digest.language
    hurt = ", ".join(f"{o} {c}" for o, c in zip(s.orders, s.customers, strict=True)) or words(lang, "no_orders_hurt")
    return words(lang, "shortage_line", item=s.item_name, qty=wording.qty(s.qty), uom=s.uom,
                 day=wording.day(s.short_from, lang, today=digest.as_of), orders=hurt)


def _load_source(digest: Digest) -> str:
    key = "load_source_schedule" if digest.utilization_source == "schedule" else "load_source_rough_cut"
    return words(digest.language, key)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _bar(value: float | None, width: int = 20) -> str:
    if value is None:
        return ""
    filled = round(min(1.0, max(0.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


# -- Block Kit -------------------------------------------------------------------------------


def digest_blocks(digest: Digest, *, image_url: str | None = None) -> list[Block]:
    """Header, the key figures as fields, the lists behind them, load per resource, and the chart if hosted."""
    blocks = [*_figure_blocks(digest), *_list_blocks(digest), divider(), *_load_blocks(digest)]
    if image_url:
        blocks.append(image(image_url, words(digest.language, "chart_title")))
    return capped(blocks)


def kpi_blocks(digest: Digest) -> list[Block]:
    """The figures and the load, without the lists (`/planbridge kpi`)."""
    return capped([*_figure_blocks(digest), divider(), *_load_blocks(digest)])


def _figure_blocks(digest: Digest) -> list[Block]:
    lang = digest.language
    return [
        header(words(lang, "digest_title", plant=digest.plant_name, day=wording.day(digest.as_of, lang))),
        fields([(label, escape(value)) for label, value in _headline(digest)]),
    ]


def _list_blocks(digest: Digest) -> list[Block]:
    more = words(digest.language, "more", n="{n}")
    return [section(f"*{escape(title)}*\n" + bullets([escape(e) for e in entries], limit=LISTED, more=more))
            for title, entries in _lists(digest)]


def _load_blocks(digest: Digest) -> list[Block]:
    lang = digest.language
    load_lines = [
        f"`{escape(r.resource_id):<8}` {_bar(r.utilization, 10)} {_pct(r.utilization)}"
        + (f" :rotating_light: {words(lang, 'overloaded')}" if r.overloaded else "")
        for r in digest.resources
    ]
    return [
        section(f"*{words(lang, 'load')}*\n" + "\n".join(load_lines[:30])),
        context(_load_source(digest) + " · " + words(lang, "trend") + ": " + " ".join(_pct(p.otd) for p in digest.trend)),
    ]
