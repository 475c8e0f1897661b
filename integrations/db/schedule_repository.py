"""Saved schedules in the `schedule_runs` table; the newest one feeds the digest and utilisation KPIs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from integrations.db import models as m
from planning_core.scheduling.saved import SavedSchedule


class SqlScheduleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *, as_of: date, plant_version: int, status: str, document: dict[str, Any], at: datetime) -> int:
        result = self.session.execute(
            insert(m.ScheduleRunRow)
            .values(created_at=at, as_of=as_of, plant_version=plant_version, status=status,
                    payload=document)
            .returning(m.ScheduleRunRow.id)
        )
        return int(result.scalar_one())

    def latest(self) -> SavedSchedule | None:
        row = self.session.scalars(select(m.ScheduleRunRow).order_by(m.ScheduleRunRow.id.desc()).limit(1)).first()
        if row is None:
            return None
        created = row.created_at if row.created_at.tzinfo is not None else row.created_at.replace(tzinfo=UTC)
        return SavedSchedule(row.id, created, row.as_of, row.plant_version, row.status, dict(row.payload))
