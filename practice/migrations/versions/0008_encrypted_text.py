"""what people write is stored encrypted: room for ciphertext where a column was short

Revision ID: 0008_encrypted_text
Revises: 0007_session_activity
Create Date: 2026-11-25 18:10:00

Values written before this release stay readable as they are; ``practice encryption rotate``
seals them (see README, "Encryption at rest").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_encrypted_text"
down_revision = "0007_session_activity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("safety_checks", schema=None) as batch_op:
        batch_op.alter_column(
            "worries", existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("safety_checks", schema=None) as batch_op:
        batch_op.alter_column(
            "worries", existing_type=sa.Text(), type_=sa.String(length=200), existing_nullable=False
        )
