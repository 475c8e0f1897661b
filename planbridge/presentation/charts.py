"""Charts as PNG: the digest chart (load and on-time delivery) and a per-resource Gantt chart of a plan.

Drawn with matplotlib on the Agg canvas (no display). Labels use ids, so no CJK font is needed.
"""

from __future__ import annotations

import io
import math
import zlib
from collections import defaultdict
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from planning_core.model import PlantSnapshot, WorkOrderStatus
from planning_core.plan import Plan

if TYPE_CHECKING:
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


MIN_DAYS, MAX_DAYS = 7, 28
MAX_LABELLED_BARS = 400  # order ids on the bars of small plans only
LABEL_MIN_SHARE = 0.018  # of the chart's width
LATE = "#d62728"
WORK_ORDER = "#9e9e9e"
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#aec7e8",
           "#98df8a", "#c5b0d5", "#c49c94", "#9edae5", "#dbdb8d", "#393b79", "#637939", "#8c6d31")


def draw_gantt(
    plan: Plan,
    snapshot: PlantSnapshot,
    path: Path,
    *,
    late_orders: Collection[str] = (),
    days: int | None = None,
    title: str | None = None,
) -> Path:
    """One row per resource over the first `days` days (default: the plan's span, 7 to 28 days);
    operations of late orders in red, running and released work orders in grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    axis = plan.axis
    if days is None:
        last = max((op.end for op in plan.operations), default=0.0)
        days = min(MAX_DAYS, max(MIN_DAYS, math.ceil(last / 1440.0) + 1))
    cutoff = axis.to_minutes(axis.origin + timedelta(days=days))
    late = set(late_orders)
    bars: dict[str, list[tuple[float, float, str, str]]] = defaultdict(list)  # start, end, colour, label
    for op in plan.operations:
        if op.start < cutoff and op.end > op.start:
            colour = LATE if op.demand_id in late else PALETTE[zlib.crc32((op.demand_id or "").encode()) % len(PALETTE)]
            bars[op.resource_id].append((op.start, op.end, colour, op.demand_id or ""))
    for wo in snapshot.work_orders:
        start, end = max(axis.to_minutes(wo.start), 0.0), axis.to_minutes(wo.end)
        if wo.status is not WorkOrderStatus.DONE and start < cutoff and end > start:
            bars[wo.resource_id].append((start, end, WORK_ORDER, wo.wo_id))
    rows = sorted(bars, reverse=True)
    figure, ax = plt.subplots(figsize=(14, max(3.0, 0.32 * len(rows) + 1.6)))
    origin = mdates.date2num(axis.origin)  # type: ignore[no-untyped-call]
    labelled = sum(len(b) for b in bars.values()) <= MAX_LABELLED_BARS
    for y, resource_id in enumerate(rows):
        spans = [(origin + s / 1440.0, (e - s) / 1440.0) for s, e, _, _ in bars[resource_id]]
        ax.broken_barh(spans, (y - 0.4, 0.8), facecolors=[c for _, _, c, _ in bars[resource_id]], linewidth=0)
        for (x, width), (_, _, _, label) in zip(spans, bars[resource_id], strict=True):
            if labelled and width >= LABEL_MIN_SHARE * days:  # only where the text fits
                ax.text(x + width / 2, y, label, ha="center", va="center", fontsize=6, color="white", clip_on=True)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_ylim(-0.6, max(len(rows), 1) - 0.4)
    ax.set_xlim(origin, origin + days)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d", tz=axis.tz))  # type: ignore[no-untyped-call]
    ax.grid(axis="x", linestyle=":", linewidth=0.5)
    ax.set_title(title or f"Schedule from {axis.origin_day} ({days} days)", fontsize=10)
    ax.legend(handles=[Patch(color=PALETTE[0], label="on time"), Patch(color=LATE, label="late order"),
                       Patch(color=WORK_ORDER, label="work order")], loc="upper right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
