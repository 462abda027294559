"""Generated reports, kept so a clinician can reopen exactly what they read before a session."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from practice.db import Base
from practice.models.types import UTCDateTime, utcnow


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("audience IN ('clinician', 'couple')", name="audience"),
        Index("ix_reports_couple_created", "couple_id", "created_at"),
        Index("ix_reports_creator_created", "created_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    audience: Mapped[str] = mapped_column(String(10))
    paper: Mapped[str] = mapped_column(String(8), default="A4")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    file_name: Mapped[str] = mapped_column(String(80), unique=True)

    def __repr__(self) -> str:
        return f"<Report {self.id} couple={self.couple_id} {self.audience}>"


REQUEST_STATUSES = ("queued", "running", "ready", "failed")


class ReportRequest(Base):
    """A report a clinician asked for while a worker prints it. Ids, dates and plain words only."""

    __tablename__ = "report_requests"
    __table_args__ = (
        CheckConstraint("audience IN ('clinician', 'couple')", name="audience"),
        CheckConstraint("status IN ('queued', 'running', 'ready', 'failed')", name="status"),
        Index("ix_report_requests_requester_created", "requested_by_id", "created_at"),
        Index("ix_report_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    audience: Mapped[str] = mapped_column(String(10))
    paper: Mapped[str] = mapped_column(String(8), default="A4")
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    status: Mapped[str] = mapped_column(String(10), default="queued")
    error: Mapped[str | None] = mapped_column(String(300))  # a plain sentence, never clinical
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")  # prints started
    # A couple's copy prints where the partners' reports differ only when the clinician asks.
    include_differences: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The language it prints in (practice.i18n.LANGUAGES), chosen when it was asked for; empty
    # (requests from before languages): the clinician's.
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ReportRequest {self.id} couple={self.couple_id} {self.status}>"


PREPARED_STATUSES = ("queued", "running", "ready", "failed")


class PreparedReport(Base):
    """The clinician's copy Mend prepares the evening before an appointment (one per couple
    and day). `generation` counts preparations asked for; the job of a generation that is no
    longer current does nothing."""

    __tablename__ = "prepared_reports"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'ready', 'failed')", name="status"),
        UniqueConstraint("couple_id", "for_date"),
        Index("ix_prepared_reports_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    for_date: Mapped[date] = mapped_column(Date)  # the appointment's day, in the practice's zone
    status: Mapped[str] = mapped_column(String(10), default="queued")
    generation: Mapped[int] = mapped_column(default=1)
    # Why the kept report no longer fits ("moved"), until the next one is ready.
    outdated: Mapped[str | None] = mapped_column(String(20))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    covers_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # data read up to here
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(300))  # a plain sentence, never clinical
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<PreparedReport {self.id} couple={self.couple_id} {self.status}>"
