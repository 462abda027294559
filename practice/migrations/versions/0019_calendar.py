"""calendar feeds, session links, prepared reports and the scheduler's runs

Revision ID: 0019_calendar
Revises: 0018_outcomes
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import practice.models.types

revision = "0019_calendar"
down_revision = "0018_outcomes"
branch_labels = None
depends_on = None

UTC = practice.models.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(length=10), server_default="in_person", nullable=False)
        )
        batch.add_column(sa.Column("meeting_link", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch.create_check_constraint("mode", "mode IN ('in_person', 'online')")

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("title_style", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("revoked_at", UTC(), nullable=True),
        sa.CheckConstraint(
            "title_style IN ('label', 'session')", name=op.f("ck_calendar_feeds_title_style")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_calendar_feeds_token_sha256")),
    )
    op.create_index("ix_calendar_feeds_user", "calendar_feeds", ["user_id", "revoked_at"])

    op.create_table(
        "scheduler_runs",
        sa.Column("task", sa.String(length=40), nullable=False),
        sa.Column("slot", sa.String(length=20), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("task", "slot", name=op.f("pk_scheduler_runs")),
    )

    op.create_table(
        "prepared_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("outdated", sa.String(length=20), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("covers_until", UTC(), nullable=True),
        sa.Column("prepared_at", UTC(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'failed')",
            name=op.f("ck_prepared_reports_status"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_prepared_reports_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["couples.id"],
            name=op.f("fk_prepared_reports_couple_id_couples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_prepared_reports_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_reports")),
        sa.UniqueConstraint(
            "couple_id", "for_date", name=op.f("uq_prepared_reports_couple_id_for_date")
        ),
    )
    op.create_index("ix_prepared_reports_appointment_id", "prepared_reports", ["appointment_id"])
    op.create_index("ix_prepared_reports_status", "prepared_reports", ["status"])


def downgrade() -> None:
    op.drop_index("ix_prepared_reports_status", table_name="prepared_reports")
    op.drop_index("ix_prepared_reports_appointment_id", table_name="prepared_reports")
    op.drop_table("prepared_reports")
    op.drop_table("scheduler_runs")
    op.drop_index("ix_calendar_feeds_user", table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_constraint("mode", type_="check")
        batch.drop_column("sequence")
        batch.drop_column("meeting_link")
        batch.drop_column("mode")
