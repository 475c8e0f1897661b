"""quality: held stock, step yields, quality events

Revision ID: issue16_0001
Revises: issue11_0001
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "issue16_0001"
down_revision = "issue11_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routing_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("yield_pct", sa.Float(), nullable=False, server_default="100"))
    op.create_table(
        "held_stock",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("qty", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("hold_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.item_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_held_stock_item_id", "held_stock", ["item_id"])
    op.create_table(
        "quality_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("customer_id", sa.String(length=300), nullable=True),
        sa.Column("qty", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.item_id"]),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_quality_events_item_id", "quality_events", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_quality_events_item_id", table_name="quality_events")
    op.drop_table("quality_events")
    op.drop_index("ix_held_stock_item_id", table_name="held_stock")
    op.drop_table("held_stock")
    with op.batch_alter_table("routing_steps", schema=None) as batch_op:
        batch_op.drop_column("yield_pct")
