"""Step 1: gather everything a report needs, through the analytics module (nothing recomputed).

Also usable without a web request: it takes a session, a couple id and a period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.analytics.loading import load_couple_data, readable
from practice.analytics.summary import Analysis, analyse
from practice.appointments.services import next_appointment, previous_appointment
from practice.assignments.services import rule_of, slots_of
from practice.couples.services import stage_entered_at
from practice.exercises.schedule import occurrence_state, occurrences
from practice.exercises.services import definition_of, in_language
from practice.exercises.visibility import (
    CLINICIAN,
    COUPLE,
    THREADS,
    Audience,
    audience_may_read_thread,
)
from practice.i18n import lazy_gettext as _l
from practice.messages.services import for_session
from practice.models import Assignment, Couple, ExerciseTemplate, Response
from practice.notes.followup import LastPlan, last_plan
from practice.timefmt import format_datetime, reader_locale

AUDIENCES = {"clinician": CLINICIAN, "couple": COUPLE}
MAX_RESPONSES = 20
NO_TEXT = _l("(no written answer)")


class ReportError(ValueError):
    """A report that cannot be made as asked; the message is shown as it is."""


@dataclass(frozen=True)
class ResponseFact:
    id: int
    day: date
    title: str
    slot: str
    visibility: str
    excerpt: str
    private_kind: bool  # a questionnaire or safety check: never in the couple's copy
    question: str = ""  # the question the excerpt answers


@dataclass(frozen=True)
class AgendaMessage:
    """A message the clinician marked for the next session."""

    sent: str  # when it was written, in the practice's zone
    author: str
    conversation: str
    text: str


@dataclass(frozen=True)
class AssignmentFact:
    title: str
    answered_by: str
    counts: dict[str, int]
    assignment_id: int = 0


@dataclass(frozen=True)
class Gathered:
    audience: str
    couple_label: str
    clinician: str
    names: dict[str, str]
    stage: int
    stage_since: datetime
    period: Period
    generated: datetime
    next_appointment: datetime | None
    agenda_note: str
    analysis: Analysis
    previous: Analysis
    responses: tuple[ResponseFact, ...]
    assignments: tuple[AssignmentFact, ...]
    agenda_messages: tuple[AgendaMessage, ...] = ()
    # The last signed session note's plan and what became of it (the clinician's copy only).
    last_plan: LastPlan | None = None
    include_differences: bool = False  # couple's copy: print where the reports differ


def default_period(db: Session, couple_id: int, now: datetime, zone: tzinfo) -> Period:
    """From the previous appointment to now, or the last 14 days when there is none."""
    today = now.astimezone(zone).date()
    last = previous_appointment(db, couple_id, now)
    start = last.starts_at.astimezone(zone).date() if last else today - timedelta(days=13)
    return Period(min(start, today), today + timedelta(days=1))


def _excerpt(definition, answers: dict) -> tuple[str, str]:
    """The first written answer and its question."""
    for field in definition.fields:
        value = answers.get(field.key)
        if field.kind in ("short_text", "long_text") and value:
            text = " ".join(str(value).split())
            return field.label, text if len(text) <= 280 else text[:277].rstrip() + "…"
    return "", str(NO_TEXT)


def _scored(db: Session, ids: list[int]) -> dict[int, str]:
    """Questionnaires and safety checks as their result ("Score 12 of 27: moderate"), by
    response id: one query each, for the clinician's copy."""
    from practice.measures.instruments import INSTRUMENTS, band_label
    from practice.models import MeasureScore, SafetyCheck

    results: dict[int, str] = {}
    if not ids:
        return results
    for m in db.scalars(select(MeasureScore).where(MeasureScore.response_id.in_(ids))):
        instrument = INSTRUMENTS.get(m.instrument)
        band = band_label(m.band)
        results[m.response_id] = (
            _(
                "Score %(score)d of %(most)d: %(band)s",
                score=m.total,
                most=instrument.maximum,
                band=band,
            )
            if instrument
            else _("Score %(score)d: %(band)s", score=m.total, band=band)
        )
    for c in db.scalars(select(SafetyCheck).where(SafetyCheck.response_id.in_(ids))):
        results[c.response_id] = (
            _("Safety check: a worry was raised") if c.worrying else _("Safety check: no worries")
        )
    return results


def _agenda_messages(db: Session, couple: Couple, readers: Audience, zone: tzinfo) -> tuple:
    """Marked messages of the conversations every reader of the report takes part in: all
    three for the clinician's copy, only the shared one for the couple's."""
    threads = tuple(t for t in THREADS if audience_may_read_thread(t, readers))
    names = {p.role: p.user.display_name for p in couple.partners}
    names["clinician"] = couple.clinician.display_name
    where = {
        "injured": _("private, %(name)s", name=names.get("injured") or _("injured partner")),
        "involved": _("private, %(name)s", name=names.get("involved") or _("involved partner")),
        "together": _("all three"),
    }
    return tuple(
        AgendaMessage(
            format_datetime(m.created_at, zone),
            names.get(m.author_role, ""),
            where[m.thread],
            m.body,
        )
        for m in for_session(db, couple.id, threads)
    )


