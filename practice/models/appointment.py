"""Sessions with the clinician; reports cover the time since the previous one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.couple import Couple
from practice.models.types import Encrypted, UTCDateTime, utcnow


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 10 AND 480", name="duration_range"),
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

    couple: Mapped[Couple] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def __repr__(self) -> str:
        return f"<Appointment {self.id} couple={self.couple_id}>"
