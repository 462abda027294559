"""Exercise templates and their versions, assignments to couples, and the answers to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.types import Encrypted, UTCDateTime, utcnow

if TYPE_CHECKING:
    from practice.models.couple import Couple, Partner
    from practice.models.user import User

SCHEDULES = ("once", "daily", "weekly")
ASSIGNMENT_STATUSES = ("awaiting_consent", "active", "paused", "stopped")
SLOTS = ("injured", "involved", "together")


class ExerciseTemplate(Base):
    """An exercise's identity. Its content lives in versions; answers keep the version they used.

    owner_id is empty for the built-in library (read-only; clinicians copy to adapt).
    """

    __tablename__ = "exercise_templates"
    __table_args__ = (
        CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),
        UniqueConstraint("owner_id", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str | None] = mapped_column(String(80))
    library_revision: Mapped[int | None]
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercise_templates.id", ondelete="SET NULL")
    )
    # Title and stage of the newest version, kept here so the library lists and filters cheaply.
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[int]
    # The language the exercise is written in (a clinician's own: the one they wrote it in;
    # the built-in library: its source language). Translations live in the definition.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.number", cascade="all, delete-orphan"
    )

    @property
    def is_builtin(self) -> bool:
        return self.owner_id is None

    @property
    def latest(self) -> TemplateVersion:
        return self.versions[-1]

    def __repr__(self) -> str:
        return f"<ExerciseTemplate {self.id} stage={self.stage}>"


class TemplateVersion(Base):
    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("exercise_templates.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    template: Mapped[ExerciseTemplate] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<TemplateVersion {self.id} template={self.template_id} v{self.number}>"


class Assignment(Base):
    """An exercise given to a couple, once or on a rhythm. Occurrences are derived, not stored."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("answered_by IN ('injured', 'involved', 'each', 'together')", name="who"),
        CheckConstraint("visibility IN ('clinician', 'shared', 'mutual')", name="visibility"),
        CheckConstraint(
            "schedule IN ('once', 'daily', 'weekly', 'weeks', 'appts', 'stages')", name="schedule"
        ),
        CheckConstraint("schedule != 'weeks' OR every_weeks > 0", name="weeks_has_n"),
        CheckConstraint(
            "status IN ('awaiting_consent', 'active', 'paused', 'stopped')", name="status"
        ),
        CheckConstraint("weekdays BETWEEN 0 AND 127", name="weekdays_mask"),
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
        CheckConstraint("schedule != 'once' OR due_on IS NOT NULL", name="once_has_due"),
        CheckConstraint("schedule != 'weekly' OR weekdays > 0", name="weekly_has_days"),
        Index("ix_assignments_couple_status", "couple_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    template_id: Mapped[int] = mapped_column(
        ForeignKey("exercise_templates.id", ondelete="RESTRICT")
    )
    answered_by: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    schedule: Mapped[str] = mapped_column(String(8))
    weekdays: Mapped[int] = mapped_column(default=0)  # bit 0 = Monday ... bit 6 = Sunday
    every_weeks: Mapped[int] = mapped_column(default=0, server_default="0")  # schedule weeks
    days_before: Mapped[int] = mapped_column(default=0, server_default="0")  # schedule appts
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    note: Mapped[str | None] = mapped_column(Encrypted())  # the clinician's words to the couple
    plan_stage: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    couple: Mapped[Couple] = relationship()
    template: Mapped[ExerciseTemplate] = relationship()
    pauses: Mapped[list[AssignmentPause]] = relationship(
        back_populates="assignment", order_by="AssignmentPause.paused_on", cascade="all"
    )

    def __repr__(self) -> str:
        return f"<Assignment {self.id} couple={self.couple_id} {self.schedule} {self.status}>"


class AssignmentPause(Base):
    """A pause: no occurrence is due from paused_on until the day before resumed_on."""

    __tablename__ = "assignment_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    paused_on: Mapped[date] = mapped_column(Date)
    resumed_on: Mapped[date | None] = mapped_column(Date)

    assignment: Mapped[Assignment] = relationship(back_populates="pauses")

    def __repr__(self) -> str:
        return f"<AssignmentPause {self.id} assignment={self.assignment_id}>"


class Response(Base):
    """One answer to one occurrence: a draft until submitted. One row per (occurrence, slot).

    slot is the answering partner's role, or "together" for a joint answer; the unique
    constraint is what makes a double submit produce one response.
    """

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("slot IN ('injured', 'involved', 'together')", name="slot"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("visibility IN ('clinician', 'shared', 'mutual')", name="visibility"),
        UniqueConstraint("assignment_id", "occurrence_on", "slot"),
        Index("ix_responses_assignment_status_review", "assignment_id", "status", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    occurrence_on: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(10))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id", ondelete="RESTRICT"))
    answers: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"), default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    revision: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    clinician_comment: Mapped[str | None] = mapped_column(Encrypted())

    assignment: Mapped[Assignment] = relationship()
    version: Mapped[TemplateVersion] = relationship()
    partner: Mapped[Partner | None] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    def __repr__(self) -> str:
        return f"<Response {self.id} assignment={self.assignment_id} {self.slot} {self.status}>"


class StagePlanItem(Base):
    """A clinician's own plan for a stage: what they usually assign, with its rhythm.

    A clinician without rows for a stage uses the built-in plan; a "customised" row with no
    template marks a plan they emptied on purpose.
    """

    __tablename__ = "stage_plan_items"
    __table_args__ = (
        CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),
        CheckConstraint("answered_by IN ('injured', 'involved', 'each', 'together')", name="who"),
        CheckConstraint(
            "schedule IN ('once', 'daily', 'weekly', 'weeks', 'appts', 'stages')", name="schedule"
        ),
        CheckConstraint("schedule != 'weeks' OR every_weeks > 0", name="weeks_has_n"),
        Index("ix_stage_plan_items_clinician_stage", "clinician_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stage: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercise_templates.id", ondelete="CASCADE")
    )
    answered_by: Mapped[str] = mapped_column(String(16), default="each")
    schedule: Mapped[str] = mapped_column(String(8), default="once")
    weekdays: Mapped[int] = mapped_column(default=0)
    due_in_days: Mapped[int] = mapped_column(default=7)
    needs_injured_consent: Mapped[bool] = mapped_column(default=False)

    template: Mapped[ExerciseTemplate | None] = relationship()

    def __repr__(self) -> str:
        return f"<StagePlanItem {self.id} clinician={self.clinician_id} stage={self.stage}>"


class ParkedDraft(Base):
    """Words posted to a worksheet after the sign-in had ended, kept until the partner is back.

    Only the browser holding the matching token (in its session cookie) can claim them, and
    only for a worksheet its signed-in partner may answer.
    """

    __tablename__ = "parked_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    occurrence_on: Mapped[date] = mapped_column(Date)
    # The partner the worksheet was opened by (from the signed form): the words go back only
    # to them, never to someone else who signs in on the same browser.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    answers: Mapped[dict[str, Any]] = mapped_column(Encrypted("json"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ParkedDraft {self.id} assignment={self.assignment_id}>"
