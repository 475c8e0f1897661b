"""Weekly demand history, the method rules and the statistical forecast on small hand-made histories."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from planning_core.forecasting import (
    ForecastSettings,
    Method,
    choose_method,
    forecast_demand,
    weekly_history,
)
from planning_core.model import OrderStatus
from tests.plants import MONDAY, PlantBuilder, bench_plant

SHIPPED = OrderStatus.SHIPPED
WEDNESDAY = MONDAY + timedelta(days=2)


def shipments(item: str, weekly: list[float], *, builder: PlantBuilder | None = None) -> PlantBuilder:
    """One shipment per week with demand (shipped on the Wednesday), the last one in the week before MONDAY."""
    b = builder or bench_plant()
    if item not in b.items:
        b.buy(item)
    for k, qty in enumerate(weekly):
        if qty:
            day = MONDAY - timedelta(weeks=len(weekly) - k) + timedelta(days=2)
            b.order(f"{item}-{k}", item, qty, day, status=SHIPPED, shipped=day)
    return b


def test_weekly_history_sums_shipped_quantities_per_week_and_fills_gaps() -> None:
    b = shipments("X", [5, 0, 7])
    b.order("X-extra", "X", 10, MONDAY - timedelta(days=4), status=SHIPPED, shipped=MONDAY - timedelta(days=4), shipped_qty=3)
    b.order("X-now", "X", 9, WEDNESDAY, status=SHIPPED, shipped=WEDNESDAY)  # this week: not complete
    b.order("X-open", "X", 9, MONDAY - timedelta(days=9))  # open orders are not demand history
    history = weekly_history(b.build(), as_of=WEDNESDAY)
    assert history["ds"].dt.date.tolist() == [date(2026, 12, 14), date(2026, 12, 21), date(2026, 12, 28)]
    assert history["y"].tolist() == [5, 0, 7 + 3]


@pytest.mark.parametrize(
    ("series", "method"),
    [
        ([3, 4, 5], Method.AVERAGE),  # under 8 weeks
        ([0, 0, 5, 0, 0, 0, 4, 0, 0, 3], Method.IMAPA),  # mostly zero weeks
        ([5, 6, 5, 7, 6, 5, 6, 7, 5, 6], Method.SEASONAL_NAIVE),  # 10 weeks: short history
        ([5.0 + k % 3 for k in range(30)], Method.AUTO_ETS),
    ],
)
def test_method_rules(series: list[float], method: Method) -> None:
    assert choose_method(np.array(series, dtype=float), ForecastSettings()) is method


def test_steady_demand_is_forecast_flat_from_the_current_week() -> None:
    plant = shipments("STEADY", [20.0] * 30)
    run = forecast_demand(plant.build(), as_of=WEDNESDAY, settings=ForecastSettings(horizon_weeks=4))
    (item,) = run.items
    assert item.method is Method.AUTO_ETS and item.history_weeks == 30
    assert [d for d, _ in item.periods] == [MONDAY + timedelta(weeks=k) for k in range(4)]
    assert [q for _, q in item.periods] == pytest.approx([20, 20, 20, 20], abs=0.01)
    assert run.backtest is not None and run.backtest.wape == pytest.approx(0, abs=0.001)
    first = run.entries()[0]
    assert (first.item_id, first.period_start, len(run.entries())) == ("STEADY", MONDAY, 4)


def test_short_history_repeats_the_last_four_weeks_and_backtest_compares_with_naive() -> None:
    pattern = [10.0, 20.0, 30.0, 40.0]
    run = forecast_demand(shipments("CYCLE", pattern * 5).build(), as_of=MONDAY, settings=ForecastSettings(horizon_weeks=6))
    (item,) = run.items
    assert item.method is Method.SEASONAL_NAIVE
    assert [q for _, q in item.periods] == [10, 20, 30, 40, 10, 20]
    backtest = run.backtest
    assert backtest is not None
    # the last 8 weeks (10,20,30,40,10,20,30,40) are repeated exactly by the 4-week pattern;
    # naive repeats 40: errors 30+20+10+0+30+20+10+0 = 120 of 200
    assert backtest.wape == 0.0 and backtest.naive_wape == 0.6


def test_intermittent_item_gets_a_small_positive_rate() -> None:
    weekly = [0.0, 0.0, 12.0, 0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 15.0, 0.0, 0.0] * 2
    run = forecast_demand(shipments("SPARE", weekly).build(), as_of=MONDAY)
    (item,) = run.items
    assert item.method is Method.IMAPA
    rate = item.periods[0][1]
    assert 0 < rate < 12  # a weekly rate, not a spike
    assert all(q == rate for _, q in item.periods)


def test_an_item_that_sold_430_in_two_months_is_not_forecast_at_zero() -> None:
    # 150, 180 and 100 pieces in 7 weeks, none in the last two: a naive forecast (last week) says
    # 0; the average of the weeks so far says 430 / 7 a week.
    run = forecast_demand(shipments("CHECK", [150, 0, 180, 0, 100, 0, 0]).build(), as_of=MONDAY)
    (item,) = run.items
    assert item.method is Method.AVERAGE and item.history_weeks == 7
    assert [q for _, q in item.periods][:3] == pytest.approx([430 / 7] * 3, abs=0.001)
    # a week more, mostly zero weeks: the intermittent-demand method, still a positive rate
    (longer,) = forecast_demand(shipments("CHECK", [150, 0, 180, 0, 100, 0, 0, 0]).build(), as_of=MONDAY).items
    assert longer.method is Method.IMAPA and longer.periods[0][1] > 10


def test_a_short_history_still_gets_a_backtest() -> None:
    # 8 weeks: 4 to fit on, 4 held out (fewer than the 8 asked for); the average of 10, 20, 30,
    # 40 is 25 against 10, 20, 30, 40: errors 15+5+5+15 = 40 of 100; naive (40): 30+20+10+0 = 60.
    run = forecast_demand(shipments("CYCLE", [10.0, 20.0, 30.0, 40.0] * 2).build(), as_of=MONDAY)
    backtest = run.backtest
    assert backtest is not None and backtest.holdout_weeks == 4
    assert backtest.wape == 0.4 and backtest.naive_wape == 0.6


def test_no_history_gives_no_forecast() -> None:
    run = forecast_demand(bench_plant().buy("X").build(), as_of=MONDAY)
    assert run.items == () and run.backtest is None
