"""couples remember when they were closed

Revision ID: 0010_couple_closed_at
Revises: 0009_audit_trail
Create Date: 2026-11-25 17:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import practice.models.types

revision = "0010_couple_closed_at"
down_revision = "0009_audit_trail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("couples", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_at", practice.models.types.UTCDateTime(), nullable=True)
        )
    # Couples closed before this column existed count from today, so retention never deletes
    # a record earlier than the full period after it could first be known to be closed.
    op.execute("UPDATE couples SET closed_at = CURRENT_TIMESTAMP WHERE status = 'closed'")


def downgrade() -> None:
    with op.batch_alter_table("couples", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
