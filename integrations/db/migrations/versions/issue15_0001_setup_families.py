"""set-up families on routing steps and the set-up matrix

Revision ID: issue15_0001
Revises: 0002
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "issue15_0001"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routing_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("setup_family", sa.String(length=100), nullable=True))
    op.create_table(
        "setup_changes",
        sa.Column("from_family", sa.String(length=100), nullable=False),
        sa.Column("to_family", sa.String(length=100), nullable=False),
        sa.Column("setup_minutes", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("from_family", "to_family"),
    )


def downgrade() -> None:
    op.drop_table("setup_changes")
    with op.batch_alter_table("routing_steps", schema=None) as batch_op:
        batch_op.drop_column("setup_family")
