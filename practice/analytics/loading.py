"""Reading a couple's data for the analytics: a fixed number of queries, whatever the history."""

from __future__ import annotations

from datetime import date, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from practice.analytics.data import (
    BoundaryFacts,
    CoupleData,
    LogRow,
    MeasureRow,
    MetricInfo,
    MetricRow,
    Period,
    SafetyRow,
)
from practice.analytics.thresholds import DISTRESS_KEYS
from practice.assignments.services import rule_of, slots_of
from practice.encryption import open_for
from practice.exercises.schedule import occurrences
from practice.exercises.visibility import (
    AnswerFacts,
    Audience,
    audience_may_read,
    audience_may_read_authored,
)
from practice.models import (
    Appointment,
    Assignment,
    Boundary,
    BoundaryLog,
    ExerciseTemplate,
    MeasureScore,
    Partner,
    Response,
    SafetyCheck,
    StageChange,
    TemplateVersion,
)
from practice.timefmt import reader_locale


def _tracked(definition: dict) -> list[dict]:
    return [
        f for f in definition.get("fields", []) if f.get("kind") == "scale" and f.get("tracked")
    ]


def _facts(boundary: Boundary, zone: tzinfo) -> BoundaryFacts:
    def day(moment):
        return moment.astimezone(zone).date() if moment else None

    return BoundaryFacts(
        id=boundary.id,
        text=boundary.text,
        check_period=boundary.check_period,
        status=boundary.status,
        created_on=day(boundary.created_at),
        active_from=day(boundary.activated_at),
        retired_on=day(boundary.retired_at),
        pauses=tuple((p.paused_on, p.resumed_on) for p in boundary.pauses),
        discuss_requested=boundary.discuss_requested_at is not None,
    )


def _library_labels(assignments, latest: dict, language: str) -> dict[tuple[str, str], str]:
    """The built-in exercises' field labels in the reader's language, by (key, label as
    stored), where the stored version says what the library says; nothing for English."""
    from practice.exercises.definitions import parse_definition
    from practice.exercises.library import SOURCE_LANGUAGE
    from practice.exercises.services import in_language

    words: dict[tuple[str, str], str] = {}
    if language == SOURCE_LANGUAGE:
        return words
    for assignment in assignments:
        template = assignment.template
        if template.owner_id is not None or not template.slug or template.id not in latest:
            continue
        stored = parse_definition(latest[template.id])
        translated = in_language(stored, template, language)
        if translated is stored:
            continue
        for source, words_in in zip(stored.fields, translated.fields, strict=False):
            words[(source.key, source.label)] = words_in.label
    return words


