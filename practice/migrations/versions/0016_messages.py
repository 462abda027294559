"""messages between sessions: conversations, reads, notices and availability notes

Revision ID: 0016_messages
Revises: 0015_unread_answers_index
Create Date: 2026-12-05 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import practice.models.types

revision = "0016_messages"
down_revision = "0015_unread_answers_index"
branch_labels = None
depends_on = None

UTC = practice.models.types.UTCDateTime
THREAD_CHECK = "thread IN ('injured', 'involved', 'together')"


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("thread", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("submit_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("edited_at", UTC(), nullable=True),
        sa.Column("withdrawn_at", UTC(), nullable=True),
        sa.Column("changed_at", UTC(), nullable=False),
        sa.Column("for_session_at", UTC(), nullable=True),
        sa.CheckConstraint(THREAD_CHECK, name=op.f("ck_messages_thread")),
        sa.CheckConstraint(
            "author_role IN ('clinician', 'injured', 'involved')",
            name=op.f("ck_messages_author_role"),
        ),
        sa.CheckConstraint(
            "author_role = 'clinician' OR thread = 'together' OR thread = author_role",
            name=op.f("ck_messages_author_in_thread"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_messages_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["couples.id"],
            name=op.f("fk_messages_couple_id_couples"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "author_id", "submit_key", name=op.f("uq_messages_author_id_submit_key")
        ),
    )
    op.create_index("ix_messages_thread_id", "messages", ["couple_id", "thread", "id"])
    op.create_index("ix_messages_thread_changed", "messages", ["couple_id", "thread", "changed_at"])
    op.create_table(
        "message_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("thread", sa.String(length=16), nullable=False),
        sa.Column("last_read_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTC(), nullable=True),
        sa.Column("notified_at", UTC(), nullable=True),
        sa.CheckConstraint(THREAD_CHECK, name=op.f("ck_message_reads_thread")),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["couples.id"],
            name=op.f("fk_message_reads_couple_id_couples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_message_reads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_reads")),
        sa.UniqueConstraint(
            "user_id", "couple_id", "thread", name=op.f("uq_message_reads_user_id_couple_id_thread")
        ),
    )
    with op.batch_alter_table("couples") as batch_op:
        batch_op.add_column(sa.Column("messaging_off_at", UTC(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "messaging_off_reason",
                sa.Text(),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column(
                "message_notices",
                sa.String(length=16),
                nullable=False,
                server_default="immediate",
            )
        )
        batch_op.add_column(
            sa.Column("availability_note", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.create_check_constraint(
            "message_notices", "message_notices IN ('immediate', 'digest', 'none')"
        )
    with op.batch_alter_table("practice_settings") as batch_op:
        batch_op.add_column(
            sa.Column("availability_note", sa.String(length=300), nullable=False, server_default="")
        )
    with op.batch_alter_table("reminder_logs") as batch_op:
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('client', 'digest', 'messages')")


def downgrade() -> None:
    op.execute("DELETE FROM reminder_logs WHERE kind = 'messages'")
    with op.batch_alter_table("reminder_logs") as batch_op:
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('client', 'digest')")
    with op.batch_alter_table("practice_settings") as batch_op:
        batch_op.drop_column("availability_note")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("message_notices", type_="check")
        batch_op.drop_column("availability_note")
        batch_op.drop_column("message_notices")
    with op.batch_alter_table("couples") as batch_op:
        batch_op.drop_column("messaging_off_reason")
        batch_op.drop_column("messaging_off_at")
    op.drop_table("message_reads")
    op.drop_index("ix_messages_thread_changed", table_name="messages")
    op.drop_index("ix_messages_thread_id", table_name="messages")
    op.drop_table("messages")
