"""session notes: notes, addenda, plan items, and the note format settings

Revision ID: 0017_session_notes
Revises: 0016_messages
Create Date: 2026-12-06 00:16:50.525819
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import practice.models.types

revision = "0017_session_notes"
down_revision = "0016_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("contact_kind", sa.String(length=16), nullable=True),
        sa.Column("held_at", practice.models.types.UTCDateTime(), nullable=False),
        sa.Column("note_format", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("prefill", sa.JSON(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", practice.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", practice.models.types.UTCDateTime(), nullable=False),
        sa.Column("signed_at", practice.models.types.UTCDateTime(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("pdf_file", sa.String(length=80), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(kind = 'appointment' AND appointment_id IS NOT NULL) OR "
            "(kind = 'contact' AND appointment_id IS NULL)",
            name=op.f("ck_session_notes_kind_matches"),
        ),
        sa.CheckConstraint(
            "kind IN ('appointment', 'contact')", name=op.f("ck_session_notes_kind")
        ),
        sa.CheckConstraint(
            "(signed_at IS NULL) = (signed_by_id IS NULL)",
            name=op.f("ck_session_notes_signature_whole"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_session_notes_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_session_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["couples.id"],
            name=op.f("fk_session_notes_couple_id_couples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["users.id"],
            name=op.f("fk_session_notes_signed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_notes")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_session_notes_appointment_id")),
    )
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_session_notes_couple_held", ["couple_id", "held_at"], unique=False
        )

    op.create_table(
        "note_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", practice.models.types.UTCDateTime(), nullable=False),
        sa.Column("signed_at", practice.models.types.UTCDateTime(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(signed_at IS NULL) = (signed_by_id IS NULL)",
            name=op.f("ck_note_addenda_signature_whole"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_note_addenda_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["session_notes.id"],
            name=op.f("fk_note_addenda_note_id_session_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["users.id"],
            name=op.f("fk_note_addenda_signed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_addenda")),
    )
    with op.batch_alter_table("note_addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_addenda_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("acted_at", practice.models.types.UTCDateTime(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("boundary_id", sa.Integer(), nullable=True),
        sa.Column("stage_change_id", sa.Integer(), nullable=True),
        sa.Column("agenda_appointment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", practice.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "action IS NULL OR action IN ('assignment', 'boundary', 'stage', 'agenda')",
            name=op.f("ck_note_plan_items_action"),
        ),
        sa.ForeignKeyConstraint(
            ["agenda_appointment_id"],
            ["appointments.id"],
            name=op.f("fk_note_plan_items_agenda_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_note_plan_items_assignment_id_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["boundary_id"],
            ["boundaries.id"],
            name=op.f("fk_note_plan_items_boundary_id_boundaries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["session_notes.id"],
            name=op.f("fk_note_plan_items_note_id_session_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stage_change_id"],
            ["stage_changes.id"],
            name=op.f("fk_note_plan_items_stage_change_id_stage_changes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_plan_items")),
    )
    with op.batch_alter_table("note_plan_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_plan_items_note_id"), ["note_id"], unique=False)

    with op.batch_alter_table("practice_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("note_format", sa.String(length=16), server_default="dap", nullable=False)
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("note_format", sa.String(length=16), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("note_format")

    with op.batch_alter_table("practice_settings", schema=None) as batch_op:
        batch_op.drop_column("note_format")

    with op.batch_alter_table("note_plan_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_plan_items_note_id"))

    op.drop_table("note_plan_items")
    with op.batch_alter_table("note_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_addenda_note_id"))

    op.drop_table("note_addenda")
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_session_notes_couple_held")

    op.drop_table("session_notes")
