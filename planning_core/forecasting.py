"""Statistical demand forecast per item from the shipped-order history (statsforecast).

The demand series of an item is its shipped quantity (`shipped_qty`, else `qty`) per
week (weeks start on Monday, by `shipped_date`), from the week of its first shipment to
the last complete week before the as-of date; weeks without shipments count as zero.
Each series gets one method, by these rules (in order):

1. fewer than `min_history_weeks` weeks → `average` (the mean of the weeks so far: repeating
   the last week, as a naive forecast does, says zero for an item that sold 430 pieces in two
   months but nothing last week);
2. at least `intermittent_share` of the weeks are zero → `imapa` (IMAPA: Croston-style
   smoothing of the series aggregated over several interval lengths and averaged; made
   for intermittent demand, and on the generated plants the least biased of Croston,
   SBA, TSB, ADIDA and IMAPA);
3. fewer than `short_history_weeks` weeks → `seasonal_naive` (the last `season_length`
   weeks repeated);
4. otherwise → `auto_ets` (AutoETS picks error, trend and damping by AICc; weekly data
   has no ETS seasonality: ETS supports seasons of at most 24 periods).

If a model fails on a series, statsforecast falls back to `average`. Forecasts are clipped
at zero. The backtest holds out the last `holdout_weeks` weeks (fewer when the history is
short: as many as leave `MIN_TRAIN_WEEKS` to fit on, at least `MIN_HOLDOUT_WEEKS`) of every
series that is long enough, fits the same rules on the rest, and reports WAPE
(Σ|actual - forecast| / Σ actual) next to the WAPE of a naive forecast (the last week
repeated) on the same weeks.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planning_core.model import ForecastEntry, OrderStatus, PlantSnapshot

FloatArray = npt.NDArray[np.float64]


MIN_TRAIN_WEEKS = 4
MIN_HOLDOUT_WEEKS = 2


class Method(StrEnum):
    NAIVE = "naive"
    AVERAGE = "average"
    SEASONAL_NAIVE = "seasonal_naive"
    IMAPA = "imapa"
    AUTO_ETS = "auto_ets"


@dataclass(frozen=True)
class ForecastSettings:
    horizon_weeks: int = 12
    holdout_weeks: int = 8
    min_history_weeks: int = 8
    short_history_weeks: int = 26
    season_length: int = 4
    intermittent_share: float = 0.5
    n_jobs: int = 1

    def __post_init__(self) -> None:
        if self.horizon_weeks < 1 or self.holdout_weeks < 1:
            raise ValueError("horizon and holdout must be at least one week")


@dataclass(frozen=True)
class SavedForecast:
    """What `--save` stored (see the forecast repository for the rules)."""

    written: int  # statistical rows stored
    items: int  # items they cover
    kept_imported: tuple[str, ...]  # items left on their imported forecast
    replaced_imported: int  # imported rows removed (only when overriding imports)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_number(day: date) -> int:
    """Weeks since 0001-01-01, a Monday: week k starts on the day with ordinal 7k + 1."""
    return (day.toordinal() - 1) // 7


def weekly_history(snapshot: PlantSnapshot, *, as_of: date) -> pd.DataFrame:
    """Long table `unique_id`, `ds` (Monday), `y`: complete weeks before the as-of date's week."""
    current = _week_number(as_of)
    shipped = [o for o in snapshot.sales_orders if o.status is OrderStatus.SHIPPED and o.shipped_date is not None]
    week = np.fromiter((_week_number(o.shipped_date) for o in shipped if o.shipped_date), dtype=np.int64,
                       count=len(shipped))
    qty = np.fromiter((o.shipped_qty if o.shipped_qty is not None else o.qty for o in shipped), dtype=np.float64,
                      count=len(shipped))
    names, item = np.unique(np.array([o.item_id for o in shipped], dtype=object), return_inverse=True)
    past = week < current
    week, qty, item = week[past], qty[past], item[past]
    if not week.size:
        return pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                             "y": pd.Series(dtype=float)})
    first = np.full(len(names), current, dtype=np.int64)
    np.minimum.at(first, item, week)
    present = np.flatnonzero(first < current)  # items with at least one past shipment
    lengths = current - first[present]
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    slot = np.zeros(len(names), dtype=np.int64)
    slot[present] = offsets
    y = np.zeros(int(lengths.sum()))
    np.add.at(y, slot[item] + week - first[item], qty)
    weeks = np.repeat(first[present], lengths) + np.arange(y.size) - np.repeat(offsets, lengths)
    mondays = (weeks * 7 + 1 - date(1970, 1, 1).toordinal()).astype("datetime64[D]").astype("datetime64[ns]")
    return pd.DataFrame({"unique_id": np.repeat(names[present].astype(str), lengths), "ds": mondays, "y": y})


