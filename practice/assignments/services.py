"""Assigning exercises to couples, pausing, resuming and stopping them, and their completion."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta, tzinfo

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from practice.couples.closing import ensure_open
from practice.exercises.schedule import (
    DERIVED,
    Rule,
    RuleError,
    check_rule,
    occurrence_state,
    occurrences,
)
from practice.exercises.services import definition_of
from practice.measures.library import QUESTIONNAIRE_PREFIX
from practice.models import (
    Assignment,
    AssignmentPause,
    Couple,
    ExerciseTemplate,
    Response,
    User,
    utcnow,
)

# What a template's "answered by" allows an assignment to choose.
ALLOWED_ANSWERERS = {
    "each": ("each", "injured", "involved"),
    "injured": ("injured",),
    "involved": ("involved",),
    "together": ("together",),
}


class AssignmentError(ValueError):
    """An assignment change that cannot be made; the message is shown to the clinician."""


def rule_of(assignment: Assignment) -> Rule:
    """The assignment's schedule as a plain Rule."""
    pauses = tuple((p.paused_on, p.resumed_on) for p in assignment.pauses)
    days = measure_schedule_days(assignment) if assignment.schedule in DERIVED else ()
    return replace(
        rhythm_of(assignment),
        pauses=pauses,
        days=days,
        closes_at_next=is_questionnaire(assignment.template),
    )


def measure_schedule_days(assignment: Assignment) -> tuple[date, ...]:
    """The occurrence days of a schedule taken from the couple's calendar or stage history:
    N days before each appointment not cancelled ("appts"), or each stage change ("stages"),
    as days in the practice's time zone."""
    from sqlalchemy.orm import object_session

    from practice.models import Appointment, StageChange
    from practice.timefmt import practice_zone

    db = object_session(assignment)
    if db is None:
        return ()
    zone = practice_zone()
    if assignment.schedule == "appts":
        moments = db.scalars(
            select(Appointment.starts_at).where(
                Appointment.couple_id == assignment.couple_id,
                Appointment.cancelled_at.is_(None),
            )
        )
        before = timedelta(days=assignment.days_before)
        return tuple(sorted({m.astimezone(zone).date() - before for m in moments}))
    moments = db.scalars(
        select(StageChange.changed_at).where(StageChange.couple_id == assignment.couple_id)
    )
    return tuple(sorted({m.astimezone(zone).date() for m in moments}))


def rhythm_of(assignment: Assignment) -> Rule:
    """The assignment's schedule without its pauses: enough to describe it in words, and
    needs no pauses loaded."""
    return Rule(
        schedule=assignment.schedule,
        start_on=assignment.start_on,
        end_on=assignment.end_on,
        due_on=assignment.due_on,
        weekdays=assignment.weekdays,
        every_weeks=assignment.every_weeks or 0,
        days_before=assignment.days_before or 0,
    )


def is_questionnaire(template: ExerciseTemplate) -> bool:
    """A validated questionnaire from Mend's library (PHQ-9, ...): its occurrences close when
    the next one is due."""
    return bool(template.slug and template.slug.startswith(QUESTIONNAIRE_PREFIX))


def slots_of(assignment: Assignment) -> tuple[str, ...]:
    """Who answers each occurrence: the partners' roles, or 'together' for one joint answer."""
    if assignment.answered_by == "each":
        return ("injured", "involved")
    return (assignment.answered_by,)


@dataclass(frozen=True)
class AssignmentChoice:
    answered_by: str
    visibility: str
    schedule: str
    start_on: date
    due_on: date | None = None
    end_on: date | None = None
    weekdays: int = 0
    note: str | None = None
    every_weeks: int = 0
    days_before: int = 0


def assign(
    db: Session,
    couple: Couple,
    template: ExerciseTemplate,
    by: User,
    choice: AssignmentChoice,
    today: date,
    *,
    needs_injured_consent: bool = False,
    plan_stage: int | None = None,
) -> Assignment:
    """Give a couple an exercise, checking the choice against the template and the calendar."""
    ensure_open(couple)
    if template.archived_at is not None:
        raise AssignmentError(_("This exercise is archived and can no longer be assigned."))
    definition = definition_of(template.latest)
    if choice.answered_by not in ALLOWED_ANSWERERS[definition.answered_by]:
        raise AssignmentError(_("This exercise cannot be answered that way."))
    if definition.visibility_locked and choice.visibility != definition.visibility:
        raise AssignmentError(_("This exercise's visibility is fixed by its design."))
    if choice.visibility == "mutual" and choice.answered_by != "each":
        raise AssignmentError(_("Mutual visibility needs each partner to answer."))
    if choice.start_on < today:
        raise AssignmentError(_("The start date has already passed. Please start today or later."))
    rule = Rule(
        schedule=choice.schedule,
        start_on=choice.start_on,
        end_on=choice.end_on if choice.schedule != "once" else None,
        due_on=choice.due_on if choice.schedule == "once" else None,
        weekdays=choice.weekdays if choice.schedule == "weekly" else 0,
        every_weeks=choice.every_weeks if choice.schedule == "weeks" else 0,
        days_before=choice.days_before if choice.schedule == "appts" else 0,
    )
    try:
        check_rule(rule)
    except RuleError as exc:
        raise AssignmentError(str(exc)) from exc
    assignment = Assignment(
        couple_id=couple.id,
        template_id=template.id,
        answered_by=choice.answered_by,
        visibility=choice.visibility,
        schedule=rule.schedule,
        start_on=rule.start_on,
        end_on=rule.end_on,
        due_on=rule.due_on,
        weekdays=rule.weekdays,
        every_weeks=rule.every_weeks,
        days_before=rule.days_before,
        note=(choice.note or "").strip() or None,
        status="awaiting_consent" if needs_injured_consent else "active",
        plan_stage=plan_stage,
        created_by_id=by.id,
    )
    db.add(assignment)
    db.flush()
    return assignment


