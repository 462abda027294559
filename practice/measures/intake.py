"""The private safety check offered to each partner when a couple starts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.assignments.services import AssignmentChoice, assign
from practice.measures.library import SAFETY_SLUG
from practice.models import Assignment, Couple, ExerciseTemplate, User

INTAKE_DAYS = 3


def offer_safety_check(
    db: Session, couple: Couple, clinician: User, today: date
) -> Assignment | None:
    """Assign the safety check to both partners, due in a few days (if the library is loaded)."""
    template = db.scalar(
        select(ExerciseTemplate).where(
            ExerciseTemplate.owner_id.is_(None), ExerciseTemplate.slug == SAFETY_SLUG
        )
    )
    if template is None:
        return None
    choice = AssignmentChoice(
        answered_by="each",
        visibility="clinician",
        schedule="once",
        start_on=today,
        due_on=today + timedelta(days=INTAKE_DAYS),
        note="A few private questions about your safety. Only your clinician sees the answers.",
    )
    return assign(db, couple, template, clinician, choice, today)
