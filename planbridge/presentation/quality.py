"""Quality in words and documents: a logged or closed event, and what quality has open."""

from __future__ import annotations

from typing import Any

from planbridge.presentation.catalogue import t
from planbridge.presentation.documents import OpenDocument
from planbridge.presentation.formats import percent, qty
from planbridge.presentation.names import item_name
from planbridge.services.quality import QualityEventAnswer, QualityOverview
from planning_core.model import PlantSnapshot, QualityEvent
from planning_core.quality import event_customer, event_json

SHOWN = 8


class QualityEventDocument(OpenDocument):
    """`planbridge quality log|close --json`."""

    event_id: str
    kind: str
    status: str
    changed: bool
    message: str


class QualityOverviewDocument(OpenDocument):
    """`planbridge quality list --json` and the chat answer: the open events asked about and the KPIs."""

    customer: str | None
    item_id: str | None
    open_events: list[dict[str, Any]]
    message: str


def event_document(answer: QualityEventAnswer) -> QualityEventDocument:
    e = answer.event
    return QualityEventDocument(**event_json(e, e.date), changed=answer.changed, message=event_sentence(answer))


def event_sentence(answer: QualityEventAnswer) -> str:
    e, lang = answer.event, answer.language
    if not answer.changed:
        return t(lang, "quality.already_closed", event=e.event_id)
    key = "quality.closed" if not e.is_open else "quality.logged"
    return t(lang, key, event=e.event_id, kind=t(lang, f"quality.kind_{e.kind.value}"),
             item=item_name(answer.snapshot, e.item_id, lang), who=event_customer(answer.snapshot, e) or "—")


def overview_document(overview: QualityOverview) -> QualityOverviewDocument:
    return QualityOverviewDocument(
        customer=overview.customer, item_id=overview.item_id,
        open_events=[event_json(e, overview.kpis.as_of) for e in overview.events],
        message=overview_text(overview), kpis=overview.kpis.to_json(),
    )


def overview_text(overview: QualityOverview) -> str:
    """"Acme has 2 open complaints: …", or the plant's open quality issues and held stock."""
    lang, snapshot, k = overview.language, overview.snapshot, overview.kpis
    lines = [_event_line(e, snapshot, lang) for e in overview.events[:SHOWN]]
    if len(overview.events) > SHOWN:
        lines.append(t(lang, "card.more", n=len(overview.events) - SHOWN))
    if overview.customer is not None or overview.item_id is not None:
        who = overview.customer or item_name(snapshot, overview.item_id or "", lang)
        if not overview.events:
            return t(lang, "quality.none_for", who=who)
        return "\n".join([t(lang, "quality.open_for", who=who, n=len(overview.events)), *(f"• {line}" for line in lines)])
    head = t(lang, "quality.open_head", ncrs=len(k.open_ncrs), complaints=len(k.open_complaints), held=qty(k.held_qty))
    held = [t(lang, "quality.held_line", item=item_name(snapshot, h.item_id, lang), qty=qty(h.qty),
              status=t(lang, f"card.stock_{h.status.replace('+', '_')}"))
            for h in k.held[:SHOWN]]
    low = [t(lang, "card.quality_yield_line", item=item_name(snapshot, item_id, lang), pct=percent(y))
           for item_id, y in sorted(k.item_yield.items(), key=lambda kv: kv[1]) if y < 1.0][:3]
    if not (lines or held or low):
        return t(lang, "quality.nothing_open")
    return "\n".join([head, *(f"• {line}" for line in [*lines, *held, *low])])


def _event_line(e: QualityEvent, snapshot: PlantSnapshot, lang: str) -> str:
    return t(lang, "quality.event_line", event=e.event_id, kind=t(lang, f"quality.kind_{e.kind.value}"),
             item=item_name(snapshot, e.item_id, lang), qty=qty(e.qty), day=e.date.isoformat(),
             who=event_customer(snapshot, e) or "—", note=e.note or "")
