"""A couple in the clinician's care, its two partners, and its path through the stages."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.types import Encrypted, UTCDateTime, utcnow

if TYPE_CHECKING:
    from practice.models.user import User

COUPLE_STATUSES = ("active", "paused", "closed")
PARTNER_ROLES = ("injured", "involved")


class Couple(Base):
    __tablename__ = "couples"
    __table_args__ = (
        CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),
        CheckConstraint("status IN ('active', 'paused', 'closed')", name="status"),
        UniqueConstraint("clinician_id", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    stage: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="active")
    started_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the work ended: the record is read-only from then, and retention counts from here.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The stage whose plan of exercises is waiting for the clinician to accept or skip.
    plan_offer_stage: Mapped[int | None]
    # Messaging turned off by the clinician (reading stays possible), and why, for the clients.
    messaging_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    messaging_off_reason: Mapped[str] = mapped_column(Encrypted(), default="", server_default="")

    clinician: Mapped[User] = relationship(foreign_keys=[clinician_id])
    partners: Mapped[list[Partner]] = relationship(
        back_populates="couple", order_by="Partner.role", cascade="all, delete-orphan"
    )
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="couple", order_by="StageChange.changed_at", cascade="all, delete-orphan"
    )

    def partner(self, role: str) -> Partner | None:
        """The partner with this role, if any."""
        return next((p for p in self.partners if p.role == role), None)

    def __repr__(self) -> str:
        return f"<Couple {self.id} stage={self.stage}>"


class Partner(Base):
    """A client user's place in a couple. One injured and one involved partner per couple."""

    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint("role IN ('injured', 'involved')", name="role"),
        UniqueConstraint("couple_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    role: Mapped[str] = mapped_column(String(16))

    couple: Mapped[Couple] = relationship(back_populates="partners")
    user: Mapped[User] = relationship(back_populates="partner")

    def __repr__(self) -> str:
        return f"<Partner {self.id} couple={self.couple_id} {self.role}>"


class StageChange(Base):
    """One move between stages (from_stage is empty for the stage a couple started in)."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        CheckConstraint("to_stage BETWEEN 1 AND 7", name="to_stage_range"),
        CheckConstraint(
            "from_stage IS NULL OR from_stage BETWEEN 1 AND 7", name="from_stage_range"
        ),
        Index("ix_stage_changes_couple_changed", "couple_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    from_stage: Mapped[int | None]
    to_stage: Mapped[int]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Encrypted(), default="")

    couple: Mapped[Couple] = relationship(back_populates="stage_changes")
    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<StageChange {self.id} couple={self.couple_id} {self.from_stage}->{self.to_stage}>"
