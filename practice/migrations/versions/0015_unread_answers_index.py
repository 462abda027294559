"""Answers: the index by assignment and status also holds reviewed_at

Revision ID: 0015_unread_answers_index
Revises: 0014_audit_chain_head
Create Date: 2026-11-26 02:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0015_unread_answers_index"
down_revision = "0014_audit_chain_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The couple page counts a couple's unread answers on every view: with reviewed_at in the
    # index the count reads the index alone, not every submitted answer's row (a year of daily
    # check-ins is hundreds). It serves every query the narrower index served.
    with op.batch_alter_table("responses") as batch_op:
        batch_op.create_index(
            "ix_responses_assignment_status_review",
            ["assignment_id", "status", "reviewed_at"],
            unique=False,
        )
        batch_op.drop_index("ix_responses_assignment_status")


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch_op:
        batch_op.create_index(
            "ix_responses_assignment_status", ["assignment_id", "status"], unique=False
        )
        batch_op.drop_index("ix_responses_assignment_status_review")
