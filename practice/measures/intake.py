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


# The PCL-5 is offered to the injured partner at intake and on each move into stages 1-3, when
# betrayal trauma is most likely to need watching; the clinician can assign it to either
# partner from the library at any time.
PCL5_STAGES = (1, 2, 3)


def offer_pcl5(db: Session, couple: Couple, clinician: User, today: date) -> Assignment | None:
    """Assign the PCL-5 to the injured partner, due in a few days, unless one is still open."""
    from practice.measures.library import measure_slug
    from practice.measures.pcl5 import PCL5

    if couple.stage not in PCL5_STAGES:
        return None
    template = db.scalar(
        select(ExerciseTemplate).where(
            ExerciseTemplate.owner_id.is_(None), ExerciseTemplate.slug == measure_slug(PCL5)
        )
    )
    if template is None:
        return None
    open_one = db.scalar(
        select(Assignment.id).where(
            Assignment.couple_id == couple.id,
            Assignment.template_id == template.id,
            Assignment.status == "active",
            Assignment.answered_by.in_(("injured", "each")),
            Assignment.schedule == "once",
            Assignment.due_on >= today,
        )
    )
    if open_one is not None:
        return None
    choice = AssignmentChoice(
        answered_by="injured",
        visibility="clinician",
        schedule="once",
        start_on=today,
        due_on=today + timedelta(days=INTAKE_DAYS),
        note="A questionnaire about how the last month has been for you since what happened. "
        "Only your clinician sees the answers.",
    )
    return assign(db, couple, template, clinician, choice, today)
