"""Background jobs: what was asked, who runs it, and its result (read by `/api/jobs/{id}`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrations.db import models as m
from planbridge.records import JobRecord, JobStatus


class SqlJobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: JobRecord) -> None:
        self.session.add(m.JobRow(**job.__dict__))
        self.session.flush()

    def get(self, job_id: str) -> JobRecord | None:
        row = self.session.get(m.JobRow, job_id, populate_existing=True)
        return None if row is None else _record(row)

    def list(self, *, status: str | None = None, limit: int = 50) -> list[JobRecord]:
        query = select(m.JobRow).order_by(m.JobRow.submitted_at.desc()).limit(limit)
        if status:
            query = query.where(m.JobRow.status == status)
        return [_record(row) for row in self.session.scalars(query)]

    def start(self, job_id: str, *, worker: str, at: datetime, max_attempts: int) -> bool:
        """Queued, or running on a worker that died (a redelivered task): this worker runs it now."""
        result = self.session.execute(
            update(m.JobRow)
            .where(m.JobRow.job_id == job_id, m.JobRow.attempts < max_attempts,
                   m.JobRow.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
            .values(status=JobStatus.RUNNING.value, worker=worker, started_at=at, attempts=m.JobRow.attempts + 1)
        )
        return bool(getattr(result, "rowcount", 0))

    def finish(self, job_id: str, *, worker: str, at: datetime, result: dict[str, Any] | None,
               error: str | None) -> bool:
        status = JobStatus.FAILED.value if error is not None else JobStatus.SUCCEEDED.value
        done = self.session.execute(
            update(m.JobRow)
            .where(m.JobRow.job_id == job_id, m.JobRow.worker == worker, m.JobRow.status == JobStatus.RUNNING.value)
            .values(status=status, finished_at=at, result=result, error=error)
        )
        return bool(getattr(done, "rowcount", 0))

    def mark_result_posted(self, job_id: str, *, at: datetime) -> bool:
        """True for the one caller that may post the result to chat."""
        marked = self.session.execute(
            update(m.JobRow).where(m.JobRow.job_id == job_id, m.JobRow.result_posted_at.is_(None))
            .values(result_posted_at=at)
        )
        return bool(getattr(marked, "rowcount", 0))


def _record(row: m.JobRow) -> JobRecord:
    return JobRecord(
        row.job_id, row.kind, row.params, row.status, _aware(row.submitted_at), row.submitted_by, row.reply_channel,
        row.reply_thread, _maybe(row.started_at), _maybe(row.finished_at), row.attempts, row.worker, row.result,
        row.error, _maybe(row.result_posted_at),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _maybe(moment: datetime | None) -> datetime | None:
    return None if moment is None else _aware(moment)
