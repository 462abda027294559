"""A note's plan: items the clinician writes, each of which can become, in one step, an
assignment, a boundary proposal, a stage change or an item on the next appointment's agenda."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from practice.assignments.services import AssignmentChoice, assign
from practice.boundaries.services import BoundaryDraft, propose
from practice.couples.closing import ensure_open
from practice.couples.services import move_stage
from practice.models import Appointment, Couple, ExerciseTemplate, PlanItem, SessionNote, User
from practice.notes.services import NoteError, NoteSigned

PLAN_ITEM_MAX = 500
MAX_PLAN_ITEMS = 30
AGENDA_MAX = 5000  # as the appointment form allows


def _open_draft(db: Session, note: SessionNote) -> Couple:
    if note.signed:
        raise NoteSigned()
    couple = db.get(Couple, note.couple_id)
    ensure_open(couple)
    return couple


def _waiting(item: PlanItem) -> None:
    if item.action is not None:
        raise NoteError(_("This plan item has already been acted on."))


def add_item(db: Session, note: SessionNote, text: str) -> PlanItem:
    """Add a plan item to a draft note."""
    _open_draft(db, note)
    value = " ".join((text or "").split())
    if not value:
        raise NoteError(_("Please write the plan item first."))
    if len(value) > PLAN_ITEM_MAX:
        raise NoteError(f"A plan item can be up to {PLAN_ITEM_MAX} characters.")
    if len(note.plan_items) >= MAX_PLAN_ITEMS:
        raise NoteError(f"A note can have up to {MAX_PLAN_ITEMS} plan items.")
    item = PlanItem(note_id=note.id, text=value)
    note.plan_items.append(item)
    db.flush()
    return item


def delete_item(db: Session, note: SessionNote, item: PlanItem) -> None:
    """Remove a plan item nothing has been made from yet."""
    _open_draft(db, note)
    _waiting(item)
    note.plan_items.remove(item)
    db.delete(item)


def _done(item: PlanItem, action: str, now: datetime) -> None:
    item.action = action
    item.acted_at = now


def make_assignment(
    db: Session,
    note: SessionNote,
    item: PlanItem,
    template: ExerciseTemplate,
    by: User,
    choice: AssignmentChoice,
    today: date,
    now: datetime,
):
    """The plan item becomes an assignment for the couple."""
    couple = _open_draft(db, note)
    _waiting(item)
    if template.archived_at is not None:
        raise NoteError(
            _(
                "“%(title)s” has been archived, so it can no longer be assigned. "
                "Please choose another exercise.",
                title=template.title,
            )
        )
    assignment = assign(db, couple, template, by, choice, today)
    item.assignment_id = assignment.id
    _done(item, "assignment", now)
    return assignment


def make_boundary(
    db: Session,
    note: SessionNote,
    item: PlanItem,
    draft: BoundaryDraft,
    by: User,
    today: date,
    now: datetime,
):
    """The plan item becomes a boundary proposal the partners are asked to accept."""
    couple = _open_draft(db, note)
    _waiting(item)
    boundary = propose(db, couple, draft, today, by_user=by)
    item.boundary_id = boundary.id
    _done(item, "boundary", now)
    return boundary


def make_stage_change(
    db: Session, note: SessionNote, item: PlanItem, target: int, reason: str, by: User, now
):
    """The plan item becomes a move to another stage, with its reason."""
    couple = _open_draft(db, note)
    _waiting(item)
    change = move_stage(db, couple, target, reason, by)
    item.stage_change_id = change.id
    _done(item, "stage", now)
    return change


def make_agenda_item(
    db: Session, note: SessionNote, item: PlanItem, appointment: Appointment, now: datetime
) -> None:
    """The plan item goes on an upcoming appointment's agenda note."""
    _open_draft(db, note)
    _waiting(item)
    if appointment.couple_id != note.couple_id:
        raise NoteError(_("That appointment belongs to another couple."))
    if appointment.cancelled_at is not None or appointment.starts_at <= now:
        raise NoteError(_("Please choose an upcoming appointment."))
    agenda = "\n".join(
        part for part in ((appointment.agenda_note or "").strip(), item.text) if part
    )
    if len(agenda) > AGENDA_MAX:
        raise NoteError(
            _("That appointment's agenda is full; shorten it from the appointment first.")
        )
    appointment.agenda_note = agenda
    item.agenda_appointment_id = appointment.id
    _done(item, "agenda", now)
