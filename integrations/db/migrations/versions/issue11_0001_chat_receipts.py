"""chat receipts: each chat event and click handled once

Revision ID: issue11_0001
Revises: issue12_0001
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "issue11_0001"
down_revision = "issue12_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_receipts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("chat_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_receipts_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_receipts_received_at"))
    op.drop_table("chat_receipts")
