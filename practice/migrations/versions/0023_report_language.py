"""report language: the language a queued report prints in (the worker has no reader)

Revision ID: 0023_report_language
Revises: 0022_language
Create Date: 2026-12-06 03:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_report_language"
down_revision = "0022_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("report_requests", schema=None) as batch_op:
        batch_op.drop_column("language")
