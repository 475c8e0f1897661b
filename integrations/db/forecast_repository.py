"""Forecast rows by source: imported with the plant ('import') or saved by `planbridge forecast --save`
('statistical'). MRP reads them all through the plant snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from integrations.db import models as m
from planning_core.model import ForecastEntry

if TYPE_CHECKING:
    from planning_core.forecasting import SavedForecast

STATISTICAL = "statistical"
IMPORTED = "import"
_CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


class SqlForecastRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[tuple[ForecastEntry, str]]:
        rows = self.session.execute(
            select(m.ForecastRow.item_id, m.ForecastRow.period_start, m.ForecastRow.qty, m.ForecastRow.source)
            .order_by(m.ForecastRow.item_id, m.ForecastRow.period_start)
        )
        return [(ForecastEntry(r.item_id, r.period_start, r.qty), r.source) for r in rows]

    def save_statistical(
        self, entries: Sequence[ForecastEntry], *, first_period: date, override_imported: bool = False
    ) -> SavedForecast:
        """Store a statistical forecast from `first_period` on, item by item.

        Earlier statistical rows of the same items from `first_period` on are replaced. An
        item whose imported forecast still runs on or after `first_period` keeps it (a
        planner's or sales team's number wins over the statistics), unless
        `override_imported`, which deletes those imported rows first. Items never mix the
        two sources inside the horizon, so MRP never counts demand twice.
        """
        from planning_core.forecasting import SavedForecast  # pandas only when a forecast is saved

        item_ids = sorted({e.item_id for e in entries})
        for chunk in _chunks(item_ids):
            self.session.execute(delete(m.ForecastRow).where(
                m.ForecastRow.source == STATISTICAL, m.ForecastRow.item_id.in_(chunk),
                m.ForecastRow.period_start >= first_period,
            ))
        imported = self._imported_running_into(item_ids, first_period)
        replaced = 0
        if override_imported and imported:
            for chunk in _chunks(sorted(imported)):
                result = self.session.execute(delete(m.ForecastRow).where(
                    m.ForecastRow.source == IMPORTED, m.ForecastRow.item_id.in_(chunk),
                    m.ForecastRow.period_start >= first_period,
                ))
                replaced += int(getattr(result, "rowcount", 0) or 0)
            imported = set()
        rows = [
            {"item_id": e.item_id, "period_start": e.period_start, "qty": e.qty, "source": STATISTICAL}
            for e in entries if e.item_id not in imported and e.period_start >= first_period
        ]
        for start in range(0, len(rows), 5_000):
            self.session.execute(insert(m.ForecastRow), rows[start : start + 5_000])
        return SavedForecast(len(rows), len({r["item_id"] for r in rows}), tuple(sorted(imported)), replaced)

    def _imported_running_into(self, item_ids: Sequence[str], first_period: date) -> set[str]:
        found: list[ForecastEntry] = []
        for chunk in _chunks(list(item_ids)):
            found += [
                ForecastEntry(r.item_id, r.period_start, r.qty)
                for r in self.session.execute(
                    select(m.ForecastRow.item_id, m.ForecastRow.period_start, m.ForecastRow.qty)
                    .where(m.ForecastRow.source == IMPORTED, m.ForecastRow.item_id.in_(chunk))
                )
            ]
        if not found:
            return set()
        from planning_core.mrp.inputs import forecast_periods

        periods = forecast_periods(found)
        running = periods[periods["end"].dt.date > first_period]
        return {str(i) for i in running["item_id"].unique()}


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[k : k + _CHUNK] for k in range(0, len(values), _CHUNK)]
