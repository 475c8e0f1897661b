"""Lead-time offsetting, vectorised over items.

Every item counts its lead time in *working days* of one calendar:

- a bought item: `lead_time_days` on an every-day calendar (calendar days, CONTRACT §3);
- a made item: ceil(Σ over routing steps of (setup + run × qty) / average working minutes
  per working day of the step's first alternative resource's calendar), counted on the
  calendar of the first step's first resource. Resource units and alternatives are
  ignored here: MRP plans with infinite capacity; `planbridge schedule` does the rest.
- a made item without a routing has no lead time.

A planned order is usable from 00:00 of its due date (like a purchase order), so its
production occupies the `n` working days before the due date: the release date is the
`n`-th working day before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning_core.calendars import TimeAxis, working_minutes
from planning_core.model import Calendar, ItemType, PlantSnapshot
from planning_core.mrp.grid import BoolArray, FloatArray, Grid, IntArray

ALL_DAYS_ROW = 0


@dataclass(frozen=True)
class CalendarDays:
    """Working minutes per day of one calendar over the grid's days."""

    minutes: FloatArray

    @property
    def working(self) -> BoolArray:
        return self.minutes > 0.5

    @property
    def minutes_per_working_day(self) -> float:
        count = int(self.working.sum())
        return float(self.minutes.sum()) / count if count else float("nan")


def calendar_days(calendar: Calendar, snapshot: PlantSnapshot, grid: Grid) -> CalendarDays:
    axis = TimeAxis(grid.as_of, snapshot.plant.timezone, grid.days)
    starts = np.asarray(axis.day_starts, dtype=np.float64)
    minutes = np.zeros(grid.days, dtype=np.float64)
    for begin, end in working_minutes(calendar, plant=snapshot.plant, axis=axis):
        # clip the interval to every day it touches (night shifts cross midnight)
        overlap = np.minimum(end, starts[1:]) - np.maximum(begin, starts[:-1])
        minutes += np.clip(overlap, 0.0, None)
    return CalendarDays(minutes)


@dataclass(frozen=True)
class LeadTimes:
    fixed: FloatArray  # working days whatever the quantity
    per_unit: FloatArray  # working days per unit made
    calendar_row: IntArray  # row of `cumulative` each item counts on
    cumulative: IntArray  # [calendar, day]: working days in days [0, day)
    no_capacity: BoolArray  # made items whose calendar has no working time at all

    @property
    def _never(self) -> int:
        return int(self.cumulative.shape[1]) + 1

    def working_days(self, items: IntArray, qty: FloatArray) -> IntArray:
        raw = self.fixed[items] + self.per_unit[items] * qty
        days = np.ceil(np.minimum(raw, self._never) - 1e-9).astype(np.int64)
        return np.where(self.no_capacity[items], self._never, np.maximum(days, 0))

    def earliest_day(self, items: IntArray, wd: IntArray) -> IntArray:
        """First day by whose 00:00 `wd` working days can be done, starting today.

        A result past the last grid day means: not within the horizon."""
        flat, stride, width = self._flat()
        rows = self.calendar_row[items]
        pos = np.searchsorted(flat, rows * stride + np.minimum(wd, stride - 1), side="left")
        return np.asarray(pos - rows * width, dtype=np.int64)

    def release_day(self, items: IntArray, due: IntArray, wd: IntArray) -> IntArray:
        """The `wd`-th working day before `due` (or `due` itself when wd is 0); -1 when before today."""
        flat, stride, width = self._flat()
        rows = self.calendar_row[items]
        target = self.cumulative[rows, due] - wd
        pos = np.searchsorted(flat, rows * stride + np.maximum(target, 0), side="right") - 1
        release = np.minimum(pos - rows * width, due)
        return np.where(target < 0, -1, release).astype(np.int64)

    def _flat(self) -> tuple[IntArray, int, int]:
        # one sorted array for all calendars: row k is shifted by k * stride, so a single
        # searchsorted answers for items on different calendars at once
        width = int(self.cumulative.shape[1])
        stride = width + 1
        offsets = np.arange(self.cumulative.shape[0], dtype=np.int64)[:, None] * stride
        return (self.cumulative + offsets).ravel(), stride, width


def lead_times(snapshot: PlantSnapshot, grid: Grid, item_ids: list[str]) -> LeadTimes:
    used = sorted({snapshot.resources[s.resource_ids[0]].calendar_id for s in snapshot.routings if s.resource_ids})
    days = {cid: calendar_days(snapshot.calendars[cid], snapshot, grid) for cid in used}
    row_of = {cid: k + 1 for k, cid in enumerate(used)}
    cumulative = np.zeros((len(used) + 1, grid.days + 1), dtype=np.int64)
    cumulative[ALL_DAYS_ROW] = np.arange(grid.days + 1)
    for cid, row in row_of.items():
        cumulative[row, 1:] = np.cumsum(days[cid].working)
    per_day = {cid: d.minutes_per_working_day for cid, d in days.items()}

    n = len(item_ids)
    fixed = np.zeros(n)
    per_unit = np.zeros(n)
    rows = np.full(n, ALL_DAYS_ROW, dtype=np.int64)
    no_capacity = np.zeros(n, dtype=bool)
    for k, item_id in enumerate(item_ids):
        item = snapshot.items[item_id]
        if item.type is ItemType.BUY:
            fixed[k] = item.lead_time_days
            continue
        steps = [s for s in snapshot.routing_of.get(item_id, ()) if s.resource_ids]
        for step in steps:
            cid = snapshot.resources[step.resource_ids[0]].calendar_id
            minutes = per_day[cid]
            if np.isnan(minutes):
                no_capacity[k] = True
                continue
            fixed[k] += step.setup_minutes / minutes
            # each good unit of the item means `started_per_good` units through this step
            per_unit[k] += step.run_minutes_per_unit * snapshot.started_per_good(item_id, step.step) / minutes
        if steps:
            rows[k] = row_of[snapshot.resources[steps[0].resource_ids[0]].calendar_id]
    return LeadTimes(fixed, per_unit, rows, cumulative, no_capacity)
