"""Stage plans: the exercises a clinician usually assigns in each stage, offered on a move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import get_day_names
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from practice.assignments.services import (
    ALLOWED_ANSWERERS,
    AssignmentChoice,
    AssignmentError,
    assign,
)
from practice.couples.closing import ensure_open
from practice.exercises.schedule import mask_days, weekday_mask
from practice.exercises.services import definition_of
from practice.models import Couple, ExerciseTemplate, StagePlanItem, User


@dataclass(frozen=True)
class PlanEntry:
    index: int
    template: ExerciseTemplate
    answered_by: str
    schedule: str
    weekdays: int
    due_in_days: int
    needs_injured_consent: bool


def _builtin_entries(db: Session, stage: int) -> list[PlanEntry]:
    from practice.exercises.library import DEFAULT_STAGE_PLANS

    items = DEFAULT_STAGE_PLANS.get(stage, ())
    by_slug = {
        t.slug: t
        for t in db.scalars(
            select(ExerciseTemplate).where(
                ExerciseTemplate.owner_id.is_(None),
                ExerciseTemplate.slug.in_([i["slug"] for i in items]),
                ExerciseTemplate.archived_at.is_(None),
            )
        )
    }
    entries = []
    for index, item in enumerate(items):
        template = by_slug.get(item["slug"])
        if template is None:
            continue
        entries.append(
            PlanEntry(
                index,
                template,
                item["answered_by"],
                item["schedule"],
                weekday_mask(item.get("weekdays", ())),
                item.get("due_in_days") or 7,
                bool(item.get("needs_injured_consent")),
            )
        )
    return entries


def plan_for(db: Session, clinician: User, stage: int) -> tuple[list[PlanEntry], bool]:
    """The clinician's plan for a stage and whether it is their own (else the built-in one)."""
    rows = db.scalars(
        select(StagePlanItem)
        .where(StagePlanItem.clinician_id == clinician.id, StagePlanItem.stage == stage)
        .order_by(StagePlanItem.position, StagePlanItem.id)
    ).all()
    if not rows:
        return _builtin_entries(db, stage), False
    entries = [
        PlanEntry(
            i,
            r.template,
            r.answered_by,
            r.schedule,
            r.weekdays,
            r.due_in_days,
            r.needs_injured_consent,
        )
        for i, r in enumerate(_usable(rows))
    ]
    return entries, True


def _usable(rows: list[StagePlanItem]) -> list[StagePlanItem]:
    """The rows shown as the plan (the marker row and archived exercises left out), in order:
    positions in the plan page and in removal both count these."""
    return [r for r in rows if r.template is not None and r.template.archived_at is None]


def customise_plan(db: Session, clinician: User, stage: int) -> None:
    """Copy the built-in plan into the clinician's own rows so they can change it."""
    entries, own = plan_for(db, clinician, stage)
    if own:
        return
    # A row without a template marks the plan as the clinician's own even when emptied.
    db.add(StagePlanItem(clinician_id=clinician.id, stage=stage, position=-1, template_id=None))
    for entry in entries:
        db.add(
            StagePlanItem(
                clinician_id=clinician.id,
                stage=stage,
                position=entry.index,
                template_id=entry.template.id,
                answered_by=entry.answered_by,
                schedule=entry.schedule,
                weekdays=entry.weekdays,
                due_in_days=entry.due_in_days,
                needs_injured_consent=entry.needs_injured_consent,
            )
        )
    db.flush()


def add_plan_item(
    db: Session,
    clinician: User,
    stage: int,
    template: ExerciseTemplate,
    answered_by: str,
    schedule: str,
    weekdays: int,
    due_in_days: int,
    needs_injured_consent: bool,
) -> None:
    """Add an exercise to the clinician's own plan for a stage."""
    definition = definition_of(template.latest)
    if answered_by not in ALLOWED_ANSWERERS[definition.answered_by]:
        raise AssignmentError(_("This exercise cannot be answered that way."))
    if schedule == "weekly" and not weekdays:
        raise AssignmentError(_("Choose at least one weekday."))
    customise_plan(db, clinician, stage)
    position = len(plan_for(db, clinician, stage)[0])
    db.add(
        StagePlanItem(
            clinician_id=clinician.id,
            stage=stage,
            position=position,
            template_id=template.id,
            answered_by=answered_by,
            schedule=schedule,
            weekdays=weekdays if schedule == "weekly" else 0,
            due_in_days=due_in_days,
            needs_injured_consent=needs_injured_consent,
        )
    )
    db.flush()


def remove_plan_item(db: Session, clinician: User, stage: int, index: int) -> None:
    """Remove the entry at this position from the clinician's own plan."""
    customise_plan(db, clinician, stage)
    rows = db.scalars(
        select(StagePlanItem)
        .where(
            StagePlanItem.clinician_id == clinician.id,
            StagePlanItem.stage == stage,
            StagePlanItem.template_id.is_not(None),
        )
        .order_by(StagePlanItem.position, StagePlanItem.id)
    ).all()
    rows = _usable(list(rows))
    if not 0 <= index < len(rows):
        raise AssignmentError(_("That exercise is not in this plan."))
    db.delete(rows[index])
    db.flush()


def reset_plan(db: Session, clinician: User, stage: int) -> None:
    """Go back to the built-in plan for the stage."""
    db.execute(
        delete(StagePlanItem).where(
            StagePlanItem.clinician_id == clinician.id, StagePlanItem.stage == stage
        )
    )


def accept_plan(
    db: Session, couple: Couple, clinician: User, chosen: list[int], today: date
) -> list:
    """Assign the chosen entries of the offered plan and close the offer."""
    ensure_open(couple)
    stage = couple.plan_offer_stage
    if stage is None:
        raise AssignmentError(_("There is no plan waiting for this couple."))
    entries, _own = plan_for(db, clinician, stage)
    made = []
    for entry in entries:
        if entry.index not in chosen:
            continue
        definition = definition_of(entry.template.latest)
        weekdays = entry.weekdays
        if entry.schedule == "weekly" and not weekdays:
            weekdays = weekday_mask([today.weekday()])
        choice = AssignmentChoice(
            answered_by=entry.answered_by,
            visibility=definition.visibility,
            schedule=entry.schedule,
            start_on=today,
            due_on=today + timedelta(days=entry.due_in_days) if entry.schedule == "once" else None,
            weekdays=weekdays,
        )
        made.append(
            assign(
                db,
                couple,
                entry.template,
                clinician,
                choice,
                today,
                needs_injured_consent=entry.needs_injured_consent,
                plan_stage=stage,
            )
        )
    couple.plan_offer_stage = None
    db.flush()
    return made


def skip_plan(couple: Couple) -> None:
    """Close the offered plan without assigning anything."""
    ensure_open(couple)
    couple.plan_offer_stage = None


def describe_entry(entry: PlanEntry) -> str:
    """'Daily', 'Weekly on Mon, Thu', 'Once, due in 7 days'."""
    if entry.schedule == "daily":
        return _("Daily")
    if entry.schedule == "weekly":
        days = mask_days(entry.weekdays)
        short = get_day_names("abbreviated", locale=get_locale() or "en")
        names = ", ".join(short[d] for d in days)  # Babel's names: 0 is Monday, as here
        if names:
            return _("Weekly on %(days)s", days=names)
        return _("Weekly, on the day it starts")
    return ngettext("Once, due in %(num)d day", "Once, due in %(num)d days", entry.due_in_days)
