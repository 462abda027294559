"""Sessions with the clinician; reports cover the time since the previous one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.couple import Couple
from practice.models.types import Encrypted, UTCDateTime, utcnow


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 10 AND 480", name="duration_range"),
        CheckConstraint("mode IN ('in_person', 'online')", name="mode"),
        # "Previous appointment before T" and "next after T" are index range scans on this.
        Index("ix_appointments_couple_starts", "couple_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=50)
    agenda_note: Mapped[str | None] = mapped_column(Encrypted())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mode: Mapped[str] = mapped_column(String(10), default="in_person", server_default="in_person")
    # Any https address the clinician pastes (Mend hosts no video); it may hold a passcode.
    meeting_link: Mapped[str | None] = mapped_column(Encrypted())
    # The calendar event's SEQUENCE (RFC 5545): bumped on every change a calendar should see.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    couple: Mapped[Couple] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def online(self) -> bool:
        return self.mode == "online" and bool(self.meeting_link)

    def __repr__(self) -> str:
        return f"<Appointment {self.id} couple={self.couple_id}>"
