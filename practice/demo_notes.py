"""Demo session notes: signed notes for the past sessions, each started from Mend's data as it
was that day, with a plan; Harbour's latest session still waits for its note ("note due")."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.demo_exercises import not_after_now
from practice.demo_texts import demo_texts
from practice.models import Appointment, Assignment, Couple, PlanItem, User
from practice.notes.formats import get_format
from practice.notes.services import start_appointment_note

# The words live in practice/data/demo/notes.toml.
WRITING: dict[str, str] = dict(demo_texts("notes")["writing"])
PLAN: tuple[str, ...] = tuple(demo_texts("notes")["plan"]["items"])


def add_demo_notes(
    db: Session, couples: list[Couple], clinician: User, now: datetime, zone: tzinfo
) -> None:
    """A signed DAP note for every past session, except the latest of the first couple."""
    note_format = get_format("dap")
    for index, couple in enumerate(couples):
        past = db.scalars(
            select(Appointment)
            .where(Appointment.couple_id == couple.id, Appointment.starts_at < now)
            .order_by(Appointment.starts_at)
        ).all()
        if index == 0 and past:
            past = past[:-1]  # Harbour's latest session: note due
        for appointment in past:
            written = not_after_now(appointment.starts_at + timedelta(hours=2))
            note = start_appointment_note(db, appointment, clinician, note_format, written, zone)
            note.sections = dict(WRITING)
            daily = db.scalar(
                select(Assignment)
                .where(
                    Assignment.couple_id == couple.id,
                    Assignment.schedule == "daily",
                    Assignment.start_on <= written.date(),
                )
                .order_by(Assignment.id)
                .limit(1)
            )
            for text in PLAN:
                item = PlanItem(text=text, created_at=written)
                if daily is not None and text == PLAN[0]:
                    # Kept going from an earlier session: the plan item names the assignment.
                    item.action, item.assignment_id, item.acted_at = "assignment", daily.id, written
                note.plan_items.append(item)
            note.signed_at = not_after_now(written + timedelta(minutes=10))
            note.signed_by_id = clinician.id
            note.updated_at = note.signed_at
            db.flush()
