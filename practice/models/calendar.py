"""Private calendar feeds: a long random token per person, kept only as its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from practice.db import Base
from practice.models.types import UTCDateTime, utcnow

TITLE_STYLES = ("label", "session")


class CalendarFeed(Base):
    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("title_style IN ('label', 'session')", name="title_style"),
        Index("ix_calendar_feeds_user", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # A clinician's events are titled with the couple's label, or just "Session".
    title_style: Mapped[str] = mapped_column(String(10), default="label")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} user={self.user_id}>"


class SchedulerRun(Base):
    """One periodic task's run for one slot (a local date): the row is the claim, so two
    schedulers never run the same task for the same day; ("tick", "latest") is when any
    scheduler last ran."""

    __tablename__ = "scheduler_runs"

    task: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[str] = mapped_column(String(20), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<SchedulerRun {self.task} {self.slot}>"
