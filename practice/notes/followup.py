"""Whether last session's plan happened: for the next report (the clinician's copy) to open with.

Plain functions over rows the report already loads; the assignment counts are the report's own
(gather's AssignmentFact for the same assignment), so nothing is computed twice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

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
        return "the proposal has since been removed"
    if boundary.status == "proposed":
        waiting = [
            role
            for role in ("injured", "involved")
            if getattr(boundary, f"{role}_accepted_at") is None
        ]
        return (
            "proposed; waiting for the "
            + " and the ".join(f"{role} partner" for role in waiting)
            + " to accept"
        )
    if boundary.status == "active":
        return "accepted by both partners; active"
    return {"paused": "accepted, now paused", "retired": "accepted, since retired"}[boundary.status]


def _assignment_outcome(counts: Mapping[str, int] | None, status: str | None) -> str:
    if status is None:
        return "the assignment has since been removed"
    if status == "stopped":
        prefix = "stopped; "
    elif status == "awaiting_consent":
        return "waiting for the injured partner's consent"
    else:
        prefix = "paused; " if status == "paused" else ""
    if not counts or not sum(counts.values()):
        return prefix + "nothing due yet in this period"
    return prefix + (
        f"done {counts['done']}, late {counts['late']}, missed {counts['missed']}, "
        f"open {counts['open']}"
    )


def outcome_of(
    db: Session, item: PlanItem, counts: Mapping[int, Mapping[str, int]], zone: tzinfo
) -> PlanOutcome:
    """One plan item, what it became and whether it happened."""
    if item.action == "assignment":
        from practice.models import Assignment

        assignment = db.get(Assignment, item.assignment_id) if item.assignment_id else None
        title = assignment.template.title if assignment else "an exercise"
        return PlanOutcome(
            item.text,
            f"assigned: {title}",
            _assignment_outcome(
                counts.get(item.assignment_id or 0), assignment.status if assignment else None
            ),
        )
    if item.action == "boundary":
        boundary = db.get(Boundary, item.boundary_id) if item.boundary_id else None
        return PlanOutcome(item.text, "boundary proposal", _boundary_outcome(boundary))
    if item.action == "stage":
        change = db.get(StageChange, item.stage_change_id) if item.stage_change_id else None
        if change is None:
            return PlanOutcome(item.text, "stage change", "no longer in the stage history")
        return PlanOutcome(
            item.text,
            f"stage change to {change.to_stage}",
            f"moved on {format_datetime(change.changed_at, zone)}",
        )
    if item.action == "agenda":
        appointment = (
            db.get(Appointment, item.agenda_appointment_id) if item.agenda_appointment_id else None
        )
        if appointment is None:
            return PlanOutcome(item.text, "agenda item", "the appointment was removed")
        when = format_datetime(appointment.starts_at, zone)
        state = " (cancelled)" if appointment.cancelled_at else ""
        return PlanOutcome(item.text, "agenda item", f"on the agenda for {when}{state}")
    return PlanOutcome(item.text, "a note only", "nothing recorded in Mend")


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