def choose_method(y: FloatArray, settings: ForecastSettings) -> Method:
    if len(y) < settings.min_history_weeks:
        return Method.AVERAGE
    if float(np.mean(y == 0)) >= settings.intermittent_share:
        return Method.IMAPA
    if len(y) < settings.short_history_weeks:
        return Method.SEASONAL_NAIVE
    return Method.AUTO_ETS


def _statsforecast() -> Any:
    """Import statsforecast with numba's compiled functions cached on disk (JIT dominates cold runs)."""
    os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "planbridge" / "numba"
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache))
    import statsforecast
    import statsforecast.models

    return statsforecast


def _model(method: Method, settings: ForecastSettings) -> Any:
    models = _statsforecast().models
    if method is Method.NAIVE:
        return models.Naive()
    if method is Method.AVERAGE:
        return models.HistoricAverage()
    if method is Method.SEASONAL_NAIVE:
        return models.SeasonalNaive(season_length=settings.season_length)
    if method is Method.IMAPA:
        return models.IMAPA()
    return models.AutoETS(season_length=1)


def _by_method(history: pd.DataFrame, settings: ForecastSettings) -> Iterator[tuple[Method, pd.DataFrame]]:
    methods = {
        str(item_id): choose_method(group["y"].to_numpy(dtype=np.float64), settings)
        for item_id, group in history.groupby("unique_id", sort=True)
    }
    chosen = history["unique_id"].map(methods)
    for method in Method:
        part = history[chosen == method]
        if len(part):
            yield method, part


def _fit_predict(history: pd.DataFrame, *, h: int, settings: ForecastSettings) -> pd.DataFrame:
    """Point forecasts `unique_id`, `ds`, `yhat`, `method` for every series in `history`."""
    sf = _statsforecast()
    frames = []
    for method, part in _by_method(history, settings):
        engine = sf.StatsForecast(
            models=[_model(method, settings)], freq="7D", n_jobs=settings.n_jobs,
            fallback_model=sf.models.HistoricAverage()
        )
        predicted = engine.forecast(h=h, df=part)
        value_column = next(c for c in predicted.columns if c not in ("unique_id", "ds"))
        frames.append(pd.DataFrame({
            "unique_id": predicted["unique_id"].astype(str).to_numpy(),
            "ds": pd.to_datetime(predicted["ds"]).to_numpy(),
            "yhat": np.clip(predicted[value_column].to_numpy(dtype=np.float64), 0.0, None),
            "method": method.value,
        }))
    if not frames:
        return pd.DataFrame(columns=["unique_id", "ds", "yhat", "method"])
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True, slots=True)
class ItemForecast:
    item_id: str
    method: Method
    history_weeks: int
    periods: tuple[tuple[date, float], ...]  # (week start, quantity)

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id, "method": self.method.value, "history_weeks": self.history_weeks,
            "forecast": [{"period_start": d.isoformat(), "qty": q} for d, q in self.periods],
        }


@dataclass(frozen=True, slots=True)
class BacktestLine:
    item_id: str
    method: Method
    actual: float
    abs_error: float
    naive_abs_error: float

    @property
    def wape(self) -> float | None:
        return round(self.abs_error / self.actual, 4) if self.actual else None

    @property
    def naive_wape(self) -> float | None:
        return round(self.naive_abs_error / self.actual, 4) if self.actual else None


@dataclass(frozen=True)
class Backtest:
    holdout_weeks: int
    lines: tuple[BacktestLine, ...]

    @staticmethod
    def _wape(lines: Sequence[BacktestLine], naive: bool) -> float | None:
        actual = sum(line.actual for line in lines)
        error = sum(line.naive_abs_error if naive else line.abs_error for line in lines)
        return round(error / actual, 4) if actual else None

    @property
    def wape(self) -> float | None:
        return self._wape(self.lines, naive=False)

    @property
    def naive_wape(self) -> float | None:
        return self._wape(self.lines, naive=True)

    def by_method(self) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[BacktestLine]] = defaultdict(list)
        for line in self.lines:
            groups[line.method.value].append(line)
        return {
            method: {"series": len(lines), "wape": self._wape(lines, False), "naive_wape": self._wape(lines, True)}
            for method, lines in sorted(groups.items())
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "holdout_weeks": self.holdout_weeks, "series": len(self.lines),
            "wape": self.wape, "naive_wape": self.naive_wape, "by_method": self.by_method(),
        }


