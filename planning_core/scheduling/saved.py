"""A schedule stored for later readers (the digest, utilisation KPIs): its JSON document and when it was made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class SavedSchedule:
    schedule_id: int
    created_at: datetime
    as_of: date
    plant_version: int
    status: str
    document: dict[str, Any]  # the `planbridge schedule --json` document
