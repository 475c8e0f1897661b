"""Charts as PNG: the digest chart (load and on-time delivery) and the resource Gantt chart of a schedule
(`services.board.GanttChart`, the model the browser board draws too).

Drawn with matplotlib on the Agg canvas (no display). Labels use ids and English names, so no CJK font is needed.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from planbridge.presentation.catalogue import t
from planbridge.services.board import BarStatus, GanttBar, GanttChart, GanttRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from planbridge.services.digest import Digest

OVERLOADED = "#d62728"
BUSY = "#ff7f0e"
NORMAL = "#1f77b4"

def digest_chart(digest: Digest) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4), dpi=100)
    FigureCanvasAgg(figure)
    load, trend = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})

    names = [r.resource_id for r in digest.resources]
    values = [100 * (r.load_ratio if r.load_ratio is not None else (r.utilization or 0.0)) for r in digest.resources]
    colours = [OVERLOADED if v > 100 else BUSY if v >= 85 else NORMAL for v in values]
    load.barh(names[::-1], values[::-1], color=colours[::-1])
    load.axvline(100, color="grey", linewidth=1, linestyle="--")
    load.set_xlabel("% of working time")
    load.set_title("Load, next 14 days")

    weeks = [p.last_day.strftime("%m-%d") for p in digest.trend]
    otd = [None if p.otd is None else 100 * p.otd for p in digest.trend]
    trend.plot(weeks, [float("nan") if v is None else v for v in otd], marker="o", color=NORMAL)
    trend.set_ylim(0, 105)
    trend.set_ylabel("% on time")
    trend.set_title("On-time delivery by week")
    trend.tick_params(axis="x", labelrotation=45, labelsize=8)

    figure.suptitle(f"{digest.plant_name if digest.plant_name.isascii() else 'planbridge'} · {digest.as_of.isoformat()}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# One colour per status, shared by the PNG and the board so that legends match bars everywhere.
STATUS_COLOURS: dict[BarStatus, str] = {
    BarStatus.ON_TIME: "#2e7d32",
    BarStatus.AT_RISK: "#ef8c00",
    BarStatus.LATE: "#c62828",
    BarStatus.WORK_ORDER: "#757575",
}
CLOSED_COLOUR = "#e3e3e3"
LABEL_POINTS = 8  # the smallest text on the chart
GANTT_DPI = 110
MAX_LABELS = 400  # text is the slow part of drawing: the first 400 bars that have room are labelled
FIGURE_INCHES = 14.0
PLOT_LEFT, PLOT_RIGHT = 0.2, 0.86  # of the figure: resource names left of the plot, the legend right of it


def orders_label(bar: GanttBar) -> str:
    """"SO-2415"; a campaign batch names its first order and how many more: "SO-2415+2"."""
    return bar.order_ids[0] if len(bar.order_ids) == 1 else f"{bar.order_ids[0]}+{len(bar.order_ids) - 1}"


def bar_label(bar: GanttBar) -> str:
    """Order and item: "SO-2415 DN80-BALL"."""
    return f"{orders_label(bar)} {bar.item_id}"


def row_label(row: GanttRow) -> str:
    """The resource's name and id; the id alone when the name needs a font the PNG does not have."""
    return f"{row.name} ({row.resource_id})" if row.name.isascii() and row.name != row.resource_id else row.resource_id


def fitting_label(bar: GanttBar, width_points: float) -> str | None:
    """The longest label that fits the bar's widest segment at 8 pt, or none."""
    for text in (bar_label(bar), orders_label(bar)):
        if len(text) * LABEL_POINTS * 0.62 + 4 <= width_points:
            return text
    return None


def draw_gantt(chart: GanttChart, path: Path, *, title: str | None = None, language: str = "en") -> Path:
    """The Gantt chart as a PNG file (see `gantt_figure`)."""
    figure = gantt_figure(chart, title=title, language=language)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=GANTT_DPI)
    return path


def gantt_png(chart: GanttChart, *, title: str | None = None, language: str = "en") -> bytes:
    """The Gantt chart as PNG bytes (for chat and HTTP)."""
    buffer = io.BytesIO()
    gantt_figure(chart, title=title, language=language).savefig(buffer, format="png", dpi=GANTT_DPI)
    return buffer.getvalue()


def gantt_figure(chart: GanttChart, *, title: str | None = None, language: str = "en") -> Figure:
    """One row per resource (names, closed time shaded), bars coloured by status with the legend
    of those very colours beside the plot; labels at 8 pt where they fit."""
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rows = chart.rows[::-1]  # the first resource on top
    height = max(3.0, 0.45 * len(rows) + 1.6)
    figure = Figure(figsize=(FIGURE_INCHES, height))
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    # room below for the slanted dates (0.95 in) and above for the title (0.45 in)
    figure.subplots_adjust(left=PLOT_LEFT, right=PLOT_RIGHT, bottom=0.95 / height, top=1 - 0.45 / height)
    start = mdates.date2num(chart.start)  # type: ignore[no-untyped-call]
    points_per_day = FIGURE_INCHES * (PLOT_RIGHT - PLOT_LEFT) * 72 / max(chart.days, 1)
    def span(a: datetime, b: datetime) -> tuple[float, float]:
        return start + (a - chart.start).total_seconds() / 86400, (b - a).total_seconds() / 86400

    labels = 0
    for y, row in enumerate(rows):
        ax.broken_barh([span(a, b) for a, b in row.closed], (y - 0.5, 1.0), facecolors=CLOSED_COLOUR, linewidth=0,
                       zorder=0)
        by_status: dict[BarStatus, list[tuple[float, float]]] = {}
        for bar in row.bars:
            spans = [span(a, b) for a, b in bar.segments]
            by_status.setdefault(bar.status, []).extend(spans)
            x, width = max(spans, key=lambda s: s[1])
            label = fitting_label(bar, width * points_per_day) if labels < MAX_LABELS else None
            if label:
                labels += 1
                ax.text(x + width / 2, y, label, ha="center", va="center", fontsize=LABEL_POINTS, color="white",
                        clip_on=True, zorder=3)
        for status, spans in by_status.items():  # one collection per row and status: large plants draw fast
            ax.broken_barh(spans, (y - 0.36, 0.72), facecolors=STATUS_COLOURS[status], edgecolor="white",
                           linewidth=0.5, zorder=2)
    ax.set_yticks(range(len(rows)), [row_label(r) for r in rows], fontsize=9)
    ax.set_ylim(-0.6, max(len(rows), 1) - 0.4)
    ax.set_xlim(start, start + chart.days)
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, chart.days // 14), tz=chart.start.tzinfo))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d", tz=chart.start.tzinfo))  # type: ignore[no-untyped-call]
    ax.tick_params(axis="x", labelsize=8, labelrotation=45)
    ax.grid(axis="x", linestyle=":", linewidth=0.5, zorder=1)
    ax.set_title(title or t(language, "board.gantt_title", day=chart.as_of.isoformat(), days=chart.days), fontsize=11)
    handles = [Patch(facecolor=colour, label=t(language, f"board.status_{status.value}"))
               for status, colour in STATUS_COLOURS.items()]
    handles.append(Patch(facecolor=CLOSED_COLOUR, label=t(language, "board.closed")))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    return figure