def _template_title(template: ExerciseTemplate, language: str) -> str:
    """An exercise's title in the report's language (built-in exercises whose latest version
    says what the library says), else as it was written."""
    if template.owner_id is not None or not template.slug or language == "en":
        return template.title  # no library words to take: skip loading its versions
    if not template.versions:
        return template.title
    stored = definition_of(template.latest)
    translated = in_language(stored, template, language)
    return translated.title if translated is not stored else template.title


def gather(
    db: Session,
    couple_id: int,
    period: Period,
    audience: str,
    now: datetime,
    zone: tzinfo,
    include_differences: bool = False,
) -> Gathered:
    """Everything for one couple's report over the period, for the given audience."""
    if audience not in AUDIENCES:
        raise ReportError(_("A report is for the clinician or the couple."))
    couple = db.get(Couple, couple_id)
    if couple is None:
        raise ReportError(_("No such couple."))
    today = now.astimezone(zone).date()
    readers: Audience = AUDIENCES[audience]
    # The loaded data reaches back over the previous period too (for the trends' change), so
    # the previous period's adherence comes from the same rows: one load, not two.
    data = load_couple_data(db, couple_id, period, today, zone, readers)
    analysis = analyse(data, period)
    previous = analyse(data, period.previous())
    language = reader_locale()
    rows = db.execute(
        select(Response, ExerciseTemplate)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
        .where(
            Assignment.couple_id == couple_id,
            Response.status == "submitted",
            Response.occurrence_on >= period.start,
            Response.occurrence_on < period.end,
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
    ).all()
    # What the audience may not read is neither listed nor counted as done.
    visible = {r.id for r in readable([response for response, _template in rows], readers)}
    rows = [(response, template) for response, template in rows if response.id in visible]
    responses = []
    scored = _scored(db, [response.id for response, _template in rows])
    for response, template in rows:
        stored = definition_of(response.version)
        # A built-in exercise in the report's language (when the answered version says what
        # the library says); a clinician's own in the words it was written in.
        definition = in_language(stored, template, language)
        title = definition.title if definition is not stored else template.title
        question, excerpt = _excerpt(definition, response.answers)
        if (definition.measure or definition.safety) and response.id in scored:
            question, excerpt = "", scored[response.id]
        responses.append(
            ResponseFact(
                response.id,
                # Dated by the day it was sent, as its flags are (a one-off's occurrence is
                # only its due day).
                response.submitted_at.astimezone(zone).date(),
                title,
                response.slot,
                response.visibility,
                excerpt,
                bool(definition.measure or definition.safety),
                question,
            )
        )
    # Listed by the day shown, newest first (then the latest sent), so the dates read in order.
    responses.sort(key=lambda r: (r.day, r.id), reverse=True)
    assignments = []
    last = min(period.end, today + timedelta(days=1))
    for assignment in db.scalars(
        select(Assignment).where(Assignment.couple_id == couple_id).order_by(Assignment.id)
    ):
        if readers is not CLINICIAN and assignment.visibility == "clinician":
            continue  # every answer to it is kept for the clinician: nothing to count here
        rule = rule_of(assignment)
        days = occurrences(rule, period.start, max(period.start, last))
        if not days:
            continue
        done = {
            (r.occurrence_on, r.slot): r.submitted_at.astimezone(zone).date()
            for r, _template in rows
            if r.assignment_id == assignment.id
        }
        counts = {"done": 0, "late": 0, "missed": 0, "open": 0}
        for day in days:
            for slot in slots_of(assignment):
                state = occurrence_state(rule, day, today, done.get((day, slot)))
                counts["open" if state in ("due", "overdue", "upcoming") else state] += 1
        assignments.append(
            AssignmentFact(
                _template_title(assignment.template, language),
                assignment.answered_by,
                counts,
                assignment.id,
            )
        )
    upcoming = next_appointment(db, couple_id, now)
    plan = None
    if readers is CLINICIAN:
        counts = {a.assignment_id: a.counts for a in assignments}
        plan = last_plan(db, couple_id, now, counts, zone)
    return Gathered(
        audience=audience,
        couple_label=couple.label,
        clinician=couple.clinician.display_name,
        names={p.role: p.user.display_name for p in couple.partners},
        stage=couple.stage,
        stage_since=stage_entered_at(couple),
        period=period,
        generated=now,
        next_appointment=upcoming.starts_at if upcoming else None,
        agenda_messages=_agenda_messages(db, couple, readers, zone),
        agenda_note=(upcoming.agenda_note or "") if upcoming and readers is CLINICIAN else "",
        analysis=analysis,
        previous=previous,
        responses=tuple(responses),
        assignments=tuple(assignments),
        last_plan=plan,
        include_differences=include_differences,
    )
