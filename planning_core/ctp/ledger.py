"""The committed-capacity ledger: what confirmed orders take from the plant, kept as arrays.

Free minutes per resource and slot and the remaining units of every stock lot are
numpy arrays; each order's *claim* is a journal of what it took (minutes per slot on
each resource, units from each lot, new purchases), so booking, cancelling or changing
one order applies or undoes just its journal. The ledger has the capable-to-promise
LP's semantics, which the independent checker verifies:

- steps of an item overlap unit by unit (a step has made, by the end of any slot, no
  more than the step before it), and so do components and the parent step using them;
- each order is its own batch: a step pays its whole set-up on every resource it uses,
  spread over the units made there;
- stock and open orders are lots usable from their slot; a bought item can always be
  bought more, arriving after its lead time.

Orders are *held* as late as their day allows (so early capacity stays free to promise);
an order that cannot be complete by its day is laid as late as the earliest day it can
be; one that cannot be complete within the horizon keeps what it can take, so nobody
else is promised its material or capacity.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planning_core.ctp.curves import as_early_as_possible, as_late_as_possible, first_reaching, increments
from planning_core.ctp.grid import FloatArray, IntArray, SlotGrid
from planning_core.ctp.lp import Supply
from planning_core.ctp.network import Network
from planning_core.model import ItemType, PlantSnapshot

TOL = 1e-9
_NO_SLOTS = np.zeros(0, dtype=np.int64)
UNLIMITED = 1e15  # units a step with no run or set-up time can make in a working slot
POOL_ROUNDS = 8  # fixed-point rounds that size each resource's share of a split batch
OCCUPANCIES_KEPT = 4  # per resource: the committed plan's, and a few what-ifs'
_serials = itertools.count(1)


def _new_token() -> int:
    """A claim's 64-bit fingerprint token (splitmix64 of a serial): XOR-ed over the claims on a
    resource it names that set of claims, and a claim taken out and put back restores it."""
    z = (next(_serials) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


@dataclass(frozen=True, slots=True)
class Made:
    """Units made through one arc (routing step on a resource) in some slots, and the minutes of
    the resource (row) that took."""

    arc: int
    row: int
    slots: IntArray
    units: FloatArray
    minutes: FloatArray


@dataclass(frozen=True, slots=True)
class FromLots:
    """Units taken from some of a stock point's lots."""

    point: int
    lots: IntArray
    units: FloatArray


@dataclass(frozen=True, slots=True)
class Bought:
    point: int
    slot: int
    units: float


Entry = Made | FromLots | Bought


@dataclass
class Claim:
    """One order's (or one quote's) share of the plant: the journal of what it took."""

    key: str
    item_id: str
    qty: float
    day: int | None  # complete by the end of this day; None: not within the horizon
    entries: Sequence[Entry] = field(default_factory=list)
    ready: FloatArray | None = None  # units ready by the end of each slot; None: all of qty at the end of `day`
    _rows: dict[int, IntArray] | None = field(default=None, repr=False, compare=False)
    token: int = field(default_factory=_new_token, repr=False, compare=False)
    _effect: _Effect | None = field(default=None, repr=False, compare=False)

    def rows(self) -> set[int]:
        """The resources (rows) the claim takes time on."""
        if self._effect is None:
            self._effect = _Effect.of(self)
        return self._effect.rows

    def effect(self, slots: int) -> _Effect:
        """Everything the claim takes, summed per cell (what releasing or restoring it applies at once)."""
        if self._effect is None or self._effect.slots != slots:
            self._effect = _Effect.of(self, slots)
        return self._effect

    def slots_on(self, row: int) -> IntArray:
        """The slots in which the claim works on a resource (row), by row built once."""
        if self._rows is None:
            by_row: dict[int, list[IntArray]] = {}
            for made in self.made():
                by_row.setdefault(made.row, []).append(made.slots[made.units > TOL])
            self._rows = {r: np.unique(np.concatenate(parts)) for r, parts in by_row.items()}
        return self._rows.get(row, _NO_SLOTS)

    @property
    def delivered(self) -> float:
        """Units complete by `day` (what the horizon allows when the order cannot finish)."""
        if self.day is not None:
            return self.qty
        return 0.0 if self.ready is None or len(self.ready) == 0 else float(min(self.qty, self.ready[-1]))

    def made(self) -> Iterator[Made]:
        return (e for e in self.entries if isinstance(e, Made))

    def bought(self) -> Iterator[Bought]:
        return (e for e in self.entries if isinstance(e, Bought))


@dataclass(frozen=True)
class _Effect:
    """A claim's journal summed per cell: minutes per (row × slots + slot) and units per lot of each
    stock point, each cell once (so one vectorised addition applies it)."""

    slots: int
    rows: set[int]
    cells: IntArray
    minutes: FloatArray
    lots: dict[int, tuple[IntArray, FloatArray]]

    @classmethod
    def of(cls, claim: Claim, slots: int = 0) -> _Effect:
        made = list(claim.made())
        rows = {m.row for m in made}
        if slots and made:
            cells, minutes = _summed(np.concatenate([m.row * slots + m.slots for m in made]),
                                     np.concatenate([m.minutes for m in made]))
        else:
            cells, minutes = _NO_SLOTS, np.zeros(0)
        lots: dict[int, tuple[IntArray, FloatArray]] = {}
        taken = [e for e in claim.entries if isinstance(e, FromLots)]
        for point in {e.point for e in taken}:
            at = [e for e in taken if e.point == point]
            lots[point] = _summed(np.concatenate([e.lots for e in at]), np.concatenate([e.units for e in at]))
        return cls(slots, rows, cells, minutes, lots)


