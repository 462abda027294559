"""Session notes: one per appointment (or per unscheduled contact), for the couple as a whole.

Clinician-only records: no client page, couple's copy or partner's export ever reads them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.types import Encrypted, UTCDateTime, utcnow

if TYPE_CHECKING:
    from practice.models.appointment import Appointment
    from practice.models.user import User

NOTE_KINDS = ("appointment", "contact")
CONTACT_KINDS = ("phone", "video", "message", "crisis", "other")
PLAN_ACTIONS = ("assignment", "boundary", "stage", "agenda")


class SessionNote(Base):
    __tablename__ = "session_notes"
    __table_args__ = (
        CheckConstraint("kind IN ('appointment', 'contact')", name="kind"),
        # An appointment's note names its appointment; a contact note has its own time.
        CheckConstraint(
            "(kind = 'appointment' AND appointment_id IS NOT NULL) OR "
            "(kind = 'contact' AND appointment_id IS NULL)",
            name="kind_matches",
        ),
        CheckConstraint("(signed_at IS NULL) = (signed_by_id IS NULL)", name="signature_whole"),
        UniqueConstraint("appointment_id"),
        Index("ix_session_notes_couple_held", "couple_id", "held_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    contact_kind: Mapped[str | None] = mapped_column(String(16))
    # When the session or contact took place.
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note_format: Mapped[str] = mapped_column(String(16))
    # The pre-filled data: frozen when the note is started (see practice.notes.prefill).
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)  # exclusive
    prefill: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"))
    sections: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"))
    revision: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The signed note as printed (practice.notes.document), kept like a report.
    pdf_file: Mapped[str | None] = mapped_column(String(80))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))

    appointment: Mapped[Appointment | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    addenda: Mapped[list[NoteAddendum]] = relationship(
        back_populates="note", order_by="NoteAddendum.id", cascade="all, delete-orphan"
    )
    plan_items: Mapped[list[PlanItem]] = relationship(
        back_populates="note", order_by="PlanItem.id", cascade="all, delete-orphan"
    )

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    def __repr__(self) -> str:
        return f"<SessionNote {self.id} couple={self.couple_id} {self.kind}>"


class NoteAddendum(Base):
    """A later change to a signed note: dated and signed when saved; a draft until then."""

    __tablename__ = "note_addenda"
    __table_args__ = (
        CheckConstraint("(signed_at IS NULL) = (signed_by_id IS NULL)", name="signature_whole"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("session_notes.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Encrypted(), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    note: Mapped[SessionNote] = relationship(back_populates="addenda")
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])

    def __repr__(self) -> str:
        return f"<NoteAddendum {self.id} note={self.note_id}>"


class PlanItem(Base):
    """One line of a note's plan, and what it became (an assignment, a boundary proposal, a
    stage change or an agenda item), if anything."""

    __tablename__ = "note_plan_items"
    __table_args__ = (
        CheckConstraint(
            "action IS NULL OR action IN ('assignment', 'boundary', 'stage', 'agenda')",
            name="action",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("session_notes.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Encrypted(), default="")
    action: Mapped[str | None] = mapped_column(String(16))
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL")
    )
    boundary_id: Mapped[int | None] = mapped_column(
        ForeignKey("boundaries.id", ondelete="SET NULL")
    )
    stage_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage_changes.id", ondelete="SET NULL")
    )
    agenda_appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    note: Mapped[SessionNote] = relationship(back_populates="plan_items")

    def __repr__(self) -> str:
        return f"<PlanItem {self.id} note={self.note_id} {self.action}>"
