"""The private safety check offered to each partner when a couple starts."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.assignments.services import AssignmentChoice, assign
from practice.measures.library import SAFETY_SLUG
from practice.models import Assignment, Couple, ExerciseTemplate, User

INTAKE_DAYS = 3


def _readers_language(couple: Couple, roles: tuple[str, ...]) -> str:
    """The language the partners who will read a note share (their own choice), else the
    practice's: a note is written once, at assignment time, for them."""
    chosen = {
        getattr(p.user, "language", "") for p in couple.partners if p.role in roles and p.user
    }
    if len(chosen) == 1 and "" not in chosen:
        return chosen.pop()
    return current_app.config.get("LOCALE", "en") if has_app_context() else "en"


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
    with force_locale(_readers_language(couple, ("injured", "involved"))):
        note = _("A few private questions about your safety. Only your clinician sees the answers.")
    choice = AssignmentChoice(
        answered_by="each",
        visibility="clinician",
        schedule="once",
        start_on=today,
        due_on=today + timedelta(days=INTAKE_DAYS),
        note=note,
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
    with force_locale(_readers_language(couple, ("injured",))):
        note = _(
            "A questionnaire about how the last month has been for you since what happened. "
            "Only your clinician sees the answers."
        )
    choice = AssignmentChoice(
        answered_by="injured",
        visibility="clinician",
        schedule="once",
        start_on=today,
        due_on=today + timedelta(days=INTAKE_DAYS),
        note=note,
    )
    return assign(db, couple, template, clinician, choice, today)
