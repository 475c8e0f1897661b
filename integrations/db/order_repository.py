"""Booking and changing sales orders, serialised so two reps never book the same capacity."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrations.db import models as m
from integrations.db.plant_repository import sales_order_values
from planning_core.model import SalesOrder

_NUMBERED = re.compile(r"^SO-(\d+)$")


class SqlOrderBook:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(self) -> None:
        """Hold the plant's write lock until the transaction ends.

        PostgreSQL: a row lock on the plant row, so concurrent bookings queue up and
        each re-reads what the one before it booked. SQLite: every transaction already
        begins IMMEDIATE (see `engine.py`), which takes the database write lock.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(m.PlantRow.id).where(m.PlantRow.id == 1).with_for_update())

    def next_order_id(self) -> str:
        numbers = [
            int(match.group(1))
            for (order_id,) in self.session.execute(select(m.SalesOrderRow.order_id))
            if (match := _NUMBERED.match(order_id))
        ]
        return f"SO-{max(numbers, default=1000) + 1}"

    def add(self, order: SalesOrder, *, source: str, at: datetime) -> None:
        self.session.add(m.SalesOrderRow(**sales_order_values(order), source=source, created_at=at))
        self.session.flush()

    def update(self, order_id: str, **values: Any) -> None:
        self.session.execute(update(m.SalesOrderRow).where(m.SalesOrderRow.order_id == order_id).values(**values))