def pause(assignment: Assignment, today: date) -> None:
    """Pause: nothing is due from today until it is resumed."""
    ensure_open(assignment.couple)
    if assignment.status != "active":
        raise AssignmentError(_("Only an active assignment can be paused."))
    assignment.status = "paused"
    assignment.pauses.append(AssignmentPause(paused_on=today))


def resume(assignment: Assignment, today: date) -> None:
    """Resume a paused assignment from today."""
    ensure_open(assignment.couple)
    if assignment.status != "paused":
        raise AssignmentError(_("Only a paused assignment can be resumed."))
    assignment.status = "active"
    open_pause = next((p for p in assignment.pauses if p.resumed_on is None), None)
    if open_pause is not None:
        open_pause.resumed_on = today


def stop(assignment: Assignment, today: date) -> None:
    """Stop for good: nothing is due after today; answers already given stay."""
    ensure_open(assignment.couple)
    if assignment.status == "stopped":
        raise AssignmentError(_("This assignment is already stopped."))
    if assignment.status == "paused":
        resume(assignment, today)
    assignment.status = "stopped"
    assignment.stopped_at = utcnow()
    if assignment.schedule == "once":
        if assignment.due_on and assignment.due_on > today:
            assignment.due_on = today
    elif assignment.end_on is None or assignment.end_on > today:
        assignment.end_on = max(today, assignment.start_on)


def give_consent(assignment: Assignment) -> None:
    """The injured partner agrees to start an exercise that waited for them."""
    ensure_open(assignment.couple)
    if assignment.status != "awaiting_consent":
        raise AssignmentError(_("This exercise is not waiting for your agreement."))
    assignment.status = "active"
    assignment.consent_at = utcnow()


def withdraw_consent(assignment: Assignment) -> None:
    """The injured partner takes back their yes: nothing more is due until they agree again.
    Answers already given stay."""
    ensure_open(assignment.couple)
    if assignment.status != "active" or assignment.consent_at is None:
        raise AssignmentError(_("This exercise isn't one you agreed to start, or it has stopped."))
    assignment.status = "awaiting_consent"
    assignment.consent_at = None


@dataclass(frozen=True)
class Completion:
    done: int
    late: int
    missed: int
    open: int

    @property
    def total(self) -> int:
        return self.done + self.late + self.missed + self.open


def submitted_days(
    db: Session, assignment_ids: list[int], zone: tzinfo, since: date | None = None
) -> dict[tuple[int, date, str], date]:
    """(assignment, occurrence, slot) -> the practice-calendar day it was submitted.

    With `since`, only occurrences from that day on (pages that look at a window of days
    should not pay for a year of history)."""
    query = select(
        Response.assignment_id, Response.occurrence_on, Response.slot, Response.submitted_at
    ).where(Response.assignment_id.in_(assignment_ids), Response.status == "submitted")
    if since is not None:
        query = query.where(Response.occurrence_on >= since)
    rows = db.execute(query)
    return {(a, o, s): at.astimezone(zone).date() for a, o, s, at in rows}


# Every answer of some assignments from a day on, drafts and submitted alike (the only two
# states), for pages that show a window of days.
_ANSWERS_SINCE = select(
    Response.assignment_id,
    Response.occurrence_on,
    Response.slot,
    Response.status,
    Response.submitted_at,
).where(
    Response.assignment_id.in_(bindparam("assignment_ids", expanding=True)),
    Response.occurrence_on >= bindparam("since"),
)


def answers_since(
    db: Session, assignment_ids: list[int], zone: tzinfo, since: date
) -> tuple[dict[tuple[int, date, str], date], set[tuple[int, date, str]]]:
    """From `since` on, in one query: what submitted_days gives, and the (assignment,
    occurrence, slot) keys that have a draft."""
    submitted: dict[tuple[int, date, str], date] = {}
    drafts: set[tuple[int, date, str]] = set()
    rows = db.execute(_ANSWERS_SINCE, {"assignment_ids": assignment_ids, "since": since})
    for assignment_id, day, slot, status, at in rows:
        if status == "submitted":
            submitted[(assignment_id, day, slot)] = at.astimezone(zone).date()
        else:
            drafts.add((assignment_id, day, slot))
    return submitted, drafts


def completion(
    assignment: Assignment, submitted: dict[tuple[int, date, str], date], today: date
) -> dict[str, Completion]:
    """Per answering slot: occurrences so far done, late, missed or still open."""
    rule = rule_of(assignment)
    end = today + timedelta(days=1)
    if assignment.schedule == "once":
        days = occurrences(rule, rule.due_on or today, (rule.due_on or today) + timedelta(days=1))
    else:
        days = occurrences(rule, assignment.start_on, end)
    result = {}
    for slot in slots_of(assignment):
        counts: Counter[str] = Counter()
        for day in days:
            when = submitted.get((assignment.id, day, slot))
            state = occurrence_state(rule, day, today, when)
            counts["open" if state in ("due", "overdue", "upcoming") else state] += 1
        result[slot] = Completion(counts["done"], counts["late"], counts["missed"], counts["open"])
    return result