def _summed(where: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    cells, inverse = np.unique(where, return_inverse=True)
    summed: FloatArray = np.bincount(inverse, weights=values, minlength=len(cells)).astype(np.float64)
    return cells, summed


@dataclass(frozen=True)
class Seating:
    """A demand seated by taking stock committed orders held, and those orders held again
    (none later than before); `Ledger.unseat` puts everything back."""

    claim: Claim
    originals: list[Claim]
    reheld: list[Claim]


# Claim keys, their tokens, and (claim index, slot) for every slot one of them works in.
_Worked = tuple[list[str], list[int], IntArray, IntArray]


class Occupancy:
    """Who works on one resource (row) in which slots, for one set of claims: worked out the first
    time anyone asks (from the claims, or from another set's by what changed), then answered
    with a few array operations."""

    def __init__(self, row: int, claims: list[Claim], *, like: Occupancy | None = None,
                 worked: _Worked | None = None) -> None:
        self._row, self._claims, self._like = row, claims, like
        self._worked = worked

    @classmethod
    def of_packed(cls, row: int, keys: list[str], tokens: list[int], owners: IntArray, slots: IntArray) -> Occupancy:
        return cls(row, [], worked=(keys, tokens, owners, slots))

    def _built(self) -> _Worked:
        if self._worked is None:
            like = self._like
            self._worked = self._changed_from(like._built()) if like is not None else self._from_claims()
            self._claims, self._like = [], None
        return self._worked

    def _from_claims(self) -> _Worked:
        parts = [c.slots_on(self._row) for c in self._claims]
        owners = np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts])
        slots = np.concatenate(parts) if parts else _NO_SLOTS
        return [c.key for c in self._claims], [c.token for c in self._claims], owners, slots

    def _changed_from(self, before: _Worked) -> _Worked:
        """These claims' occupancy from another set's: the claims both hold kept, the others added."""
        keys, tokens, owners, slots = before
        now = {c.key: c for c in self._claims}
        kept = [i for i in np.unique(owners).tolist()
                if (c := now.get(keys[i])) is not None and c.token == tokens[i]]
        held = {keys[i] for i in kept}
        added = [c for key, c in now.items() if key not in held]
        keep = np.isin(owners, kept)
        parts = [slots[keep], *(c.slots_on(self._row) for c in added)]
        first = len(keys)
        indexes = [owners[keep], *(np.full(len(p), first + j, dtype=np.int64) for j, p in enumerate(parts[1:]))]
        return ([*keys, *(c.key for c in added)], [*tokens, *(c.token for c in added)],
                np.concatenate(indexes), np.concatenate(parts))

    def touching(self, slots: IntArray) -> list[str]:
        """The claims that work in any of these slots."""
        keys, _, owners, worked = self._built()
        return [keys[k] for k in np.unique(owners[np.isin(worked, slots)]).tolist()]

    def working(self, first: int, last: int, *, leaving_out: str | None = None) -> list[tuple[str, int]]:
        """(claim, slots it works in `first`..`last`) for every claim that works there."""
        keys, _, owners, slots = self._built()
        inside = owners[(slots >= first) & (slots <= last)]
        counts = np.bincount(inside, minlength=len(keys))
        return [(keys[k], int(counts[k])) for k in np.flatnonzero(counts).tolist() if keys[k] != leaving_out]


@dataclass(frozen=True)
class _Option:
    """One way to place a step: the resources used, their rates and the units per slot."""

    arcs: tuple[int, ...]
    rows: tuple[int, ...]
    rates: tuple[float, ...]  # minutes per unit on each resource (run plus its share of set-up)
    units: tuple[FloatArray, ...]  # units per slot on each resource
    curve: FloatArray  # cumulative units through the step


