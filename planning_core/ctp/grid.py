"""The plant's working time cut into slots: the time axis of the capable-to-promise model.

A slot boundary lies at every midnight and wherever any resource starts or stops
working, so inside one slot every resource either works throughout or not at all.
That makes "minutes of capacity in a slot" exact and lets steps overlap unit by
unit inside a slot (pipelining), as the planning semantics allow.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from planning_core.calendars import Minutes, TimeAxis, working_minutes
from planning_core.model import PlantSnapshot, WorkOrderStatus

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class SlotGrid:
    axis: TimeAxis
    starts: FloatArray  # minutes since origin, one per slot
    ends: FloatArray
    day: IntArray  # plant-local day index of each slot
    resource_ids: tuple[str, ...]
    capacity: FloatArray  # [resource, slot] unit-minutes available (work orders already deducted)
    windows: dict[str, list[tuple[Minutes, Minutes]]]  # working intervals per resource
    free_units: FloatArray  # [resource, slot] units not held by work orders (0 outside working time)

    @property
    def slots(self) -> int:
        return len(self.starts)

    @property
    def days(self) -> int:
        return self.axis.days

    @cached_property
    def day_last_slot(self) -> IntArray:
        """Index of the last slot of each day (deliveries of day d happen at its end)."""
        last = np.full(self.days, -1, dtype=np.int64)
        last[self.day] = np.arange(self.slots)  # later slots overwrite earlier ones
        return last

    @cached_property
    def day_first_slot(self) -> IntArray:
        first = np.full(self.days, -1, dtype=np.int64)
        first[self.day[::-1]] = np.arange(self.slots)[::-1]
        return first

    @cached_property
    def resource_index(self) -> dict[str, int]:
        return {rid: k for k, rid in enumerate(self.resource_ids)}

    @cached_property
    def _minutes_per_day(self) -> dict[str, FloatArray]:
        return {}

    def working_minutes_per_day(self, resource_id: str) -> FloatArray:
        """Minutes the resource's calendar works on each day (exceptions and holidays applied)."""
        known = self._minutes_per_day.get(resource_id)
        if known is not None:
            return known
        starts = np.asarray(self.axis.day_starts[: self.days + 1], dtype=float)
        minutes = np.zeros(self.days)
        for a, b in self.windows.get(resource_id, ()):
            first = max(int(np.searchsorted(starts, a, side="right")) - 1, 0)
            for d in range(first, self.days):
                if starts[d] >= b:
                    break
                minutes[d] += max(0.0, min(b, starts[d + 1]) - max(a, starts[d]))
        minutes.flags.writeable = False
        self._minutes_per_day[resource_id] = minutes
        return minutes

    def slot_at(self, minutes: Minutes) -> int:
        """The slot containing `minutes` (the first slot for anything before the origin)."""
        index = int(np.searchsorted(self.starts, minutes, side="right")) - 1
        return max(0, min(index, self.slots - 1))

    def day_of_date(self, day: date) -> int:
        return (day - self.axis.origin_day).days

    def date_of_day(self, day: int) -> date:
        return self.axis.origin_day + timedelta(days=day)


def window(grid: SlotGrid, days: int, *, capacity: FloatArray | None = None) -> SlotGrid:
    """The first `days` days of a grid (same slots), with other capacity if given."""
    if days >= grid.days:
        return grid if capacity is None else replace(grid, capacity=capacity)
    last = int(grid.day_first_slot[days]) if grid.day_first_slot[days] >= 0 else grid.slots
    full = grid.capacity if capacity is None else capacity
    return SlotGrid(
        TimeAxis(grid.axis.origin_day, grid.axis.timezone, days), grid.starts[:last], grid.ends[:last],
        grid.day[:last], grid.resource_ids, full[:, :last], grid.windows, grid.free_units[:, :last],
    )


def build_grid(snapshot: PlantSnapshot, *, as_of: date, days: int, resource_ids: tuple[str, ...] | None = None) -> SlotGrid:
    axis = TimeAxis(as_of, snapshot.plant.timezone, days)
    horizon = axis.day_starts[days]
    resource_ids = resource_ids if resource_ids is not None else tuple(sorted(snapshot.resources))
    by_calendar: dict[str, list[tuple[Minutes, Minutes]]] = {}
    windows: dict[str, list[tuple[Minutes, Minutes]]] = {}
    for rid in resource_ids:
        calendar_id = snapshot.resources[rid].calendar_id
        if calendar_id not in by_calendar:
            raw = working_minutes(snapshot.calendars[calendar_id], plant=snapshot.plant, axis=axis)
            by_calendar[calendar_id] = [(max(a, 0.0), min(b, horizon)) for a, b in raw if b > 0 and a < horizon]
        windows[rid] = by_calendar[calendar_id]
    cuts = set(axis.day_starts[: days + 1])
    for spans in by_calendar.values():
        for a, b in spans:
            cuts.update((a, b))
    busy = _work_order_spans(snapshot, axis, resource_ids)
    for spans in busy.values():
        for a, b in spans:
            cuts.update((a, b))
    bounds = np.array(sorted(c for c in cuts if 0.0 <= c <= horizon))
    starts, ends = bounds[:-1], bounds[1:]
    keep = ends - starts > 1e-9
    starts, ends = starts[keep], ends[keep]
    day = np.searchsorted(np.asarray(axis.day_starts), starts, side="right") - 1
    free_units = np.zeros((len(resource_ids), len(starts)))
    for k, rid in enumerate(resource_ids):
        units = snapshot.resources[rid].units
        for a, b in windows[rid]:
            lo, hi = int(np.searchsorted(starts, a - 1e-9)), int(np.searchsorted(starts, b - 1e-9))
            free_units[k, lo:hi] = units
        for a, b in busy.get(rid, ()):
            lo, hi = int(np.searchsorted(starts, a - 1e-9)), int(np.searchsorted(starts, b - 1e-9))
            free_units[k, lo:hi] = np.maximum(free_units[k, lo:hi] - 1, 0)
    capacity = free_units * (ends - starts)
    return SlotGrid(axis, starts, ends, day.astype(np.int64), resource_ids, capacity, windows, free_units)


def _work_order_spans(
    snapshot: PlantSnapshot, axis: TimeAxis, resource_ids: tuple[str, ...]
) -> dict[str, list[tuple[Minutes, Minutes]]]:
    """Time a released or running work order holds one unit of its resource (until it ends)."""
    wanted = set(resource_ids)
    horizon = axis.day_starts[axis.days]
    spans: dict[str, list[tuple[Minutes, Minutes]]] = {}
    for wo in snapshot.work_orders:
        if wo.status is WorkOrderStatus.DONE or wo.resource_id not in wanted:
            continue
        start, end = max(axis.to_minutes(wo.start), 0.0), min(axis.to_minutes(wo.end), horizon)
        if end > start:
            spans.setdefault(wo.resource_id, []).append((start, end))
    return spans
