"""Whether last session's plan happened: for the next report (the clinician's copy) to open with.

Plain functions over rows the report already loads; the assignment counts are the report's own
(gather's AssignmentFact for the same assignment), so nothing is computed twice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.exercises.services import title_for_reader
from practice.models import Appointment, Boundary, PlanItem, SessionNote, StageChange
from practice.timefmt import format_datetime


@dataclass(frozen=True)
class PlanOutcome:
    text: str
    became: str  # what the item became, in words
    happened: str  # whether it happened since, in words


@dataclass(frozen=True)
class LastPlan:
    held: str  # when the session was, in the practice's zone
    signed: str
    items: tuple[PlanOutcome, ...]


def last_signed_note(db: Session, couple_id: int, before: datetime) -> SessionNote | None:
    """The couple's latest signed note of a session held before the moment."""
    return db.scalar(
        select(SessionNote)
        .where(
            SessionNote.couple_id == couple_id,
            SessionNote.signed_at.is_not(None),
            SessionNote.held_at < before,
        )
        .order_by(SessionNote.held_at.desc(), SessionNote.id.desc())
        .limit(1)
    )


def _boundary_outcome(boundary: Boundary | None) -> str:
    if boundary is None:
        return _("the proposal has since been removed")
    if boundary.status == "proposed":
        waiting = [
            role
            for role in ("injured", "involved")
            if getattr(boundary, f"{role}_accepted_at") is None
        ]
        if len(waiting) == 2:
            return _("proposed; waiting for the injured partner and the involved partner to accept")
        if waiting == ["injured"]:
            return _("proposed; waiting for the injured partner to accept")
        return _("proposed; waiting for the involved partner to accept")
    if boundary.status == "active":
        return _("accepted by both partners; active")
    if boundary.status == "paused":
        return _("accepted, now paused")
    return _("accepted, since retired")


def _assignment_outcome(counts: Mapping[str, int] | None, status: str | None) -> str:
    if status is None:
        return _("the assignment has since been removed")
    if status == "awaiting_consent":
        return _("waiting for the injured partner's consent")
    if not counts or not sum(counts.values()):
        what = _("nothing due yet in this period")
    else:
        what = _(
            "done %(done)s, late %(late)s, missed %(missed)s, open %(open)s",
            done=counts["done"],
            late=counts["late"],
            missed=counts["missed"],
            open=counts["open"],
        )
    if status == "stopped":
        return _("stopped; %(what)s", what=what)
    if status == "paused":
        return _("paused; %(what)s", what=what)
    return what


def outcome_of(
    db: Session, item: PlanItem, counts: Mapping[int, Mapping[str, int]], zone: tzinfo
) -> PlanOutcome:
    """One plan item, what it became and whether it happened."""
    if item.action == "assignment":
        from practice.models import Assignment

        assignment = db.get(Assignment, item.assignment_id) if item.assignment_id else None
        title = title_for_reader(assignment.template) if assignment else _("an exercise")
        return PlanOutcome(
            item.text,
            _("assigned: %(title)s", title=title),
            _assignment_outcome(
                counts.get(item.assignment_id or 0), assignment.status if assignment else None
            ),
        )
    if item.action == "boundary":
        boundary = db.get(Boundary, item.boundary_id) if item.boundary_id else None
        return PlanOutcome(item.text, _("boundary proposal"), _boundary_outcome(boundary))
    if item.action == "stage":
        change = db.get(StageChange, item.stage_change_id) if item.stage_change_id else None
        if change is None:
            return PlanOutcome(item.text, _("stage change"), _("no longer in the stage history"))
        return PlanOutcome(
            item.text,
            _("stage change to %(stage)d", stage=change.to_stage),
            _("moved on %(when)s", when=format_datetime(change.changed_at, zone)),
        )
    if item.action == "agenda":
        appointment = (
            db.get(Appointment, item.agenda_appointment_id) if item.agenda_appointment_id else None
        )
        if appointment is None:
            return PlanOutcome(item.text, _("agenda item"), _("the appointment was removed"))
        when = format_datetime(appointment.starts_at, zone)
        if appointment.cancelled_at:
            where = _("on the agenda for %(when)s (cancelled)", when=when)
        else:
            where = _("on the agenda for %(when)s", when=when)
        return PlanOutcome(item.text, _("agenda item"), where)
    return PlanOutcome(item.text, _("a note only"), _("nothing recorded in Mend"))


def last_plan(
    db: Session,
    couple_id: int,
    before: datetime,
    counts: Mapping[int, Mapping[str, int]],
    zone: tzinfo,
) -> LastPlan | None:
    """The plan of the latest signed note before the moment, and what became of each item."""
    note: SessionNote | None = last_signed_note(db, couple_id, before)
    if note is None or note.signed_at is None:
        return None
    return LastPlan(
        format_datetime(note.held_at, zone),
        format_datetime(note.signed_at, zone),
        tuple(outcome_of(db, item, counts, zone) for item in note.plan_items),
    )
