"""Quality events logged from chat or the command line (the `quality_events` plant table)."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrations.db import models as m
from integrations.db.plant_repository import quality_event, quality_event_values
from planning_core.model import QualityEvent, QualityEventStatus

_NUMBERED = re.compile(r"^QE-(\d+)$")


class SqlQualityEventLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_event_id(self) -> str:
        numbers = [int(match.group(1)) for (event_id,) in self.session.execute(select(m.QualityEventRow.event_id))
                   if (match := _NUMBERED.match(event_id))]
        return f"QE-{max(numbers, default=1000) + 1}"

    def add(self, event: QualityEvent) -> None:
        self.session.add(m.QualityEventRow(**quality_event_values(event)))
        self.session.flush()

    def get(self, event_id: str) -> QualityEvent | None:
        row = self.session.execute(
            select(m.QualityEventRow.__table__).where(m.QualityEventRow.event_id == event_id)).first()
        return quality_event(row) if row is not None else None

    def set_status(self, event_id: str, status: QualityEventStatus) -> None:
        self.session.execute(update(m.QualityEventRow).where(m.QualityEventRow.event_id == event_id)
                             .values(status=status.value))
