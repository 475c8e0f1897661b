"""Available to promise by a date: the largest quantity whose promise is on or before it.

A quote's promise never gets earlier when the quantity grows, so the largest quantity that
makes a date is found by bisection over the exact quote. Two things keep that cheap:

- the *first answer* (the ledger's placement) is feasible, and the exact answer is never later
  than it, so every quantity whose first answer makes the date makes it exactly too: a
  bisection over first answers (milliseconds each) gives a lower bound;
- the exact quotes then only search the gap between that bound and the first quantity the
  exact answer cannot make by the date, which is usually a few units wide.

Counted units (pieces, sets) are promised in whole units; other units to `RESOLUTION`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.results import PartialDelivery, Quote
from planning_core.units import is_counted

RESOLUTION = 0.01  # units of measure that are not counted (kg, m): answered to a hundredth
MAX_QTY = 10_000_000.0  # no plant promises more of one item by a date: the search stops there


@dataclass(frozen=True)
class Availability:
    item_id: str
    by: date
    qty: float  # 0 when not even the smallest quantity can be complete by `by`
    schedule: tuple[PartialDelivery, ...]  # when those units are ready (the quote of `qty`)
    exact: bool = True  # False: the deadline stopped the search; `qty` makes the date, more might
    step: float = 1.0  # the quantity is a whole number of these (1 for counted units)
    quote: Quote | None = None  # the quote of `qty` (None when it is 0)

    @property
    def unlimited(self) -> bool:
        """As much as anyone could ask (a bought item that arrives in time, whatever the quantity)."""
        return self.qty >= MAX_QTY


def available(engine: PromiseEngine, item_id: str, by: date, deadline: float | None = None) -> Availability:
    """The largest quantity of `item_id` whose (exact) promise is on or before `by`.

    `deadline` (time.monotonic) bounds the search; past it the answer is the largest quantity
    proved so far, marked not exact.
    """
    step = 1.0 if is_counted(engine.snapshot.items[item_id].uom) else RESOLUTION
    if by < engine.as_of:
        return Availability(item_id, by, 0.0, (), step=step)
    search = _Search(engine, item_id, by, step, deadline)
    low = search.first_answer_bound()
    best = search.exact_bound(low)
    quote = search.quotes.get(best) if best > 0 else None
    return Availability(item_id, by, best, quote.partial if quote else (), search.finished, step, quote)


class _Search:
    def __init__(self, engine: PromiseEngine, item_id: str, by: date, step: float, deadline: float | None) -> None:
        self.engine, self.item_id, self.by, self.step, self.deadline = engine, item_id, by, step, deadline
        self.quotes: dict[float, Quote] = {}
        self.finished = True

    def units(self, k: int) -> float:
        return round(k * self.step, 6)

    def first_answer_bound(self) -> float:
        """The largest quantity whose first answer makes the date (each probe: one ledger placement)."""
        state, day = self.engine.state, (self.by - self.engine.as_of).days

        def makes_it(qty: float) -> bool:
            with state.lock:
                placement = state.place(self.item_id, qty)
            return placement.day is not None and placement.day <= day

        return self.units(_largest(makes_it, self.step, timed_out=self.timed_out))

    def exact_bound(self, low: float) -> float:
        """The largest quantity whose exact quote makes the date, at least `low` (which does). A
        quantity that misses the date still shows, in its plan, how many units were ready by the
        date: the next probe starts there."""

        def makes_it(qty: float) -> bool:
            if qty <= low:
                return True
            quote = self.quote(qty)
            return quote.promise_date is not None and quote.promise_date <= self.by

        def ready_by_then(k: int) -> int | None:
            quote = self.quotes.get(self.units(k))
            if quote is None:
                return None
            return math.floor(sum(p.qty for p in quote.partial if p.date <= self.by) / self.step + 1e-9)

        found = self.units(_largest(makes_it, self.step, start=round(low / self.step), timed_out=self.timed_out,
                                    doubling=True, hint=ready_by_then))
        if found > 0 and found not in self.quotes and not self.timed_out():
            self.quote(found)  # the schedule of the answer
        if found > 0 and found not in self.quotes:
            self.finished = False
        return found

    def quote(self, qty: float) -> Quote:
        if qty not in self.quotes:
            quote = self.engine.quote(item_id=self.item_id, qty=qty, deadline=self.deadline)
            self.finished = self.finished and quote.exact
            self.quotes[qty] = quote
        return self.quotes[qty]

    def timed_out(self) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.finished = False
            return True
        return False


def _largest(makes_it: Callable[[float], bool], step: float, *, start: int = 0,
             timed_out: Callable[[], bool] = lambda: False, doubling: bool = False,
             hint: Callable[[int], int | None] = lambda k: None) -> int:
    """The largest k (in steps) with `makes_it(k × step)`, for a predicate true up to some k and
    false beyond; `start` is known to make it. Grows (by doubling gaps, or with `doubling` the
    quantity itself), then bisects; `hint(k)` may name a good next probe below a k that failed."""
    limit = math.floor(MAX_QTY / step)
    good, bad = start, None
    gap = 1
    while bad is None:
        probe = min(good + max(gap, good if doubling else 0), limit)
        if probe == good or timed_out():
            return good
        if makes_it(round(probe * step, 6)):
            good, gap = probe, gap * 2
        else:
            bad = probe
    neighbour = False  # the last probe was a hint that made it: the quantity above it may settle it
    while bad - good > 1 and not timed_out():
        guess = good + 1 if neighbour else hint(bad)
        middle = guess if guess is not None and good < guess < bad else (good + bad) // 2
        made = makes_it(round(middle * step, 6))
        neighbour = made and middle == guess and not neighbour
        good, bad = (middle, bad) if made else (good, middle)
    return good
