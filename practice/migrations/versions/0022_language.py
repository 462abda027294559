"""language: the language each person chose for Mend (empty: their browser's)

Revision ID: 0022_language
Revises: 0021_reading
Create Date: 2026-12-06 00:41:54.979261
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_language"
down_revision = "0021_reading"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