def load_couple_data(
    db: Session, couple_id: int, period: Period, today: date, zone: tzinfo, audience: Audience
) -> CoupleData:
    """Everything the analytics need for a couple and period (and the period before it), as
    the audience may read it: what they may not read is left out here, so nothing computed
    from the data (means, counts, chart points, flags) can carry it."""
    window = Period(period.previous().start, period.end)
    boundaries = db.scalars(
        select(Boundary)
        .where(Boundary.couple_id == couple_id)
        .options(selectinload(Boundary.pauses))
        .order_by(Boundary.id)
    ).all()
    logs = [
        LogRow(
            b,
            role,
            start,
            status,
            open_for(BoundaryLog.note, log_id, note)
            if note and audience_may_read_authored(role, audience)
            else None,
        )
        for log_id, b, role, start, status, note in db.execute(
            select(
                BoundaryLog.id,
                BoundaryLog.boundary_id,
                Partner.role,
                BoundaryLog.period_start,
                BoundaryLog.status,
                BoundaryLog.note,
            )
            .join(Partner, Partner.id == BoundaryLog.partner_id)
            .join(Boundary, Boundary.id == BoundaryLog.boundary_id)
            .where(
                Boundary.couple_id == couple_id,
                BoundaryLog.period_start >= window.start,
                BoundaryLog.period_start < period.end,
            )
        )
    ]
    # "Days since the last crossing" may reach back before the window: one aggregate for it.
    earlier_crossings = {
        (boundary_id, role): last
        for boundary_id, role, last in db.execute(
            select(BoundaryLog.boundary_id, Partner.role, func.max(BoundaryLog.period_start))
            .join(Partner, Partner.id == BoundaryLog.partner_id)
            .join(Boundary, Boundary.id == BoundaryLog.boundary_id)
            .where(
                Boundary.couple_id == couple_id,
                BoundaryLog.status == "crossed",
                BoundaryLog.period_start < window.start,
            )
            .group_by(BoundaryLog.boundary_id, Partner.role)
        )
    }
    assignments = db.scalars(
        select(Assignment)
        .where(Assignment.couple_id == couple_id)
        .options(selectinload(Assignment.pauses), selectinload(Assignment.template))
    ).all()
    latest = {
        template_id: definition
        for template_id, definition in db.execute(
            select(TemplateVersion.template_id, TemplateVersion.definition)
            .join(ExerciseTemplate, ExerciseTemplate.id == TemplateVersion.template_id)
            .where(ExerciseTemplate.id.in_(sorted({a.template_id for a in assignments})))
            .order_by(TemplateVersion.number)
        )
    }
    submitted = db.execute(
        select(
            Response.assignment_id,
            Response.occurrence_on,
            Response.slot,
            Response.status,
            Response.visibility,
            Response.answers,
            Response.version_id,
        )
        .join(Assignment, Assignment.id == Response.assignment_id)
        .where(
            Assignment.couple_id == couple_id,
            Response.status == "submitted",
            Response.occurrence_on >= window.start,
            Response.occurrence_on < window.end,
        )
    ).all()
    responses = readable(submitted, audience)
    version_ids = {row.version_id for row in responses}
    versions = (
        dict(
            db.execute(
                select(TemplateVersion.id, TemplateVersion.definition).where(
                    TemplateVersion.id.in_(sorted(version_ids))
                )
            ).all()
        )
        if version_ids
        else {}
    )

    metrics: dict[str, MetricInfo] = {}
    words = _library_labels(assignments, latest, reader_locale())
    for definition in [*versions.values(), *latest.values()]:
        for field in _tracked(definition):
            metrics[field["key"]] = MetricInfo(
                field["key"],
                words.get((field["key"], field["label"]), field["label"]),
                bool(field.get("lower_is_better")) or field["key"] in DISTRESS_KEYS,
            )
    values = []
    for row in responses:
        if row.slot not in ("injured", "involved"):
            continue
        for field in _tracked(versions.get(row.version_id, {})):
            value = row.answers.get(field["key"])
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(MetricRow(field["key"], row.slot, row.occurrence_on, float(value)))

    expected: dict[str, set[date]] = {"injured": set(), "involved": set()}
    last = min(window.end, today + timedelta(days=1))
    for assignment in assignments:
        if assignment.status == "awaiting_consent":
            continue
        if not _tracked(latest.get(assignment.template_id, {})):
            continue
        first = window.start
        if assignment.consent_at is not None:
            first = max(first, assignment.consent_at.astimezone(zone).date())
        days = occurrences(rule_of(assignment), first, max(first, last))
        for slot in slots_of(assignment):
            if slot in expected:
                expected[slot].update(days)

    stage_changes = tuple(
        (moment.astimezone(zone).date(), stage)
        for moment, stage in db.execute(
            select(StageChange.changed_at, StageChange.to_stage)
            .where(StageChange.couple_id == couple_id)
            .order_by(StageChange.changed_at)
        )
    )
    appointments = tuple(
        moment.astimezone(zone).date()
        for moment in db.scalars(
            select(Appointment.starts_at).where(
                Appointment.couple_id == couple_id,
                Appointment.cancelled_at.is_(None),
                Appointment.starts_at >= _start_of(window.start, zone),
                Appointment.starts_at < _start_of(window.end, zone),
            )
        )
    )
    measures = tuple(
        MeasureRow(
            m.instrument, m.role, m.administered_on, m.total, m.band, m.band_rank, m.self_harm_item
        )
        for m in db.scalars(
            select(MeasureScore)
            .where(MeasureScore.couple_id == couple_id, MeasureScore.administered_on < period.end)
            .order_by(MeasureScore.administered_on, MeasureScore.id)
        )
        if audience_may_read_authored(m.role, audience)
    )
    safety = tuple(
        SafetyRow(c.role, c.checked_on, c.worrying, tuple(filter(None, c.worries.split(","))))
        for c in db.scalars(
            select(SafetyCheck)
            .where(SafetyCheck.couple_id == couple_id, SafetyCheck.checked_on < period.end)
            .order_by(SafetyCheck.checked_on, SafetyCheck.id)
        )
        if audience_may_read_authored(c.role, audience)
    )
    return CoupleData(
        measures=measures,
        safety=safety,
        today=today,
        boundaries=tuple(_facts(b, zone) for b in boundaries),
        logs=tuple(logs),
        metrics=tuple(sorted(metrics.values(), key=lambda m: _METRIC_ORDER.get(m.key, 99))),
        values=tuple(values),
        expected_checkins={k: frozenset(v) for k, v in expected.items()},
        earlier_crossings=earlier_crossings,
        stage_changes=stage_changes,
        appointments=appointments,
        practice_thresholds=_practice_values(db) if measures else {},
    )


def _practice_values(db: Session) -> dict[str, tuple[float, float, str]]:
    from practice.measures.thresholds import practice_values

    return practice_values(db)


def readable(rows, audience: Audience) -> list:
    """The submitted answers (rows with assignment_id, occurrence_on, slot, status and
    visibility) the audience may read, decided by the one visibility function."""
    answered: dict[tuple, set[str]] = {}
    for row in rows:
        if row.status == "submitted":
            answered.setdefault((row.assignment_id, row.occurrence_on), set()).add(row.slot)
    return [
        row
        for row in rows
        if audience_may_read(
            AnswerFacts(row.slot, row.status, row.visibility),
            audience,
            frozenset(answered.get((row.assignment_id, row.occurrence_on), ())),
        )
    ]


_METRIC_ORDER = {"trust": 0, "emotional_safety": 1, "connection": 2, "distress": 3}


def _start_of(day: date, zone: tzinfo):
    from datetime import datetime, time

    return datetime.combine(day, time(0), tzinfo=zone)
