"""Report requests: whether the couple's copy includes where the partners' reports differ

Revision ID: 0021_reading
Revises: 0020_account_sessions
Create Date: 2026-12-06 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_reading"
down_revision = "0020_account_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The clinician chooses, per couple's copy, whether disagreement items are printed; a
    # queued request keeps that choice until a worker prints it.
    with op.batch_alter_table("report_requests") as batch_op:
        batch_op.add_column(
            sa.Column(
                "include_differences", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("report_requests") as batch_op:
        batch_op.drop_column("include_differences")
