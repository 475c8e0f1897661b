"""The planner's board as HTML: Jinja2 templates (in `templates/`) over `services.board.BoardView`.

The Gantt is laid out here in percentages of the chart's window (bars, closed time, day ticks) so
the templates only place boxes; colours and the legend come from `charts.STATUS_COLOURS`, the same
as the PNG. htmx (vendored in `static/`, no CDN) posts the Approve/Reject clicks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from planbridge.presentation.catalogue import t
from planbridge.presentation.charts import CLOSED_COLOUR, STATUS_COLOURS, fitting_label
from planbridge.presentation.digest import headline
from planbridge.presentation.formats import day, qty
from planbridge.presentation.names import local_name
from planbridge.records import StoredRequest
from planbridge.services.board import BarStatus, BoardDecision, BoardView, GanttBar, GanttChart, GanttRow

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
# The chart's track is about 1000 CSS px wide on a laptop and labels are 12 px: 1 % of the track holds
# about 7.5 points as `charts.fitting_label` counts them (the browser cuts anything longer with an ellipsis).
BOARD_POINTS_PER_PERCENT = 7.5
HTMX_VERSION = "2.0.11"  # static/htmx.min.js, from the npm package htmx.org (licence: static/htmx.LICENSE.txt)


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def _words(language: str) -> Callable[..., str]:
    def words(key: str, /, **values: Any) -> str:
        return t(language, key, **values)

    return words


@dataclass(frozen=True)
class Box:
    """Something placed across the chart's window, in percent of its width."""

    left: float
    width: float


@dataclass(frozen=True)
class BarBox:
    bar: GanttBar
    segments: tuple[Box, ...]
    labelled: int  # the segment that carries the label (the widest)
    label: str
    title: str
    colour: str


@dataclass(frozen=True)
class RowBox:
    row: GanttRow
    name: str
    closed: tuple[Box, ...]
    bars: tuple[BarBox, ...]


def _box(chart: GanttChart, start: datetime, end: datetime) -> Box:
    left = 100 * chart.share(start)
    return Box(round(left, 3), round(max(100 * chart.share(end) - left, 0.0), 3))


def hover(bar: GanttBar, language: str) -> str:
    """What a bar tells on hover: orders, customers, quantity and item, start and end, promise."""
    moment = "%m-%d %H:%M"
    return t(language, "board.hover", orders=", ".join(bar.order_ids), customers=", ".join(bar.customers) or "—",
             qty=qty(bar.qty), item=bar.item_id, start=bar.start.strftime(moment), end=bar.end.strftime(moment),
             promise=day(bar.promised, language), status=t(language, f"board.status_{bar.status.value}"))


def gantt_rows(chart: GanttChart, language: str) -> list[RowBox]:
    rows = []
    for row in chart.rows:
        bars = []
        for bar in row.bars:
            boxes = tuple(_box(chart, a, b) for a, b in bar.segments)
            widest = max(range(len(boxes)), key=lambda i: boxes[i].width)
            label = fitting_label(bar, boxes[widest].width * BOARD_POINTS_PER_PERCENT)
            bars.append(BarBox(bar, boxes, widest, label or "", hover(bar, language), STATUS_COLOURS[bar.status]))
        rows.append(RowBox(row, local_name(row.name, row.aliases, language),
                           tuple(_box(chart, a, b) for a, b in row.closed), tuple(bars)))
    return rows


def day_ticks(chart: GanttChart, language: str) -> list[tuple[Box, str]]:
    """One tick per day (every few days on long windows), labelled with the date."""
    step = max(1, chart.days // 14)
    ticks = []
    for offset in range(0, chart.days, step):
        first = chart.start + timedelta(days=offset)
        ticks.append((_box(chart, first, first + timedelta(days=step)), day(first.date(), language)))
    return ticks


def legend(language: str) -> list[tuple[str, str, str]]:
    """(status, colour, words): the colours the bars are drawn in, and closed time."""
    entries = [(status.value, colour, t(language, f"board.status_{status.value}"))
               for status, colour in STATUS_COLOURS.items()]
    return [*entries, ("closed", CLOSED_COLOUR, t(language, "board.closed"))]


def request_view(request: StoredRequest, view_language: str, names: dict[str, str]) -> dict[str, Any]:
    """A pending or decided request as the board lists it, with its impact."""
    impact = request.impact or {}
    impacted = [row.get("order_id", "?") for row in impact.get("impacted") or []]
    return {
        "id": request.request_id, "kind": t(view_language, f"card.kind_{request.kind}"),
        "order": request.order_id or "—", "by": names.get(request.requested_by, request.requested_by),
        "created": request.created_at.strftime("%Y-%m-%d %H:%M"),
        "promise": day(impact.get("promise_date"), view_language),
        "impacted": impacted, "explanation": impact.get("explanation") or "",
        "status": request.status, "decided_by": names.get(request.decided_by or "", request.decided_by or ""),
    }


def render_board(view: BoardView, *, csrf: str) -> str:
    lang = view.language
    names = {u.user_id: u.name for u in view.snapshot.users.values()}
    return _environment().get_template("board.html").render(
        _=_words(lang), lang=lang, view=view, csrf=csrf, tiles=headline(view.digest),
        rows=gantt_rows(view.gantt, lang) if view.gantt else [], ticks=day_ticks(view.gantt, lang) if view.gantt else [],
        legend=legend(lang), colours={s.value: c for s, c in STATUS_COLOURS.items()},
        orders=view.orders, day=lambda d: day(d, lang), qty=qty,
        requests=[request_view(r, lang, names) for r in view.pending], may_decide=view.may_decide,
        plant=view.snapshot.plant.name, htmx_version=HTMX_VERSION,
    )


def render_decision(decision: BoardDecision, *, language: str, names: dict[str, str], csrf: str) -> str:
    """The request's row after a click: decided now, or as decided before."""
    return _environment().get_template("request_row.html").render(
        _=_words(language), r=request_view(decision.request, language, names), may_decide=False, csrf=csrf,
        note=decision.explanation, already=decision.already,
    )


def render_login(language: str, *, failed: bool = False, user: str = "") -> str:
    return _environment().get_template("login.html").render(_=_words(language), lang=language, failed=failed,
                                                            user=user)


def status_colour(status: BarStatus) -> str:
    return STATUS_COLOURS[status]
