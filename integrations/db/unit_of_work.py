"""The SQLAlchemy unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from integrations.db.conversation_repository import SqlConversationRepository
from integrations.db.digest_repository import SqlDigestClaims, SqlDigestSubscriptions
from integrations.db.forecast_repository import SqlForecastRepository
from integrations.db.job_repository import SqlJobRepository
from integrations.db.order_repository import SqlOrderBook
from integrations.db.plant_repository import SqlPlantRepository
from integrations.db.quality_repository import SqlQualityEventLog
from integrations.db.receipt_repository import SqlChatReceipts
from integrations.db.request_repository import SqlAuditLog, SqlRequestRepository
from integrations.db.schedule_repository import SqlScheduleRepository


class SqlUnitOfWork:
    session: Session
    plant: SqlPlantRepository
    schedules: SqlScheduleRepository
    conversations: SqlConversationRepository
    forecasts: SqlForecastRepository
    orders: SqlOrderBook
    requests: SqlRequestRepository
    audit: SqlAuditLog
    subscriptions: SqlDigestSubscriptions
    claims: SqlDigestClaims
    jobs: SqlJobRepository
    receipts: SqlChatReceipts
    quality: SqlQualityEventLog

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.plant = SqlPlantRepository(self.session)
        self.schedules = SqlScheduleRepository(self.session)
        self.conversations = SqlConversationRepository(self.session)
        self.forecasts = SqlForecastRepository(self.session)
        self.orders = SqlOrderBook(self.session)
        self.requests = SqlRequestRepository(self.session)
        self.audit = SqlAuditLog(self.session)
        self.subscriptions = SqlDigestSubscriptions(self.session)
        self.claims = SqlDigestClaims(self.session)
        self.jobs = SqlJobRepository(self.session)
        self.receipts = SqlChatReceipts(self.session)
        self.quality = SqlQualityEventLog(self.session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
