"""order journal: bookings and approved changes since the last import, in order; orders to re-promise

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("sales_orders") as batch:
        batch.add_column(sa.Column("projected_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("repromise_request", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sales_orders") as batch:
        batch.drop_column("repromise_request")
        batch.drop_column("projected_date")
    op.drop_table("order_events")
