"""Conversation state per chat thread (the `conversations` table): what follow-ups may reuse."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.db import models as m


class SqlConversationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, thread_id: str) -> dict[str, Any] | None:
        row = self.session.scalar(select(m.ConversationRow).where(m.ConversationRow.thread_id == thread_id))
        return dict(row.state) if row is not None else None

    def save(self, thread_id: str, *, user_id: str | None, state: dict[str, Any], at: datetime) -> None:
        """Insert or replace the state of one thread (the caller commits)."""
        row = self.session.get(m.ConversationRow, thread_id)
        if row is None:
            self.session.add(m.ConversationRow(thread_id=thread_id, user_id=user_id, state=state, updated_at=at))
        else:
            row.state = state
            row.user_id = user_id or row.user_id
            row.updated_at = at
        self.session.flush()
