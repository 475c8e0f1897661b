"""The digest chart: load per resource (next 14 days) and on-time delivery by week, as PNG bytes.

Drawn on matplotlib's Agg canvas directly (no pyplot, no display, thread-safe enough for a
background job). Labels use resource ids so no CJK font is needed.
"""

from __future__ import annotations

import io

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
