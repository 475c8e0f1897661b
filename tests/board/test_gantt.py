"""The Gantt model of a schedule, hand-checked on a small plant, and the PNG drawn from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex

from planbridge.presentation.board import hover
from planbridge.presentation.charts import CLOSED_COLOUR, STATUS_COLOURS, bar_label, draw_gantt, gantt_figure, row_label
from planbridge.services.board import BarStatus, board_orders, gantt_chart, order_statuses
from planbridge.services.lateness import OrderState, Outlook
from planning_core import model as m
from tests.plants import DAY_SHIFT, PlantBuilder

MONDAY = date(2027, 1, 4)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, 4 + day, hour, minute, tzinfo=UTC)


def small_plant() -> m.PlantSnapshot:
    """Lathe L and idle saw S on 08:00–16:00 Monday to Friday (UTC); orders A (Acme, promised
    Tuesday), B (Bolt, promised Monday) and C (Acme, Friday); a released work order on S."""
    return (PlantBuilder().calendar(DAY_SHIFT).resource("L", "DAY", name="Lathe").resource("S", "DAY", name="Saw")
            .make("X", ("L", 1.0)).make("Y", ("L", 1.0))
            .order("A", "X", 8, date(2027, 1, 5), customer="Acme").order("B", "X", 2, MONDAY, customer="Bolt")
            .order("C", "Y", 4, date(2027, 1, 8), customer="Acme")
            .wo("WO-1", "Y", 3, datetime(2027, 1, 4, 12), resource="S", start=datetime(2027, 1, 4, 9))
            .build())


def op(order: str, item: str, resource: str, start: datetime, end: datetime, qty: float,
       batch: str | None = None, step: int = 10) -> dict[str, Any]:
    return {"order_id": order, "item_id": item, "step": step, "resource_id": resource, "start": start.isoformat(),
            "end": end.isoformat(), "qty": qty, "batch_id": batch, "setup_minutes": 0.0}


def document() -> dict[str, Any]:
    """A schedule as `planbridge schedule --json` writes it: A runs over Monday's shift and into
    Tuesday (one batch, two segments); a campaign batch K serves B and C on Tuesday afternoon."""
    return {
        "as_of": "2027-01-04",
        "operations": [
            op("A", "X", "L", utc(0, 8), utc(0, 16), 6, "J-A"),
            op("A", "X", "L", utc(1, 8), utc(1, 10), 2, "J-A"),
            op("B", "X", "L", utc(1, 10), utc(1, 16), 6, "K"),
        ],
        "orders": [
            {"order_id": "A", "late_days": 0, "completion": utc(1, 10).isoformat()},
            {"order_id": "B", "late_days": 1, "completion": utc(1, 16).isoformat()},
            {"order_id": "C", "late_days": 0, "completion": utc(1, 16).isoformat()},
        ],
        "merged_batches": [{"batch_id": "K", "item_id": "X", "orders": [{"order_id": "B", "qty": 2},
                                                                       {"order_id": "C", "qty": 4}]}],
    }


def test_statuses_late_in_the_schedule_else_at_risk_when_named_else_on_time() -> None:
    statuses = order_statuses({"orders": [*document()["orders"], {"order_id": "D", "completion": None}]},
                              at_risk={"A", "B"})
    assert statuses == {"A": BarStatus.AT_RISK, "B": BarStatus.LATE, "C": BarStatus.ON_TIME, "D": BarStatus.LATE}


def test_the_gantt_model_of_a_small_plant_by_hand() -> None:
    chart = gantt_chart(document(), small_plant(), at_risk={"A"})

    # the schedule ends on Tuesday: the window is the shortest, seven days from Monday 00:00
    assert (chart.start, chart.end, chart.days) == (utc(0, 0), utc(7, 0), 7)
    assert [(r.resource_id, r.name) for r in chart.rows] == [("L", "Lathe"), ("S", "Saw")]  # idle S too
    lathe, saw = chart.rows
    a, k = lathe.bars
    assert (a.order_ids, a.item_id, a.customers, a.qty, a.start, a.end, a.promised, a.status) == (
        ("A",), "X", ("Acme",), 8.0, utc(0, 8), utc(1, 10), date(2027, 1, 5), BarStatus.AT_RISK)
    assert a.segments == ((utc(0, 8), utc(0, 16)), (utc(1, 8), utc(1, 10)))
    # the campaign batch: both orders, both customers, the worst status (B is late), the earliest promise
    assert (k.order_ids, k.customers, k.status, k.promised, k.qty) == (("B", "C"), ("Bolt", "Acme"), BarStatus.LATE,
                                                                       MONDAY, 6.0)
    [wo] = saw.bars
    assert (wo.order_ids, wo.status, wo.segments) == (("WO-1",), BarStatus.WORK_ORDER, ((utc(0, 9), utc(0, 12)),))
    # closed: nights between the five shifts, and the weekend to the window's end
    assert lathe.closed == (
        (utc(0, 0), utc(0, 8)), (utc(0, 16), utc(1, 8)), (utc(1, 16), utc(2, 8)), (utc(2, 16), utc(3, 8)),
        (utc(3, 16), utc(4, 8)), (utc(4, 16), utc(7, 0)))
    assert chart.share(utc(3, 12)) == pytest.approx(3.5 / 7)


def test_a_shorter_window_cuts_bars_and_drops_what_lies_beyond() -> None:
    chart = gantt_chart(document(), small_plant(), days=1)
    lathe = chart.rows[0]
    assert [b.order_ids for b in lathe.bars] == [("A",)]  # Tuesday's work is outside Monday
    assert lathe.bars[0].segments == ((utc(0, 8), utc(0, 16)),)
    assert lathe.closed == ((utc(0, 0), utc(0, 8)), (utc(0, 16), utc(1, 0)))


def test_labels_name_order_and_item_and_rows_name_the_resource() -> None:
    chart = gantt_chart(document(), small_plant())
    assert [bar_label(b) for b in chart.rows[0].bars] == ["A X", "B+1 X"]
    assert row_label(chart.rows[0]) == "Lathe (L)"


# -- the PNG ----------------------------------------------------------------------------------


def _pixels(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    return (imread(str(path))[:, :, :3] * 255).round().astype(int)


def _count(pixels: np.ndarray, colour: str) -> int:
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return int((pixels == rgb).all(axis=2).sum())


def test_the_png_has_the_size_asked_and_is_not_blank(tmp_path: Path) -> None:
    path = draw_gantt(gantt_chart(document(), small_plant(), at_risk={"A"}), tmp_path / "g" / "gantt.png")
    pixels = _pixels(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pixels.shape[:2] == (int(3.0 * 110), 14 * 110)  # two rows: the 3-inch minimum height, 110 dpi
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # text, bars, shading: far from blank


def test_legend_colours_are_the_bar_colours_and_the_legend_sits_beside_the_plot(tmp_path: Path) -> None:
    chart = gantt_chart(document(), small_plant(), at_risk={"A"})
    figure = gantt_figure(chart)
    [ax] = figure.axes
    legend = ax.get_legend()
    legend_colours = {to_hex(h.get_facecolor()) for h in legend.legend_handles}  # type: ignore[union-attr]
    bar_colours = {to_hex(c) for coll in ax.collections if isinstance(coll, PolyCollection)
                   for c in coll.get_facecolors()}
    assert bar_colours <= legend_colours
    assert legend_colours == {*STATUS_COLOURS.values(), CLOSED_COLOUR}
    # outside the axes: the legend starts right of the plot, so it covers no day
    figure.canvas.draw()  # type: ignore[no-untyped-call]
    assert legend.get_window_extent().x0 > ax.get_window_extent().x1

    path = draw_gantt(chart, tmp_path / "gantt.png")
    pixels = _pixels(path)
    plot_right = int(ax.get_position().x1 * pixels.shape[1])
    for status in (BarStatus.AT_RISK, BarStatus.LATE, BarStatus.WORK_ORDER):  # drawn, and in the legend
        colour = STATUS_COLOURS[status]
        assert _count(pixels[:, :plot_right], colour) > 100, status
        assert _count(pixels[:, plot_right:], colour) > 20, status
    assert _count(pixels[:, :plot_right], STATUS_COLOURS[BarStatus.ON_TIME]) == 0  # no bar is on time here


def test_bar_labels_are_at_least_8_points(tmp_path: Path) -> None:
    figure = gantt_figure(gantt_chart(document(), small_plant(), days=7))
    [ax] = figure.axes
    labels = [text for text in ax.texts if text.get_text()]
    # A runs 8 hours on Monday: room for order and item; the 6-hour campaign bar names its orders only
    assert {text.get_text() for text in labels} == {"A X", "B+1"}
    assert min(text.get_fontsize() for text in labels) >= 8
    assert {tick.get_text() for tick in ax.get_yticklabels()} == {"Lathe (L)", "Saw (S)"}


def test_bars_keep_the_plants_local_time() -> None:
    builder = PlantBuilder(timezone="Asia/Shanghai").calendar(DAY_SHIFT).resource("L", "DAY", name="Lathe")
    snapshot = builder.make("X", ("L", 1.0)).order("A", "X", 8, date(2027, 1, 5)).build()
    eight = datetime(2027, 1, 4, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    chart = gantt_chart({"as_of": "2027-01-04", "operations": [op("A", "X", "L", eight, eight.replace(hour=16), 8)],
                         "orders": [{"order_id": "A", "late_days": 0, "completion": eight.isoformat()}]}, snapshot)
    [bar] = chart.bars
    assert (bar.start.hour, bar.end.hour, bar.start.utcoffset()) == (8, 16, timedelta(hours=8))
    assert "01-04 08:00 → 01-04 16:00" in hover(bar, "en")


def test_the_order_list_shows_late_then_at_risk_then_on_time_each_by_promise() -> None:
    def state(order_id: str, promised: int, outlook: Outlook) -> OrderState:
        return OrderState(order_id, "Acme", "X", 1.0, date(2027, 1, promised), date(2027, 1, promised), outlook)

    states = {s.order_id: s for s in (state("A", 5, Outlook.ON_TRACK), state("B", 6, Outlook.AT_RISK),
                                      state("C", 7, Outlook.ON_TRACK), state("D", 8, Outlook.LATE),
                                      state("E", 9, Outlook.ON_TRACK))}
    document = {"orders": [{"order_id": "C", "late_days": 2, "completion": "2027-01-09T10:00:00+00:00",
                            "completion_date": "2027-01-09"}]}
    rows = board_orders(states, document)
    assert [(o.order_id, o.status) for o in rows] == [
        ("C", BarStatus.LATE), ("D", BarStatus.LATE), ("B", BarStatus.AT_RISK), ("A", BarStatus.ON_TIME),
        ("E", BarStatus.ON_TIME)]
    assert rows[0].scheduled_date == date(2027, 1, 9) and rows[1].scheduled_date is None
