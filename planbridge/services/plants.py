"""The plant as every service call sees it: the snapshot and the resident promise states,
kept current with the database.

A data change (an import) gives the plant a new version: the snapshot is read again and
each promise state is built anew (or loaded from the state store, where a command line
finds the one `serve` or an earlier command saved). Bookings and approved changes do not
change the version: they are appended to the order journal, and every process applies
what is newer than what it has applied, order by order, to its snapshot and to each
resident state, exactly as the process that wrote them did. Every call checks the
version and the journal head first (two cheap reads), so no process answers from a
stale plant; on PostgreSQL `serve` also listens for the journal's notifications and
catches up before anyone asks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from planbridge.errors import NotFound
from planbridge.records import JournalEntry
from planbridge.services.ports import PromiseStateStore, UnitOfWork
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.state import PromiseState
from planning_core.model import PlantSnapshot, SalesOrder

log = logging.getLogger(__name__)
MAX_STATES = 3  # as-of dates kept resident (today, and a couple asked for with --as-of)


@dataclass
class Resident:
    """One promise state and how much of the journal it has applied."""

    engine: PromiseEngine
    seq: int

    @property
    def state(self) -> PromiseState:
        return self.engine.state


class PlantCache:
    """The current plant of one database, in memory (one per process)."""

    def __init__(self, store: PromiseStateStore | None = None) -> None:
        self.store = store
        self._lock = threading.RLock()
        self._version: int | None = None
        self._identity = ""  # the plant's version and import time: the key of what the store keeps
        self._seq = 0
        self._snapshot: PlantSnapshot | None = None
        self._journal: list[JournalEntry] = []  # since the import: what a new state replays
        self._states: OrderedDict[date, Resident] = OrderedDict()
        self._building: dict[date, threading.Lock] = {}

    # -- the snapshot --------------------------------------------------------------------------
    def snapshot(self, uow: UnitOfWork) -> PlantSnapshot:
        """The plant with every booking and change the database holds."""
        head = _head(uow)
        with self._lock:
            self._refresh(uow, head)
            assert self._snapshot is not None
            return self._snapshot

    def _refresh(self, uow: UnitOfWork, head: tuple[int, int]) -> None:
        version, seq = head
        if version != self._version or self._snapshot is None:
            self._states.clear()
            self._version = version
            self._identity = uow.plant.identity()
            journal = uow.orders.journal_since(0)
            saved = self.store.load_snapshot(plant=self._identity) if self.store is not None else None
            if saved is not None and saved[1] <= seq:  # the plant as saved, then what was journaled since
                self._snapshot, self._seq = saved
                self._journal = [e for e in journal if e.seq <= self._seq]
                later = [e for e in journal if e.seq > self._seq]
                if later:
                    self._catch_up(uow, later)
                return
            self._snapshot = uow.plant.load()
            self._journal = journal
            self._seq = journal[-1].seq if journal else 0
            if self.store is not None:
                self.store.save_snapshot(self._snapshot, plant=self._identity, seq=self._seq)
            return
        if seq > self._seq:
            self._catch_up(uow, uow.orders.journal_since(self._seq))

    def _catch_up(self, uow: UnitOfWork, entries: list[JournalEntry]) -> None:
        """Apply journal entries to the snapshot, then to every resident state."""
        assert self._snapshot is not None
        changed: dict[str, SalesOrder] = {}
        for entry in entries:
            order = uow.orders.get(entry.order_id)
            if order is not None:
                changed[order.order_id] = order
        self._snapshot = _with_orders(self._snapshot, changed)
        self._journal.extend(entries)
        self._seq = entries[-1].seq
        for resident in self._states.values():
            self._replay(resident, entries)
        self._drop_outgrown()

    def _drop_outgrown(self) -> None:
        """States a booking outgrew (promised beyond their horizon) are built again when next asked for."""
        for as_of in [d for d, r in self._states.items() if r.state.outgrown]:
            log.info("promise state for %s outgrew its horizon: built again with the journal", as_of)
            del self._states[as_of]

    def _replay(self, resident: Resident, entries: list[JournalEntry]) -> None:
        assert self._snapshot is not None
        state = resident.state
        with state.lock:
            state.attach(self._snapshot)
            for entry in entries:
                if entry.seq <= resident.seq:
                    continue
                order = self._snapshot.orders_by_id.get(entry.order_id)
                if order is not None:
                    state.apply(entry.kind.value, order)
                resident.seq = entry.seq

    # -- promise states --------------------------------------------------------------------------
    def engine(self, uow: UnitOfWork, as_of: date) -> PromiseEngine:
        """The promise engine on the resident state for `as_of`, current with the database."""
        return self.resident(uow, as_of).engine

    def resident(self, uow: UnitOfWork, as_of: date) -> Resident:
        head = _head(uow)
        with self._lock:
            self._refresh(uow, head)
            resident = self._states.get(as_of)
            if resident is not None:
                self._states.move_to_end(as_of)
                return resident
            building = self._building.setdefault(as_of, threading.Lock())
        with building:  # one build per date; others wait for it rather than build again
            with self._lock:
                if as_of in self._states:
                    return self._states[as_of]
                snapshot, version, journal = self._snapshot, self._version, list(self._journal)
                identity = self._identity
            assert snapshot is not None and version is not None
            resident = self._load_or_build(snapshot, identity, as_of, journal)
            with self._lock:
                if version != self._version:  # the plant changed meanwhile: this one is stale
                    return self.resident(uow, as_of)
                self._replay(resident, [e for e in self._journal if e.seq > resident.seq])
                if resident.state.outgrown:  # saved before a booking beyond its horizon
                    assert self._snapshot is not None
                    resident = self._build(self._snapshot, identity, as_of, list(self._journal))
                self._states[as_of] = resident
                while len(self._states) > MAX_STATES:
                    self._states.popitem(last=False)
                return resident

    def _load_or_build(self, snapshot: PlantSnapshot, identity: str, as_of: date,
                       journal: list[JournalEntry]) -> Resident:
        head = journal[-1].seq if journal else 0
        if self.store is not None:
            saved = self.store.load(plant=identity, as_of=as_of)
            if saved is not None and saved[1] <= head:
                state, seq = saved
                state.attach(snapshot)
                return Resident(PromiseEngine(snapshot, as_of=as_of, state=state), seq)
        return self._build(snapshot, identity, as_of, journal)

    def _build(self, snapshot: PlantSnapshot, identity: str, as_of: date, journal: list[JournalEntry]) -> Resident:
        head = journal[-1].seq if journal else 0
        started = time.perf_counter()
        state = PromiseState(snapshot, as_of=as_of, journal=[(e.kind.value, e.order_id) for e in journal])
        log.info("promise state for %s built in %.2f s (%d open orders)", as_of, time.perf_counter() - started,
                 len(snapshot.open_orders))
        if self.store is not None:
            self.store.save(state, plant=identity, as_of=as_of, seq=head)
        return Resident(PromiseEngine(snapshot, as_of=as_of, state=state), head)

    def save(self, as_of: date) -> None:
        """Keep the resident state for `as_of` in the store (after changes, for the next command)."""
        with self._lock:
            resident, identity = self._states.get(as_of), self._identity
        if resident is None or self.store is None or not identity:
            return
        with resident.state.lock:
            self.store.save(resident.state, plant=identity, as_of=as_of, seq=resident.seq)

    # -- changes this process makes ---------------------------------------------------------------
    @contextmanager
    def changing(self, uow: UnitOfWork, as_of: date) -> Iterator[Resident]:
        """The resident state for `as_of`, current with the database, held for a change: the caller
        holds the database's order lock, so no other process writes meanwhile, and this process's
        own calls wait (locks taken in the one order used everywhere: this cache's, then the state's)."""
        with self._lock:
            resident = self.resident(uow, as_of)
            with resident.state.lock:
                yield resident

    def applied(self, resident: Resident, entry: JournalEntry, order: SalesOrder) -> None:
        """Take a journal entry this process has just committed (the caller holds the state's lock
        and the database's order lock, so nobody else wrote in between)."""
        with self._lock:
            assert self._snapshot is not None
            self._snapshot = _with_orders(self._snapshot, {order.order_id: order})
            self._journal.append(entry)
            self._seq = max(self._seq, entry.seq)
            for other in self._states.values():
                self._replay(other, [entry])
            self._drop_outgrown()


def _head(uow: UnitOfWork) -> tuple[int, int]:
    """The plant's version and the order journal's head, read before this process's lock is taken:
    the first read holds the unit of work's connection, so nobody ever waits for a connection while
    holding the lock (a thread holding the lock and waiting for the pool, while the pool's
    connections wait for the bookings that wait for the lock, would stall them all)."""
    if not uow.plant.exists():
        raise NotFound("no plant is loaded: run `planbridge import DIR` or `planbridge demo` first")
    return uow.plant.version(), uow.orders.journal_head()


def _with_orders(snapshot: PlantSnapshot, changed: dict[str, SalesOrder]) -> PlantSnapshot:
    return snapshot.with_orders(changed)
