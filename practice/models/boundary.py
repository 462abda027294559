"""Boundary agreements, their revisions, and each partner's daily or weekly log of them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.types import Encrypted, UTCDateTime, utcnow

if TYPE_CHECKING:
    from practice.models.couple import Couple, Partner

BOUNDARY_STATUSES = ("proposed", "active", "paused", "retired")
LOG_STATUSES = ("kept", "crossed", "na")


class Boundary(Base):
    """What both partners agreed, the consequence if it is crossed, and how it is checked.

    Active once both partners accepted (the proposer accepts by proposing). The current wording
    lives here; every change is kept in BoundaryRevision.
    """

    __tablename__ = "boundaries"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'active', 'paused', 'retired')", name="status"),
        CheckConstraint("check_period IN ('daily', 'weekly')", name="check_period"),
        Index("ix_boundaries_couple_status", "couple_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Encrypted())
    consequence: Mapped[str] = mapped_column(Encrypted(), default="")
    check_period: Mapped[str] = mapped_column(String(8), default="daily")
    review_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL")
    )
    injured_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    involved_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discuss_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discuss_requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL")
    )
    source_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    couple: Mapped[Couple] = relationship()
    proposed_by: Mapped[Partner | None] = relationship(foreign_keys=[proposed_by_id])
    revisions: Mapped[list[BoundaryRevision]] = relationship(
        back_populates="boundary", order_by="BoundaryRevision.number", cascade="all"
    )
    pauses: Mapped[list[BoundaryPause]] = relationship(
        back_populates="boundary", order_by="BoundaryPause.paused_on", cascade="all"
    )

    def __repr__(self) -> str:
        return f"<Boundary {self.id} couple={self.couple_id} {self.status}>"


class BoundaryRevision(Base):
    """One version of a boundary's wording: what changed, when, who agreed."""

    __tablename__ = "boundary_revisions"
    __table_args__ = (UniqueConstraint("boundary_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    boundary_id: Mapped[int] = mapped_column(ForeignKey("boundaries.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Encrypted())
    consequence: Mapped[str] = mapped_column(Encrypted(), default="")
    check_period: Mapped[str] = mapped_column(String(8))
    review_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Encrypted(), default="")
    agreed_by: Mapped[str] = mapped_column(String(200), default="")
    changed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    boundary: Mapped[Boundary] = relationship(back_populates="revisions")

    def __repr__(self) -> str:
        return f"<BoundaryRevision {self.id} boundary={self.boundary_id} r{self.number}>"


class BoundaryPause(Base):
    """A time the boundary was paused: nothing is expected to be logged in it."""

    __tablename__ = "boundary_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    boundary_id: Mapped[int] = mapped_column(
        ForeignKey("boundaries.id", ondelete="CASCADE"), index=True
    )
    paused_on: Mapped[date] = mapped_column(Date)
    resumed_on: Mapped[date | None] = mapped_column(Date)

    boundary: Mapped[Boundary] = relationship(back_populates="pauses")

    def __repr__(self) -> str:
        return f"<BoundaryPause {self.id} boundary={self.boundary_id}>"


class BoundaryLog(Base):
    """One partner's report for one day (daily) or week (weekly, keyed by its Monday).

    Each partner's report is its own row: the involved partner's "I crossed this" and the
    injured partner's "I believe this was crossed" are kept side by side, never merged.
    """

    __tablename__ = "boundary_logs"
    __table_args__ = (
        CheckConstraint("status IN ('kept', 'crossed', 'na')", name="status"),
        UniqueConstraint("boundary_id", "partner_id", "period_start"),
        Index("ix_boundary_logs_boundary_period", "boundary_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    boundary_id: Mapped[int] = mapped_column(ForeignKey("boundaries.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Encrypted())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    boundary: Mapped[Boundary] = relationship()
    partner: Mapped[Partner] = relationship()
    edits: Mapped[list[BoundaryLogEdit]] = relationship(
        back_populates="log", order_by="BoundaryLogEdit.changed_at", cascade="all"
    )

    def __repr__(self) -> str:
        return f"<BoundaryLog {self.id} boundary={self.boundary_id} {self.status}>"


class BoundaryLogEdit(Base):
    """The earlier value of a log entry its author changed (within 48 hours)."""

    __tablename__ = "boundary_log_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(
        ForeignKey("boundary_logs.id", ondelete="CASCADE"), index=True
    )
    old_status: Mapped[str] = mapped_column(String(8))
    old_note: Mapped[str | None] = mapped_column(Encrypted())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    log: Mapped[BoundaryLog] = relationship(back_populates="edits")

    def __repr__(self) -> str:
        return f"<BoundaryLogEdit {self.id} log={self.log_id}>"
