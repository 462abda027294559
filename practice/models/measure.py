"""Scored questionnaire administrations, private safety checks, and reminder bookkeeping."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from practice.db import Base
from practice.models.types import Encrypted, UTCDateTime, utcnow


class MeasureScore(Base):
    """The score of one submitted questionnaire (the answers stay in its Response).

    Never edited: a corrected administration is a new one, and this one is kept."""

    __tablename__ = "measure_scores"
    __table_args__ = (
        CheckConstraint("role IN ('injured', 'involved')", name="role"),
        Index("ix_measure_scores_couple_instrument", "couple_id", "instrument", "administered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    instrument: Mapped[str] = mapped_column(String(16))
    administered_on: Mapped[date] = mapped_column(Date)
    total: Mapped[int]
    band: Mapped[str] = mapped_column(String(40))
    band_rank: Mapped[int]
    self_harm_item: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<MeasureScore {self.id} {self.instrument}>"


class SafetyCheck(Base):
    """The outcome of one private safety check: whether any answer was worrying, and which."""

    __tablename__ = "safety_checks"
    __table_args__ = (
        CheckConstraint("role IN ('injured', 'involved')", name="role"),
        Index("ix_safety_checks_couple_checked", "couple_id", "checked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    checked_on: Mapped[date] = mapped_column(Date)
    worrying: Mapped[bool] = mapped_column(Boolean)
    worries: Mapped[str] = mapped_column(Encrypted(), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SafetyCheck {self.id} worrying={self.worrying}>"


class ReminderLog(Base):
    """One reminder, flag digest or message digest sent: the unique key makes the reminder
    command idempotent."""

    __tablename__ = "reminder_logs"
    __table_args__ = (
        CheckConstraint("kind IN ('client', 'digest', 'messages')", name="kind"),
        UniqueConstraint("user_id", "sent_on", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ReminderLog {self.id} user={self.user_id} {self.kind}>"


class DigestedFlag(Base):
    """A flag already sent in a clinician's morning digest (so each is sent once)."""

    __tablename__ = "digested_flags"
    __table_args__ = (UniqueConstraint("user_id", "couple_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    sent_on: Mapped[date] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<DigestedFlag {self.id} user={self.user_id}>"


class PracticeThreshold(Base):
    """A reliable-change basis an admin entered for a questionnaire without a published one.

    Never edited: each change (or clearing, with no SD) is a new row naming who made it and
    when, so the history is the audit trail; the newest row per instrument is in force."""

    __tablename__ = "practice_thresholds"
    __table_args__ = (
        CheckConstraint("reference_sd IS NULL OR reference_sd > 0", name="sd_positive"),
        CheckConstraint(
            "reliability IS NULL OR (reliability > 0 AND reliability < 1)", name="reliability"
        ),
        CheckConstraint("(reference_sd IS NULL) = (reliability IS NULL)", name="both_or_none"),
        Index("ix_practice_thresholds_instrument", "instrument", "set_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument: Mapped[str] = mapped_column(String(16))
    reference_sd: Mapped[float | None] = mapped_column(Float)
    reliability: Mapped[float | None] = mapped_column(Float)
    citation: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<PracticeThreshold {self.id} {self.instrument}>"