@dataclass(frozen=True)
class ForecastRun:
    as_of: date
    settings: ForecastSettings
    items: tuple[ItemForecast, ...]
    backtest: Backtest | None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def first_period(self) -> date:
        return week_start(self.as_of)

    def entries(self) -> list[ForecastEntry]:
        return [ForecastEntry(f.item_id, d, q) for f in self.items for d, q in f.periods]

    def to_json(self) -> dict[str, Any]:
        methods: dict[str, int] = defaultdict(int)
        for f in self.items:
            methods[f.method.value] += 1
        return {
            "as_of": self.as_of.isoformat(),
            "first_period": self.first_period.isoformat(),
            "horizon_weeks": self.settings.horizon_weeks,
            "series": len(self.items),
            "methods": dict(sorted(methods.items())),
            "backtest": self.backtest.to_json() if self.backtest else None,
            "items": [f.to_json() for f in self.items],
        }


def forecast_demand(snapshot: PlantSnapshot, *, as_of: date, settings: ForecastSettings | None = None) -> ForecastRun:
    """Weekly forecast per item for `horizon_weeks` weeks from the as-of date's week, with a backtest."""
    settings = settings or ForecastSettings()
    history = weekly_history(snapshot, as_of=as_of)
    started = time.perf_counter()
    predicted = _fit_predict(history, h=settings.horizon_weeks, settings=settings) if len(history) else None
    fitted = time.perf_counter()
    backtest = run_backtest(history, settings) if len(history) else None
    done = time.perf_counter()
    return ForecastRun(
        as_of=as_of,
        settings=settings,
        items=tuple(_item_forecasts(history, predicted, week_start(as_of))) if predicted is not None else (),
        backtest=backtest,
        seconds={"forecast": round(fitted - started, 3), "backtest": round(done - fitted, 3)},
    )


def _item_forecasts(history: pd.DataFrame, predicted: pd.DataFrame, first: date) -> Iterator[ItemForecast]:
    lengths = history.groupby("unique_id").size()
    for item_id, group in predicted.groupby("unique_id", sort=True):
        values = group.sort_values("ds")["yhat"].to_numpy(dtype=np.float64)
        periods = tuple((first + timedelta(weeks=k), round(float(v), 3)) for k, v in enumerate(values))
        yield ItemForecast(str(item_id), Method(str(group["method"].iloc[0])), int(lengths[item_id]), periods)


def run_backtest(history: pd.DataFrame, settings: ForecastSettings) -> Backtest | None:
    """Hold out the last weeks of each long-enough series; compare the method with a naive forecast."""
    lengths = history.groupby("unique_id")["y"].transform("size")
    h = min(settings.holdout_weeks, int(lengths.max()) - MIN_TRAIN_WEEKS)
    if h < MIN_HOLDOUT_WEEKS:
        return None
    position = history.groupby("unique_id").cumcount()
    usable = lengths >= h + MIN_TRAIN_WEEKS
    train = history[usable & (position < lengths - h)]
    test = history[usable & (position >= lengths - h)]
    if train.empty:
        return None
    predicted = _fit_predict(train, h=h, settings=settings)
    last_value = train.groupby("unique_id")["y"].last()
    test = test.assign(step=test.groupby("unique_id").cumcount())
    predicted = predicted.assign(step=predicted.sort_values(["unique_id", "ds"]).groupby("unique_id").cumcount())
    merged = test.merge(predicted[["unique_id", "step", "yhat", "method"]], on=["unique_id", "step"], how="left")
    merged["naive"] = merged["unique_id"].map(last_value)
    merged["err"] = (merged["y"] - merged["yhat"].fillna(0.0)).abs()
    merged["naive_err"] = (merged["y"] - merged["naive"]).abs()
    sums = merged.groupby("unique_id").agg(
        actual=("y", "sum"), err=("err", "sum"), naive_err=("naive_err", "sum"), method=("method", "first")
    )
    lines = tuple(
        BacktestLine(str(item_id), Method(str(method)), float(actual), float(err), float(naive_err))
        for item_id, method, actual, err, naive_err in zip(
            sums.index, sums["method"], sums["actual"].to_numpy(dtype=np.float64), sums["err"].to_numpy(dtype=np.float64),
            sums["naive_err"].to_numpy(dtype=np.float64), strict=True,
        )
    )
    return Backtest(h, lines)
