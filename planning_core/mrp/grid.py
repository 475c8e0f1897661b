"""The time grid of an MRP run: day or week buckets counted from the as-of date."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class BucketSize(StrEnum):
    DAY = "day"
    WEEK = "week"

    @property
    def days(self) -> int:
        return 1 if self is BucketSize.DAY else 7


@dataclass(frozen=True)
class Grid:
    """Buckets of `bucket_days` days; bucket 0 starts on the as-of date.

    The horizon is rounded up to whole buckets, so `days` may exceed the horizon asked for.
    Day indexes count calendar days from the as-of date (day 0).
    """

    as_of: date
    bucket_days: int
    buckets: int

    @classmethod
    def build(cls, as_of: date, *, horizon_days: int, bucket: BucketSize) -> Grid:
        if horizon_days <= 0:
            raise ValueError(f"the horizon must be at least one day, got {horizon_days}")
        return cls(as_of, bucket.days, math.ceil(horizon_days / bucket.days))

    @property
    def days(self) -> int:
        return self.buckets * self.bucket_days

    def date_of(self, day: int) -> date:
        return self.as_of + timedelta(days=int(day))

    def bucket_start(self, bucket: int) -> date:
        return self.date_of(bucket * self.bucket_days)

    def day_index(self, when: date) -> int:
        return (when - self.as_of).days

    def bucket_of_days(self, days: IntArray) -> IntArray:
        """Bucket of each day index; days before the as-of date fall in the first bucket."""
        return np.maximum(days, 0) // self.bucket_days
