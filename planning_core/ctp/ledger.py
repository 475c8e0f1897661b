"""Order-by-order loading of confirmed orders: the background plan of large plants.

For plants too large for one LP, confirmed orders are loaded one at a time in
due-date order onto the same slot grid and network the LP uses: stock and open
orders first (earliest first), then new purchases at their lead time, then
production placed as late as its due date allows (so early capacity stays free
for new quotes), step by step down the bill of materials. An order that cannot be
complete on time is loaded as early as possible instead, which gives its projected
date. The result is a valid bucketed plan (same semantics as the LP's) from which
a quote cuts out and re-optimises just the part its own item touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from planning_core.ctp.grid import FloatArray, IntArray, SlotGrid
from planning_core.ctp.lp import Supply
from planning_core.ctp.network import Network
from planning_core.model import ItemType, PlantSnapshot

TOL = 1e-9


@dataclass
class Loaded:
    """What the ledger committed: flows per arc and slot, purchases, projected days."""

    flow: dict[int, dict[int, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    minutes: dict[int, dict[int, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    bought: dict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))  # (point, slot) → units
    delivered: dict[str, tuple[int, float, int]] = field(default_factory=dict)  # order → (point, qty, day)
    projected_day: dict[str, int | None] = field(default_factory=dict)
    unused: list[tuple[int, int, float]] = field(default_factory=list)  # stock and receipts left: (point, slot, units)


@dataclass
class _Journal:
    capacity: list[tuple[int, int, float]] = field(default_factory=list)  # (resource row, slot, minutes taken)
    lots: list[tuple[int, int, float]] = field(default_factory=list)  # (point, lot index, units taken)
    flows: list[tuple[int, int, float, float]] = field(default_factory=list)  # (arc, slot, units, minutes)
    bought: list[tuple[int, int, float]] = field(default_factory=list)


class Ledger:
    def __init__(self, snapshot: PlantSnapshot, grid: SlotGrid, network: Network, supplies: Iterable[Supply],
                 buy_slot: dict[int, int]) -> None:
        self.snapshot, self.grid, self.network = snapshot, grid, network
        self.free: FloatArray = grid.capacity.copy()
        self.buy_slot = buy_slot
        lots: dict[int, list[list[float]]] = defaultdict(list)
        for s in supplies:
            lots[s.point].append([float(s.slot), s.qty])
        self.lots = {p: sorted(v) for p, v in lots.items()}
        self.steps_of: dict[str, list[list[int]]] = {}  # item → per routing step, its arcs (alternatives)
        for k, arc in enumerate(network.arcs):
            if arc.foreground:
                continue
            steps = self.steps_of.setdefault(arc.item_id, [])
            while len(steps) <= arc.step_index:
                steps.append([])
            steps[arc.step_index].append(k)
        self.loaded = Loaded()
        self._journal = _Journal()

    # -- public ------------------------------------------------------------------
    def load_order(self, key: str, item_id: str, qty: float, due_day: int) -> int | None:
        """Load one order; returns the day it will be complete (None: not within the horizon)."""
        point = self.network.inventory_point(item_id)
        deadline = int(self.grid.day_last_slot[min(max(due_day, 0), self.grid.days - 1)])
        self._journal = _Journal()
        if self._obtain_by(point, item_id, qty, deadline):
            day = max(due_day, 0)
        else:
            self._undo()
            self._journal = _Journal()
            ready = self._obtain_asap(point, item_id, qty)
            if ready is None:
                self._undo()
                self.loaded.projected_day[key] = None
                return None
            day = max(int(self.grid.day[ready]), due_day)
            self._relay_late(point, item_id, qty, day)
        self._commit()
        self.loaded.delivered[key] = (point, qty, day)
        self.loaded.projected_day[key] = day
        return day

    def _relay_late(self, point: int, item_id: str, qty: float, day: int) -> None:
        """A late order, once its day is known, is laid as late as that day allows instead of
        as early as possible: the early capacity it would hold stays free for the orders
        after it (which would otherwise be pushed late one after another)."""
        forward = self._journal
        self._undo()
        self._journal = _Journal()
        if self._obtain_by(point, item_id, qty, int(self.grid.day_last_slot[day])):
            return
        self._undo()  # the backward pass found no room after all: keep the forward plan
        self._redo(forward)

    def _redo(self, journal: _Journal) -> None:
        for row, slot, minutes in journal.capacity:
            self.free[row, slot] -= minutes
        for point, index, units in journal.lots:
            self.lots[point][index][1] -= units
        self._journal = journal

    def finish(self) -> Loaded:
        self.loaded.unused = [
            (point, int(slot), qty) for point, lots in self.lots.items() for slot, qty in lots if qty > TOL
        ]
        return self.loaded

    # -- backward: as late as the deadline allows --------------------------------------
    def _obtain_by(self, point: int, item_id: str, qty: float, deadline: int) -> bool:
        remaining = self._take_lots(point, qty, last_slot=deadline)
        if remaining <= TOL:
            return True
        item = self.snapshot.items[item_id]
        if item.type is ItemType.BUY:
            slot = self.buy_slot.get(point)
            if slot is None or slot > deadline:
                return False
            self._journal.bought.append((point, slot, remaining))
            return True
        steps = self.steps_of.get(item_id)
        if not steps:
            return False
        latest = deadline
        for arcs in reversed(steps):
            first = self._place_backward(arcs, remaining, latest)
            if first is None:
                return False
            latest = first
        return all(
            self._obtain_by(self.network.inventory_point(line.component_id), line.component_id,
                            remaining * line.gross_qty_per, latest)
            for line in self.snapshot.components_of.get(item_id, ())
        )

    def _place_backward(self, arcs: list[int], qty: float, last_slot: int) -> int | None:
        """Take capacity for `qty` on the step's resources, latest slots first; the first slot used.

        Each order is its own batch, so its set-up is spread over exactly its units."""
        arc0 = self.network.arcs[arcs[0]]
        per_unit = arc0.run_minutes + arc0.setup_minutes / max(qty, TOL)
        need = qty * per_unit
        rows = [self.grid.resource_index[self.network.arcs[k].resource_id] for k in arcs]
        window = self.free[rows, : last_slot + 1]
        per_slot = window.sum(axis=0)
        from_end = np.cumsum(per_slot[::-1])
        enough = np.flatnonzero(from_end >= need - 1e-7)
        if len(enough) == 0:
            return None
        first = last_slot - int(enough[0])
        self._take(arcs, rows, np.arange(last_slot, first - 1, -1), need, per_unit)
        return first

    # -- forward: as early as possible (late orders) -------------------------------
    def _obtain_asap(self, point: int, item_id: str, qty: float) -> int | None:
        """Supply `qty` as early as possible; the slot by whose end all of it is there."""
        remaining, ready = self._take_lots_asap(point, qty)
        if remaining <= TOL:
            return ready
        item = self.snapshot.items[item_id]
        if item.type is ItemType.BUY:
            slot = self.buy_slot.get(point)
            if slot is None:
                return None
            self._journal.bought.append((point, slot, remaining))
            return max(ready, slot)
        steps = self.steps_of.get(item_id)
        if not steps:
            return None
        start = 0
        for line in self.snapshot.components_of.get(item_id, ()):
            got = self._obtain_asap(self.network.inventory_point(line.component_id), line.component_id,
                                    remaining * line.gross_qty_per)
            if got is None:
                return None
            start = max(start, got)
        for arcs in steps:
            end = self._place_forward(arcs, remaining, start)
            if end is None:
                return None
            start = end
        return max(ready, start)

    def _place_forward(self, arcs: list[int], qty: float, first_slot: int) -> int | None:
        arc0 = self.network.arcs[arcs[0]]
        per_unit = arc0.run_minutes + arc0.setup_minutes / max(qty, TOL)
        need = qty * per_unit
        rows = [self.grid.resource_index[self.network.arcs[k].resource_id] for k in arcs]
        per_slot = self.free[rows, first_slot:].sum(axis=0)
        cumulative = np.cumsum(per_slot)
        enough = np.flatnonzero(cumulative >= need - 1e-7)
        if len(enough) == 0:
            return None
        last = first_slot + int(enough[0])
        self._take(arcs, rows, np.arange(first_slot, last + 1), need, per_unit)
        return last

    def _take(self, arcs: list[int], rows: list[int], slots: IntArray, need: float, per_unit: float) -> None:
        """Take `need` minutes from the resources' free time, slot by slot in the order given."""
        if len(rows) == 1:
            flat = self.free[rows[0], slots]
        else:  # slot-major: every alternative of a slot before the next slot
            flat = self.free[np.ix_(np.asarray(rows), slots)].T.ravel()
        before = np.cumsum(flat) - flat
        take = np.clip(need - before, 0.0, flat)
        for index in np.flatnonzero(take > TOL).tolist():
            slot_index, alternative = divmod(index, len(rows))
            self._use(arcs[alternative], rows[alternative], int(slots[slot_index]), float(take[index]), per_unit)

    # -- bookkeeping ------------------------------------------------------------------
    def _use(self, arc: int, row: int, slot: int, minutes: float, per_unit: float) -> None:
        self.free[row, slot] -= minutes
        self._journal.capacity.append((row, slot, minutes))
        self._journal.flows.append((arc, slot, minutes / per_unit, minutes))

    def _take_lots(self, point: int, qty: float, *, last_slot: int) -> float:
        remaining = qty
        for index, lot in enumerate(self.lots.get(point, ())):
            if lot[0] > last_slot or remaining <= TOL:
                break
            take = min(lot[1], remaining)
            if take > TOL:
                lot[1] -= take
                remaining -= take
                self._journal.lots.append((point, index, take))
        return remaining

    def _take_lots_asap(self, point: int, qty: float) -> tuple[float, int]:
        remaining, ready = qty, 0
        for index, lot in enumerate(self.lots.get(point, ())):
            if remaining <= TOL:
                break
            take = min(lot[1], remaining)
            if take > TOL:
                lot[1] -= take
                remaining -= take
                ready = max(ready, int(lot[0]))
                self._journal.lots.append((point, index, take))
        return remaining, ready

    def _undo(self) -> None:
        j = self._journal
        for row, slot, minutes in j.capacity:
            self.free[row, slot] += minutes
        for point, index, units in j.lots:
            self.lots[point][index][1] += units

    def _commit(self) -> None:
        for arc, slot, units, minutes in self._journal.flows:
            self.loaded.flow[arc][slot] += units
            self.loaded.minutes[arc][slot] += minutes
        for point, slot, units in self._journal.bought:
            self.loaded.bought[(point, slot)] += units