class Ledger:
    def __init__(
        self, snapshot: PlantSnapshot, grid: SlotGrid, network: Network, supplies: tuple[Supply, ...],
        buy_slot: dict[int, int],
    ) -> None:
        self.snapshot, self.grid, self.network = snapshot, grid, network
        self.T = grid.slots
        self.free: FloatArray = grid.capacity.copy()
        self.working = grid.capacity > 1e-9
        self.buy_slot = buy_slot
        by_point: dict[int, list[tuple[int, float]]] = {}
        for s in supplies:
            if 0 <= s.slot < self.T and s.qty > TOL:
                by_point.setdefault(s.point, []).append((s.slot, s.qty))
        self.lot_slot: dict[int, IntArray] = {}
        self.lot_qty: dict[int, FloatArray] = {}
        for point, lots in by_point.items():
            lots.sort()
            self.lot_slot[point] = np.array([slot for slot, _ in lots], dtype=np.int64)
            self.lot_qty[point] = np.array([qty for _, qty in lots], dtype=np.float64)
        self.steps_of: dict[str, list[tuple[int, ...]]] = {}
        for k, arc in enumerate(network.arcs):
            if arc.foreground:
                continue
            steps = self.steps_of.setdefault(arc.item_id, [])
            while len(steps) <= arc.step_index:
                steps.append(())
            steps[arc.step_index] = (*steps[arc.step_index], k)
        self.row_of = [grid.resource_index[a.resource_id] for a in network.arcs]
        self.claims: dict[str, Claim] = {}
        self.holding: dict[int, set[str]] = {}  # stock point → claims holding some of its lots
        self.using: dict[int, set[str]] = {}  # resource row → claims taking some of its time
        self.version = 0  # counts holds and releases
        self._journal: list[Entry] = []
        self._prints: dict[int, int] = {}  # resource row → XOR of the tokens of the claims using it
        self._occupancies: dict[int, dict[int, Occupancy]] = {}

    # -- whole orders ------------------------------------------------------------------
    def hold(self, key: str, item_id: str, qty: float, day: int) -> Claim:
        """Commit `qty` of `item_id` complete by the end of `day`, as late as that allows;
        when it cannot be, by the earliest day it can (the claim says which)."""
        self.release(key)
        day = min(max(day, 0), self.grid.days - 1)
        claim = self._try_by(key, item_id, qty, day)
        if claim is None:
            early = self.place_earliest(key, item_id, qty)
            if early.day is None:
                self._record(early)  # keeps what it can take: nobody else is promised it
                return early
            self.undo(early.entries)
            claim = self._try_by(key, item_id, qty, max(early.day, day))
            if claim is None:  # laid late it no longer fits: keep the forward plan
                self.redo(early.entries)
                claim = early
        self._record(claim)
        return claim

    def hold_at(self, key: str, item_id: str, qty: float, day: int) -> Claim | None:
        """Commit complete by the end of `day` if that fits as things stand; else change nothing."""
        self.release(key)
        claim = self._try_by(key, item_id, qty, min(max(day, 0), self.grid.days - 1))
        if claim is not None:
            self._record(claim)
        return claim

    def place_earliest(self, key: str, item_id: str, qty: float) -> Claim:
        """Take what makes `qty` ready as early as possible (applied, not recorded as a claim)."""
        self._journal = []
        ready = self._obtain_asap(item_id, qty)
        slot = first_reaching(ready, qty)
        day = None if slot is None else int(self.grid.day[slot])
        return Claim(key, item_id, qty, day, self._journal, ready)

    def seat_borrowing(
        self, key: str, item_id: str, qty: float, *, day: int | None, due_day: Mapping[str, int],
        points: set[int] | None = None, limit: int = 8,
    ) -> Seating | None:
        """Commit the demand (complete by `day`, or as early as it can be) letting it take stock of
        its bill of materials that committed orders hold, when each of them can be held again no
        later than it stood (their stock replaced by later receipts, purchases or production).
        Stock is not reserved for an order by its position, only its day is. None: that does not
        work, and nothing changed. `points`: the stock points worth borrowing (default: every
        item of the bill of materials)."""
        if points is None:
            points = {self.network.inventory_point(i) for i in self.snapshot.explode(item_id, 1.0)}
        holders = self._holders(points, due_day, limit)
        if not holders:
            return None
        best: Seating | None = None
        for count in sorted({1, 3, len(holders)}):
            seating = self._seat_taking(key, item_id, qty, day=day, holders=holders[:count], due_day=due_day)
            if seating is None:
                if day is None and best is None and count > 1:
                    break  # a first answer: more orders to hold again only fail more often
                continue
            if day is not None:
                return seating  # complete by the day asked: the fewest orders touched
            assert seating.claim.day is not None
            self.unseat(seating)
            if best is None or seating.claim.day < (best.claim.day or 0):
                best = seating
            if seating.claim.day == 0:
                break
        if best is not None:
            self.reseat(best)
        return best

    def _holders(self, points: set[int], due_day: Mapping[str, int], limit: int) -> list[Claim]:
        """Committed orders holding stock of `points`, most worth asking first: stock whose new purchase
        would arrive latest first (it binds), and at each point the latest-due holder first (it has
        the most time to be supplied again); a few from every point rather than many from one."""
        def arrival(point: int) -> int:
            return self.buy_slot.get(point, -1)

        queues = []
        for point in sorted(points, key=lambda p: (-arrival(p), p)):
            held = [c for c in (self.claims[k] for k in self.holding.get(point, ())) if c.day is not None]
            if held:
                queues.append(sorted(held, key=lambda c: (-due_day.get(c.key, c.day or 0), c.key)))
        chosen: list[Claim] = []
        seen: set[str] = set()
        for rank in range(limit):
            for queue in queues:
                if rank < len(queue) and queue[rank].key not in seen and len(chosen) < limit:
                    chosen.append(queue[rank])
                    seen.add(queue[rank].key)
        return chosen

    def _seat_taking(self, key: str, item_id: str, qty: float, *, day: int | None, holders: list[Claim],
                     due_day: Mapping[str, int]) -> Seating | None:
        originals = [c for c in (self.release(h.key) for h in holders) if c is not None]
        if day is None:
            claim: Claim | None = self.place_earliest(key, item_id, qty)
            assert claim is not None
            self._record(claim)
        else:
            claim = self.hold_at(key, item_id, qty, day)
        reheld: list[Claim] = []
        if claim is not None and claim.day is not None:
            for original in sorted(originals, key=lambda c: (due_day.get(c.key, c.day or 0), c.key)):
                again = self.hold(original.key, original.item_id, original.qty, due_day.get(original.key, original.day or 0))
                reheld.append(again)
                if again.day is None or original.day is None or again.day > original.day:
                    break
            else:
                return Seating(claim, originals, reheld)
        self._put_back(key, originals, reheld)
        return None

    def unseat(self, seating: Seating) -> None:
        """Undo a seating: the demand and the re-held orders out, the orders as they were back."""
        self._put_back(seating.claim.key, seating.originals, seating.reheld)

    def reseat(self, seating: Seating) -> None:
        """Apply an undone seating again, exactly as it was (its journals replayed, nothing searched)."""
        for original in seating.originals:
            self.release(original.key)
        self.restore(seating.claim)
        for claim in seating.reheld:
            self.restore(claim)

    def _put_back(self, key: str, originals: list[Claim], reheld: list[Claim]) -> None:
        for claim in reversed(reheld):
            self.release(claim.key)
        self.release(key)
        for claim in originals:
            self.restore(claim)

    def release(self, key: str) -> Claim | None:
        """Give back everything an order took (cancellation, change, or before re-holding it)."""
        claim = self.claims.pop(key, None)
        if claim is not None:
            effect = self._put(claim, 1.0)
            for point in effect.lots:
                self.holding[point].discard(key)
            for row in claim.rows():
                self.using[row].discard(key)
                self._prints[row] ^= claim.token
            self.version += 1
        return claim

    def restore(self, claim: Claim) -> None:
        """Put a released claim back exactly as it was."""
        self._put(claim, -1.0)
        self._record(claim)

    def _put(self, claim: Claim, sign: float) -> _Effect:
        """Give back (+1) or take again (−1) all a claim takes, at once."""
        effect = claim.effect(self.T)
        if len(effect.cells):
            self.free.flat[effect.cells] += sign * effect.minutes
        for point, (lots, units) in effect.lots.items():
            self.lot_qty[point][lots] += sign * units
        return effect

    def _record(self, claim: Claim) -> None:
        replaced = self.claims.get(claim.key)
        if replaced is not None and replaced is not claim:
            for row in replaced.rows():
                self._prints[row] ^= replaced.token
        self.claims[claim.key] = claim
        for entry in claim.entries:
            if isinstance(entry, FromLots):
                self.holding.setdefault(entry.point, set()).add(claim.key)
        if replaced is not claim:
            for row in claim.rows():
                self.using.setdefault(row, set()).add(claim.key)
                self._prints[row] = self._prints.get(row, 0) ^ claim.token
        self.version += 1

    def occupancy(self, row: int) -> Occupancy:
        """Who works on the resource as the ledger stands (kept while the same claims use it)."""
        fingerprint = self._prints.get(row, 0)
        kept = self._occupancies.setdefault(row, {})
        found = kept.pop(fingerprint, None)
        if found is None:
            like = next(reversed(kept.values()), None)  # the last asked for: usually the committed plan's
            found = Occupancy(row, [self.claims[k] for k in self.using.get(row, ())], like=like)
            if len(kept) >= OCCUPANCIES_KEPT:
                kept.pop(next(iter(kept)), None)
        kept[fingerprint] = found  # the last asked for, last
        return found

    def __getstate__(self) -> dict[str, object]:
        """Claims packed into a few flat arrays: a 5,000-order ledger pickles and loads in well
        under a second, which is what lets a command line load it instead of rebuilding it."""
        state = dict(self.__dict__)
        state["snapshot"] = None  # the state that owns this ledger attaches it again
        state["claims"] = _pack(list(self.claims.values()), self.T)
        for index in ("holding", "using", "_journal", "_prints", "_occupancies"):
            del state[index]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        packed = state.pop("claims")
        self.__dict__.update(state)
        self._journal = []
        self.claims, self.holding, self.using = _unpack(packed, self.T)
        self._occupancies = {}
        self._prints = {}
        for row, keys in self.using.items():
            for key in keys:
                self._prints[row] = self._prints.get(row, 0) ^ self.claims[key].token
        self._install(packed)

    def warm(self) -> None:
        """Work out who works where on every resource now, in one pass over all claims (rather than
        claim by claim when a quote first asks), so that the first answers are as fast as the rest."""
        self._install(_pack(list(self.claims.values()), self.T))

    def _install(self, packed: dict[str, Any]) -> None:
        keys: list[str] = packed["keys"]
        tokens = [self.claims[key].token for key in keys]
        for row, (owners, slots) in _occupied(packed, self.T).items():
            if row in self._prints:
                self._occupancies.setdefault(row, {})[self._prints[row]] = Occupancy.of_packed(
                    row, keys, tokens, owners, slots)

    def copy(self) -> Ledger:
        other = object.__new__(Ledger)
        other.__dict__.update(self.__dict__)
        other.free = self.free.copy()
        other.lot_qty = {p: q.copy() for p, q in self.lot_qty.items()}
        other.claims = dict(self.claims)
        other.holding = {point: set(keys) for point, keys in self.holding.items()}
        other.using = {row: set(keys) for row, keys in self.using.items()}
        other._journal = []
        other._prints = dict(self._prints)
        other._occupancies = self._occupancies  # by fingerprint: what one finds holds for the other
        return other

    # -- as late as the day allows ---------------------------------------------------------
    def _try_by(self, key: str, item_id: str, qty: float, day: int) -> Claim | None:
        self._journal = []
        required = np.zeros(self.T)
        required[int(self.grid.day_last_slot[day]):] = qty
        if self._obtain_by(item_id, required):
            return Claim(key, item_id, qty, day, self._journal)
        self.undo(self._journal)
        return None

    def _obtain_by(self, item_id: str, required: FloatArray) -> bool:
        """Take what makes `required[s]` units of the item ready by the end of every slot s."""
        point = self.network.inventory_point(item_id)
        missing = self._cover_from_lots(point, required)
        total = float(missing[-1])
        if total <= TOL * max(1.0, float(required[-1])):
            return True
        item = self.snapshot.items[item_id]
        if item.type is ItemType.BUY:
            slot = self.buy_slot.get(point)
            if slot is None or (slot > 0 and float(missing[slot - 1]) > TOL * max(1.0, total)):
                return False
            self._take(Bought(point, slot, total))
            return True
        steps = self.steps_of.get(item_id)
        if not steps:
            return False
        needed = missing  # good units out of the step being placed, by the end of each slot
        for arcs in reversed(steps):
            option = self._best_late(arcs, total, needed)
            if option is None:
                return False
            self._commit(option)
            # what the step starts is what the step before must have made (more, below 100% yield)
            y = self.network.arcs[arcs[0]].yield_fraction
            needed, total = option.curve / y, total / y
        return all(
            self._obtain_by(line.component_id, needed * line.gross_qty_per)
            for line in self.snapshot.components_of.get(item_id, ())
        )

    def _cover_from_lots(self, point: int, required: FloatArray) -> FloatArray:
        """Serve the earliest needs from lots, taking the latest lots that can (early stock
        stays free to promise); returns the requirement left for production or purchase."""
        slots = self.lot_slot.get(point)
        if slots is None:
            return required
        qty = self.lot_qty[point]
        if float(qty.max()) <= TOL:
            return required
        arriving = np.zeros(self.T)
        np.add.at(arriving, slots, np.maximum(qty, 0.0))
        available = np.cumsum(arriving)
        covered = as_early_as_possible(available, increments(required))
        if float(covered[-1]) <= TOL:
            return required
        taken = as_late_as_possible(covered, arriving)
        if taken is None:  # cannot happen (covered never exceeds what arrived); keep it safe
            return required
        self._take_lots(point, increments(taken))
        return np.maximum(required - covered, 0.0)

    def _best_late(self, arcs: tuple[int, ...], qty: float, needed: FloatArray) -> _Option | None:
        """The placement that makes the step's units latest; one resource unless none can alone."""
        singles = [o for o in (self._late_on((k,), qty, needed) for k in arcs) if o is not None]
        if singles:
            return min(singles, key=lambda o: float(o.curve.sum()))
        if len(arcs) > 1:
            return self._pooled(arcs, qty, needed, late=True)
        return None

    def _late_on(self, arcs: tuple[int, ...], qty: float, needed: FloatArray) -> _Option | None:
        rates = tuple(self._rate(k, qty) for k in arcs)
        capacity = [self._capacity(k, rate) for k, rate in zip(arcs, rates, strict=True)]
        curve = as_late_as_possible(needed, np.sum(capacity, axis=0))
        if curve is None:
            return None
        return self._option(arcs, rates, capacity, curve)

    # -- as early as possible ---------------------------------------------------------------
    def _obtain_asap(self, item_id: str, qty: float) -> FloatArray:
        """Take what makes `qty` of the item ready as early as possible; returns the units
        ready by the end of each slot (short of `qty` when the horizon does not allow)."""
        point = self.network.inventory_point(item_id)
        item = self.snapshot.items[item_id]
        if item.type is ItemType.BUY:
            slot = self.buy_slot.get(point)
            ready, got = self._take_lots_earliest(point, qty, before=slot)
            if qty - got > TOL * max(1.0, qty) and slot is not None:
                self._take(Bought(point, slot, qty - got))
                ready = ready.copy()
                ready[slot:] += qty - got
            return ready
        mark = len(self._journal)
        ready = self._made_asap(item_id, point, qty, before=None)
        # A lot arriving late may hold the order back more than making those units would:
        # try without it while that finishes earlier.
        for _ in range(3):
            done = first_reaching(ready, qty)
            last_lot = self._last_lot_used(mark)
            if done is None or last_lot is None or last_lot < done:
                break
            first_try = self._rewind(mark)
            better = self._made_asap(item_id, point, qty, before=last_lot)
            finish = first_reaching(better, qty)
            if finish is not None and finish < done:
                ready = better
                continue
            self._rewind(mark)
            self.redo(first_try)
            self._journal.extend(first_try)
            break
        return ready

    def _made_asap(self, item_id: str, point: int, qty: float, *, before: int | None) -> FloatArray:
        ready, got = self._take_lots_earliest(point, qty, before=before)
        remaining = qty - got
        if remaining <= TOL * max(1.0, qty):
            return ready
        steps = self.steps_of.get(item_id)
        if not steps:
            return ready
        started = remaining * self.snapshot.started_per_good(item_id)  # at the first step
        through = np.full(self.T, started)  # units the step being placed can start by each slot
        for line in self.snapshot.components_of.get(item_id, ()):
            have = self._obtain_asap(line.component_id, started * line.gross_qty_per)
            through = np.minimum(through, have / line.gross_qty_per)
        for arcs in steps:
            y = self.network.arcs[arcs[0]].yield_fraction
            option = self._best_early(arcs, started * y, through * y)
            self._commit(option)
            through, started = option.curve, started * y
        made: FloatArray = ready + np.minimum(through, remaining)
        return made

    def _best_early(self, arcs: tuple[int, ...], qty: float, through: FloatArray) -> _Option:
        """The placement that finishes the step earliest (fewest resources on a tie)."""
        options = [self._early_on((k,), qty, through) for k in arcs]
        if len(arcs) > 1:
            pooled = self._pooled(arcs, qty, through, late=False)
            if pooled is not None:
                options.append(pooled)

        def finish(o: _Option) -> tuple[float, float, int]:
            done = first_reaching(o.curve, qty)
            return (float("inf") if done is None else done, -float(o.curve[-1]), len(o.arcs))

        return min(options, key=finish)

    def _early_on(self, arcs: tuple[int, ...], qty: float, through: FloatArray) -> _Option:
        rates = tuple(self._rate(k, qty) for k in arcs)
        capacity = [self._capacity(k, rate) for k, rate in zip(arcs, rates, strict=True)]
        curve = as_early_as_possible(np.minimum(through, qty), np.sum(capacity, axis=0))
        option = self._option(arcs, rates, capacity, curve)
        made = float(curve[-1])
        if 0 < made < qty * (1 - 1e-9) and any(self.network.arcs[k].setup_minutes > 0 for k in arcs):
            # Short of the whole batch within the horizon: a smaller batch pays its set-up too.
            return self._early_on_batch(arcs, made, through)
        return option

    def _early_on_batch(self, arcs: tuple[int, ...], qty: float, through: FloatArray) -> _Option:
        for _ in range(POOL_ROUNDS):
            rates = tuple(self._rate(k, qty) for k in arcs)
            capacity = [self._capacity(k, rate) for k, rate in zip(arcs, rates, strict=True)]
            curve = as_early_as_possible(np.minimum(through, qty), np.sum(capacity, axis=0))
            if float(curve[-1]) >= qty * (1 - 1e-9):
                return self._option(arcs, rates, capacity, curve)
            qty = float(curve[-1])
            if qty <= TOL:
                break
        return self._option(arcs, tuple(0.0 for _ in arcs), [np.zeros(self.T) for _ in arcs], np.zeros(self.T))

    # -- a batch split over alternative resources --------------------------------------------
    def _pooled(self, arcs: tuple[int, ...], qty: float, curve_in: FloatArray, *, late: bool) -> _Option | None:
        """All alternatives at once, each paying its own set-up over the units it makes there
        (sized by a few fixed-point rounds, as the LP does); None when that does not settle."""
        shares = dict.fromkeys(arcs, qty)
        for _ in range(POOL_ROUNDS):
            used = tuple(k for k in arcs if shares[k] > TOL)
            rates = tuple(self._rate(k, shares[k]) for k in used)
            capacity = [self._capacity(k, rate) for k, rate in zip(used, rates, strict=True)]
            total = np.sum(capacity, axis=0)
            if late:
                curve = as_late_as_possible(curve_in, total)
                if curve is None:
                    return None
            else:
                curve = as_early_as_possible(np.minimum(curve_in, qty), total)
            option = self._option(used, rates, capacity, curve)
            made = {k: float(u.sum()) for k, u in zip(used, option.units, strict=True)}
            if all(made[k] >= shares[k] * (1 - 1e-9) or made[k] <= TOL for k in used):
                kept = tuple(j for j, k in enumerate(used) if made[k] > TOL)
                return _Option(tuple(used[j] for j in kept), tuple(option.rows[j] for j in kept),
                               tuple(option.rates[j] for j in kept), tuple(option.units[j] for j in kept), curve)
            shares = {k: made.get(k, 0.0) for k in arcs}
        return None

    # -- arithmetic ---------------------------------------------------------------------------
    def _rate(self, arc: int, batch: float) -> float:
        a = self.network.arcs[arc]
        return a.run_minutes + (a.setup_minutes / batch if a.setup_minutes > 0 else 0.0)

    def _capacity(self, arc: int, rate: float) -> FloatArray:
        """Units the arc's resource can make in each slot at `rate` minutes per unit."""
        row = self.row_of[arc]
        capacity: FloatArray = (
            np.where(self.working[row], UNLIMITED, 0.0) if rate <= 0 else np.maximum(self.free[row], 0.0) / rate
        )
        return capacity

    def _option(self, arcs: tuple[int, ...], rates: tuple[float, ...], capacity: list[FloatArray],
                curve: FloatArray) -> _Option:
        per_slot = increments(curve)
        if len(arcs) == 1:
            units: tuple[FloatArray, ...] = (per_slot,)
        else:  # each resource makes its share of a slot's units, by what it can make then
            total = np.sum(capacity, axis=0)
            share = np.divide(per_slot, total, out=np.zeros(self.T), where=total > 0)
            units = tuple(share * c for c in capacity)
        rows = tuple(self.row_of[k] for k in arcs)
        return _Option(arcs, rows, rates, units, curve)

    def _commit(self, option: _Option) -> None:
        for arc, row, rate, units in zip(option.arcs, option.rows, option.rates, option.units, strict=True):
            slots = np.flatnonzero(units > TOL)
            if len(slots) == 0:
                continue
            made = units[slots]
            minutes = np.minimum(made * rate, np.maximum(self.free[row, slots], 0.0))
            self._take(Made(arc, row, slots, made, minutes))

    def _take_lots_earliest(self, point: int, qty: float, *, before: int | None) -> tuple[FloatArray, float]:
        """Take up to `qty` from the point's lots, earliest first (only lots before slot `before`)."""
        ready = np.zeros(self.T)
        slots = self.lot_slot.get(point)
        if slots is None:
            return ready, 0.0
        have = np.maximum(self.lot_qty[point], 0.0)
        if before is not None:
            have = np.where(slots < before, have, 0.0)
        cumulative = np.cumsum(have)
        take = np.maximum(np.minimum(cumulative, qty) - (cumulative - have), 0.0)
        if float(take.sum()) <= TOL:
            return ready, 0.0
        self._take_lots(point, take, by_lot=True)
        np.add.at(ready, slots, take)
        return np.cumsum(ready), float(take.sum())

    def _take_lots(self, point: int, units: FloatArray, *, by_lot: bool = False) -> None:
        """Take `units` per slot (or per lot with `by_lot`) from the point's lots."""
        qty = self.lot_qty[point]
        if by_lot:
            per_lot = units
        else:  # a slot's units from the lots arriving in it, in order
            slots = self.lot_slot[point]
            per_lot = np.zeros(len(qty))
            left = units.copy()
            for index, slot in enumerate(slots.tolist()):
                take = min(left[slot], max(float(qty[index]), 0.0))
                per_lot[index] = take
                left[slot] -= take
        lots = np.flatnonzero(per_lot > TOL)
        if len(lots):
            self._take(FromLots(point, lots, per_lot[lots]))

    def _last_lot_used(self, mark: int) -> int | None:
        last = None
        for entry in self._journal[mark:]:
            if isinstance(entry, FromLots):
                slot = int(self.lot_slot[entry.point][entry.lots].max())
                last = slot if last is None else max(last, slot)
        return last

    # -- journal ------------------------------------------------------------------------------
    def _take(self, entry: Entry) -> None:
        self._apply(entry, -1.0)
        self._journal.append(entry)

    def _apply(self, entry: Entry, sign: float) -> None:
        if isinstance(entry, Made):
            self.free[entry.row, entry.slots] += sign * entry.minutes
        elif isinstance(entry, FromLots):
            self.lot_qty[entry.point][entry.lots] += sign * entry.units

    def _rewind(self, mark: int) -> list[Entry]:
        """Undo the journal back to `mark`; returns what was undone."""
        undone = self._journal[mark:]
        self.undo(undone)
        del self._journal[mark:]
        return undone

    def undo(self, entries: Sequence[Entry]) -> None:
        for entry in reversed(entries):
            self._apply(entry, 1.0)

    def redo(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            self._apply(entry, -1.0)



def _pack(claims: list[Claim], slots: int) -> dict[str, object]:
    kinds: list[int] = []
    ids: list[int] = []
    rows: list[int] = []
    lengths: list[int] = []
    where: list[np.ndarray] = []
    units: list[np.ndarray] = []
    minutes: list[np.ndarray] = []
    per_claim: list[int] = []
    ready_at: list[np.ndarray] = []
    ready_units: list[np.ndarray] = []
    ready_lengths: list[int] = []
    for claim in claims:
        per_claim.append(len(claim.entries))
        for entry in claim.entries:
            if isinstance(entry, Made):
                kind, ident, row, at, many, spent = 0, entry.arc, entry.row, entry.slots, entry.units, entry.minutes
            elif isinstance(entry, FromLots):
                kind, ident, row, at, many = 1, entry.point, 0, entry.lots, entry.units
                spent = np.zeros(len(at))
            else:
                kind, ident, row, at, many = 2, entry.point, 0, np.array([entry.slot]), np.array([entry.units])
                spent = np.zeros(1)
            kinds.append(kind)
            ids.append(ident)
            rows.append(row)
            where.append(at)
            units.append(many)
            minutes.append(spent)
            lengths.append(len(at))
        steps = increments(claim.ready) if claim.ready is not None else np.zeros(slots)
        at = np.flatnonzero(steps)
        ready_at.append(at)
        ready_units.append(steps[at])
        ready_lengths.append(len(at) if claim.ready is not None else -1)

    def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return {
        "keys": [c.key for c in claims], "items": [c.item_id for c in claims],
        "qty": np.array([c.qty for c in claims]), "day": np.array([-1 if c.day is None else c.day for c in claims]),
        "per_claim": np.array(per_claim, dtype=np.int64), "kinds": np.array(kinds, dtype=np.int8),
        "ids": np.array(ids, dtype=np.int64), "rows": np.array(rows, dtype=np.int64),
        "lengths": np.array(lengths, dtype=np.int64), "where": joined(where, np.int64),
        "units": joined(units, np.float64), "minutes": joined(minutes, np.float64),
        "ready_at": joined(ready_at, np.int64), "ready_units": joined(ready_units, np.float64),
        "ready_lengths": np.array(ready_lengths, dtype=np.int64),
    }


def _occupied(packed: dict[str, Any], slots: int) -> dict[int, tuple[IntArray, IntArray]]:
    """Per resource (row): (claim index, slot) of every slot a packed claim works in, each once."""
    lengths, claims = packed["lengths"], len(packed["keys"])
    owner = np.repeat(np.repeat(np.arange(claims, dtype=np.int64), packed["per_claim"]), lengths)
    row = np.repeat(packed["rows"], lengths)
    working = np.repeat(packed["kinds"] == 0, lengths) & (packed["units"] > TOL)
    code = np.unique((row[working] * claims + owner[working]) * slots + packed["where"][working])
    rows, rest = np.divmod(code, claims * slots)
    owners, at = np.divmod(rest, slots)
    bounds = np.flatnonzero(np.diff(rows)) + 1
    return {int(r[0]): (o, t) for r, o, t in zip(np.split(rows, bounds), np.split(owners, bounds),
                                                   np.split(at, bounds), strict=True) if len(r)}


def _unpack(packed: dict[str, Any], slots: int) -> tuple[dict[str, Claim], dict[int, set[str]], dict[int, set[str]]]:
    """Claims whose entries are made when first read (most never are), and the indexes."""
    bounds = np.concatenate([[0], np.cumsum(packed["lengths"])])
    counts = packed["per_claim"]
    firsts = np.concatenate([[0], np.cumsum(counts)])
    keys: list[str] = packed["keys"]
    claims: dict[str, Claim] = {}
    ready_first = 0
    for k, key in enumerate(keys):
        length = int(packed["ready_lengths"][k])
        ready = None
        if length >= 0:
            steps = np.zeros(slots)
            at = slice(ready_first, ready_first + length)
            steps[packed["ready_at"][at]] = packed["ready_units"][at]
            ready = np.cumsum(steps)
            ready_first += length
        day = int(packed["day"][k])
        entries = _PackedEntries(packed, bounds, int(firsts[k]), int(firsts[k + 1]))
        claims[key] = Claim(key, packed["items"][k], float(packed["qty"][k]), None if day < 0 else day, entries, ready)
    owner = np.repeat(np.arange(len(keys)), counts)
    kinds = packed["kinds"]
    return claims, _index(keys, owner[kinds == 1], packed["ids"][kinds == 1]), _index(
        keys, owner[kinds == 0], packed["rows"][kinds == 0])


def _index(keys: list[str], owners: np.ndarray, where: np.ndarray) -> dict[int, set[str]]:
    index: dict[int, set[str]] = {}
    for place, owner in set(zip(where.tolist(), owners.tolist(), strict=True)):
        index.setdefault(place, set()).add(keys[owner])
    return index


class _PackedEntries(Sequence[Entry]):
    """A loaded claim's journal, made into entries the first time anyone reads it."""

    __slots__ = ("_bounds", "_built", "_first", "_last", "_packed")

    def __init__(self, packed: dict[str, Any], bounds: np.ndarray, first: int, last: int) -> None:
        self._packed, self._bounds, self._first, self._last = packed, bounds, first, last
        self._built: list[Entry] | None = None

    def _entries(self) -> list[Entry]:
        if self._built is None:
            p = self._packed
            built: list[Entry] = []
            for n in range(self._first, self._last):
                a, b = int(self._bounds[n]), int(self._bounds[n + 1])
                kind, ident, row = int(p["kinds"][n]), int(p["ids"][n]), int(p["rows"][n])
                if kind == 0:
                    built.append(Made(ident, row, p["where"][a:b], p["units"][a:b], p["minutes"][a:b]))
                elif kind == 1:
                    built.append(FromLots(ident, p["where"][a:b], p["units"][a:b]))
                else:
                    built.append(Bought(ident, int(p["where"][a]), float(p["units"][a])))
            self._built = built
        return self._built

    def __len__(self) -> int:
        return self._last - self._first

    def __getitem__(self, index: Any) -> Any:
        return self._entries()[index]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries())
