"""Working time of one calendar in whole minutes, and the map between real and working time.

A resource works only inside its calendar's working intervals. Measured in *working
minutes* (minutes counted only while the calendar works), an operation needing `w`
minutes of work is a plain interval of length `w`, however many breaks, nights or
holidays it spans in real time. The schedulers therefore place operations in working
time and convert to real time with `start_at`/`end_at`; `pieces` cuts an operation at
the calendar's breaks, which is what a `Plan` needs (one operation per working interval).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkingTime:
    """Sorted, disjoint working intervals `[start, end)` in real minutes since the origin."""

    windows: tuple[tuple[int, int], ...]
    starts: tuple[int, ...] = field(init=False, repr=False)
    ends: tuple[int, ...] = field(init=False, repr=False)
    cumulative: tuple[int, ...] = field(init=False, repr=False)  # working minutes before window i; one extra at the end

    def __post_init__(self) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(self.windows):
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        cumulative = [0]
        for start, end in merged:
            cumulative.append(cumulative[-1] + end - start)
        object.__setattr__(self, "windows", tuple(merged))
        object.__setattr__(self, "starts", tuple(s for s, _ in merged))
        object.__setattr__(self, "ends", tuple(e for _, e in merged))
        object.__setattr__(self, "cumulative", tuple(cumulative))

    @classmethod
    def always(cls, horizon: int) -> WorkingTime:
        """A resource that never stops (24/7), up to `horizon`."""
        return cls(((0, horizon),))

    @classmethod
    def from_minutes(cls, windows: Sequence[tuple[float, float]]) -> WorkingTime:
        """From `calendars.working_minutes` output; shift times are whole minutes, rounding only drops float noise."""
        return cls(tuple((round(s), round(e)) for s, e in windows if e > 0))

    @property
    def total(self) -> int:
        """Working minutes available in the whole horizon."""
        return self.cumulative[-1]

    @property
    def is_continuous(self) -> bool:
        """Working time equals real time (one window from the origin on)."""
        return len(self.windows) == 1 and self.starts[0] == 0

    def work_before(self, moment: int) -> int:
        """Working minutes in `[0, moment)`."""
        i = bisect.bisect_right(self.starts, moment) - 1
        if i < 0:
            return 0
        return self.cumulative[i] + min(moment, self.ends[i]) - self.starts[i]

    def window_of_start(self, work: int) -> int:
        """Index of the window in which working minute `work` (0-based) lies."""
        return bisect.bisect_right(self.cumulative, work) - 1

    def window_of_end(self, work: int) -> int:
        """Index of the window in which the `work`-th working minute (1-based) completes."""
        return bisect.bisect_left(self.cumulative, work) - 1

    def start_at(self, work: int) -> int:
        """The real moment working minute `work` begins (0 <= work < total)."""
        i = self.window_of_start(work)
        return self.starts[i] + work - self.cumulative[i]

    def end_at(self, work: int) -> int:
        """The real moment `work` working minutes are complete (0 < work <= total)."""
        i = self.window_of_end(work)
        return self.starts[i] + work - self.cumulative[i]

    def real_span(self, work_start: int, work: int) -> tuple[int, int]:
        """Real start and end of `work` minutes starting at working minute `work_start`."""
        start = self.start_at(work_start)
        return start, (self.end_at(work_start + work) if work > 0 else start)

    def pieces(self, work_start: int, work: int) -> list[tuple[int, int]]:
        """The real intervals, one per working window, that `work` minutes from `work_start` occupy."""
        result: list[tuple[int, int]] = []
        remaining = work
        i = self.window_of_start(work_start)
        at = self.starts[i] + work_start - self.cumulative[i]
        while remaining > 0:
            take = min(remaining, self.ends[i] - at)
            result.append((at, at + take))
            remaining -= take
            i += 1
            if remaining > 0:
                at = self.starts[i]
        return result

    def offset(self, window: int) -> int:
        """Real minus working time inside window `window` (non-working time before it)."""
        return self.starts[window] - self.cumulative[window]
