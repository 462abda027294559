"""outcomes: practice-set reliable-change thresholds, measure schedules

Revision ID: 0018_outcomes
Revises: 0017_session_notes
Create Date: 2026-12-06 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import practice.models.types

revision = "0018_outcomes"
down_revision = "0017_session_notes"
branch_labels = None
depends_on = None

UTC = practice.models.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "practice_thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("reference_sd", sa.Float(), nullable=True),
        sa.Column("reliability", sa.Float(), nullable=True),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", UTC(), nullable=False),
        sa.CheckConstraint(
            "reference_sd IS NULL OR reference_sd > 0",
            name=op.f("ck_practice_thresholds_sd_positive"),
        ),
        sa.CheckConstraint(
            "reliability IS NULL OR (reliability > 0 AND reliability < 1)",
            name=op.f("ck_practice_thresholds_reliability"),
        ),
        sa.CheckConstraint(
            "(reference_sd IS NULL) = (reliability IS NULL)",
            name=op.f("ck_practice_thresholds_both_or_none"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["users.id"],
            name=op.f("fk_practice_thresholds_set_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_thresholds")),
    )
    op.create_index(
        "ix_practice_thresholds_instrument", "practice_thresholds", ["instrument", "set_at"]
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("every_weeks", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("days_before", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_constraint("schedule", type_="check")
        batch_op.create_check_constraint(
            "schedule", "schedule IN ('once', 'daily', 'weekly', 'weeks', 'appts', 'stages')"
        )
        batch_op.create_check_constraint("weeks_has_n", "schedule != 'weeks' OR every_weeks > 0")


def downgrade() -> None:
    op.execute("DELETE FROM assignments WHERE schedule IN ('weeks', 'appts', 'stages')")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint("weeks_has_n", type_="check")
        batch_op.drop_constraint("schedule", type_="check")
        batch_op.create_check_constraint("schedule", "schedule IN ('once', 'daily', 'weekly')")
        batch_op.drop_column("days_before")
        batch_op.drop_column("every_weeks")
    op.drop_index("ix_practice_thresholds_instrument", table_name="practice_thresholds")
    op.drop_table("practice_thresholds")
