"""report requests count their print attempts, so a print cut short is tried again

Revision ID: 0013_report_request_attempts
Revises: 0012_report_requests
Create Date: 2026-11-25 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_report_request_attempts"
down_revision = "0012_report_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_report_requests_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_report_requests_status")
        batch_op.drop_column("attempts")
