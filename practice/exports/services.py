"""Exports as plain dicts: a partner's own words, or a whole couple's record for its clinician.

The web views and the CLI share these; nothing here needs a request. What a partner may read
of an answer is decided by practice.exercises.visibility, as everywhere else.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from practice.exercises.services import definition_of
from practice.exercises.visibility import (
    AnswerFacts,
    clinician_may_read,
    partner_may_read,
    threads_for,
)
from practice.messages.services import messages_of
from practice.models import (
    Appointment,
    Assignment,
    Boundary,
    BoundaryLog,
    Couple,
    ExerciseTemplate,
    MeasureScore,
    Partner,
    Report,
    Response,
    SafetyCheck,
    SessionNote,
    User,
    utcnow,
)
from practice.notes.services import notes_of
from practice.worksheets.answers import render_answers

FORMAT = "mend-export/1"


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.display_name,
        "role": user.role,
        "joined": _when(user.created_at),
        "last_sign_in": _when(user.last_login_at),
        "reminders_enabled": user.reminders_enabled,
    }


def _response(response: Response, title: str, *, clinician: bool) -> dict[str, Any]:
    definition = definition_of(response.version)
    item: dict[str, Any] = {
        "id": response.id,
        "exercise": title,
        "day": _when(response.occurrence_on),
        "answered_as": response.slot,
        "status": response.status,
        "visibility": response.visibility,
        "submitted_at": _when(response.submitted_at),
        "updated_at": _when(response.updated_at),
        "answers": [
            {"question": row.label, "answer": row.value}
            for row in render_answers(definition.fields, response.answers)
        ],
    }
    if clinician:
        item["reviewed_at"] = _when(response.reviewed_at)
        item["clinician_comment"] = response.clinician_comment
    return item


def _boundary(boundary: Boundary) -> dict[str, Any]:
    return {
        "id": boundary.id,
        "text": boundary.text,
        "consequence": boundary.consequence,
        "check_period": boundary.check_period,
        "status": boundary.status,
        "proposed_at": _when(boundary.created_at),
        "active_since": _when(boundary.activated_at),
        "retired_at": _when(boundary.retired_at),
        "review_on": _when(boundary.review_on),
    }


def _log(entry: BoundaryLog, boundary_text: str) -> dict[str, Any]:
    return {
        "boundary": boundary_text,
        "period_start": _when(entry.period_start),
        "status": entry.status,
        "note": entry.note,
        "written_at": _when(entry.created_at),
        "earlier_versions": [
            {"status": e.old_status, "note": e.old_note, "changed_at": _when(e.changed_at)}
            for e in entry.edits
        ],
    }


def _score(row: MeasureScore) -> dict[str, Any]:
    return {
        "questionnaire": row.instrument,
        "day": _when(row.administered_on),
        "total": row.total,
        "band": row.band,
        "response_id": row.response_id,
    }


def _safety(row: SafetyCheck) -> dict[str, Any]:
    return {
        "day": _when(row.checked_on),
        "worrying": row.worrying,
        "worries": [w for w in row.worries.split(",") if w],
        "response_id": row.response_id,
    }


def _logs(db: Session, *where) -> list[tuple[BoundaryLog, Boundary]]:
    return db.execute(
        select(BoundaryLog, Boundary)
        .join(Boundary, Boundary.id == BoundaryLog.boundary_id)
        .where(*where)
        .options(selectinload(BoundaryLog.edits))
        .order_by(BoundaryLog.period_start, BoundaryLog.id)
    ).all()


def _scores(db: Session, *where) -> list[MeasureScore]:
    return db.scalars(
        select(MeasureScore).where(*where).order_by(MeasureScore.administered_on, MeasureScore.id)
    ).all()


def _checks(db: Session, *where) -> list[SafetyCheck]:
    return db.scalars(
        select(SafetyCheck).where(*where).order_by(SafetyCheck.checked_on, SafetyCheck.id)
    ).all()


def _responses_with_titles(db: Session, *where) -> list[tuple[Response, str]]:
    return db.execute(
        select(Response, ExerciseTemplate.title)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
        .where(*where)
        .options(selectinload(Response.version))
        .order_by(Response.occurrence_on, Response.id)
    ).all()


def _messages(db: Session, couple: Couple, reader: str, me: int | None) -> list[dict[str, Any]]:
    """The messages of the conversations this reader takes part in (see threads_for)."""
    names = {p.role: p.user.display_name for p in couple.partners}
    names["clinician"] = couple.clinician.display_name
    return [
        {
            "conversation": "all three" if m.thread == "together" else f"private ({m.thread})",
            "from": "me" if me is not None and m.author_id == me else names.get(m.author_role, ""),
            "sent_at": _when(m.created_at),
            "edited_at": _when(m.edited_at),
            "withdrawn": m.withdrawn_at is not None,
            "text": m.body if m.withdrawn_at is None else "",
            **({"for_session": m.for_session_at is not None} if reader == "clinician" else {}),
        }
        for m in messages_of(db, couple.id, threads_for(reader))
    ]


def client_export(db: Session, partner: Partner) -> dict[str, Any]:
    """Everything this partner wrote, and nothing their partner wrote.

    Their own answers (drafts too), joint answers they may read, their boundary reports, the
    boundaries they proposed or agreed to, their questionnaire scores and safety checks, and
    their account. The clinician's review comments are left out: the review form promises
    clinicians that clients never see them.
    """
    couple = partner.couple
    rows = _responses_with_titles(
        db,
        Assignment.couple_id == couple.id,
        Response.slot.in_((partner.role, "together")),
    )
    # The joint slot is readable by both partners today; asking the one visibility function
    # keeps this export right if that rule ever changes.
    responses = [
        _response(r, title, clinician=False)
        for r, title in rows
        if partner_may_read(AnswerFacts(r.slot, r.status, r.visibility), partner.role, False)
    ]
    accepted = getattr(Boundary, f"{partner.role}_accepted_at")
    boundaries = db.scalars(
        select(Boundary)
        .where(
            Boundary.couple_id == couple.id,
            or_(Boundary.proposed_by_id == partner.id, accepted.is_not(None)),
        )
        .order_by(Boundary.created_at, Boundary.id)
    ).all()
    logs = _logs(db, BoundaryLog.partner_id == partner.id)
    scores = _scores(db, MeasureScore.partner_id == partner.id)
    checks = _checks(db, SafetyCheck.partner_id == partner.id)
    return {
        "format": FORMAT,
        "kind": "client",
        "exported_at": _when(utcnow()),
        "account": {**_account(partner.user), "partner_role": partner.role},
        "work": {
            "label": couple.label,
            "clinician": couple.clinician.display_name,
            "started_on": _when(couple.started_on),
            "status": couple.status,
            "closed_at": _when(couple.closed_at),
        },
        "responses": responses,
        "boundaries": [
            {**_boundary(b), "proposed_by_me": b.proposed_by_id == partner.id} for b in boundaries
        ],
        "boundary_reports": [_log(entry, boundary.text) for entry, boundary in logs],
        "questionnaires": [_score(s) for s in scores],
        "safety_checks": [_safety(c) for c in checks],
        "messages": _messages(db, couple, partner.role, partner.user_id),
    }


def couple_export(db: Session, couple: Couple) -> dict[str, Any]:
    """A couple's whole record for its clinician: both partners' answers, private ones too
    (drafts stay out: the visibility rules keep work in progress from the clinician)."""
    roles = {p.id: p.role for p in couple.partners}
    assignments = db.execute(
        select(Assignment, ExerciseTemplate.title)
        .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
        .where(Assignment.couple_id == couple.id)
        .options(selectinload(Assignment.pauses))
        .order_by(Assignment.created_at, Assignment.id)
    ).all()
    responses = _responses_with_titles(db, Assignment.couple_id == couple.id)
    boundaries = db.scalars(
        select(Boundary)
        .where(Boundary.couple_id == couple.id)
        .options(selectinload(Boundary.revisions), selectinload(Boundary.pauses))
        .order_by(Boundary.created_at, Boundary.id)
    ).all()
    logs = _logs(db, Boundary.couple_id == couple.id)
    scores = _scores(db, MeasureScore.couple_id == couple.id)
    checks = _checks(db, SafetyCheck.couple_id == couple.id)
    appointments = db.scalars(
        select(Appointment)
        .where(Appointment.couple_id == couple.id)
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    reports = db.scalars(
        select(Report).where(Report.couple_id == couple.id).order_by(Report.created_at, Report.id)
    ).all()
    return {
        "format": FORMAT,
        "kind": "couple",
        "exported_at": _when(utcnow()),
        "couple": {
            "id": couple.id,
            "label": couple.label,
            "clinician": couple.clinician.display_name,
            "stage": couple.stage,
            "status": couple.status,
            "started_on": _when(couple.started_on),
            "created_at": _when(couple.created_at),
            "closed_at": _when(couple.closed_at),
        },
        "partners": [{"id": p.id, **_account(p.user), "role": p.role} for p in couple.partners],
        "stage_changes": [
            {
                "from_stage": c.from_stage,
                "to_stage": c.to_stage,
                "changed_at": _when(c.changed_at),
                "reason": c.reason,
            }
            for c in couple.stage_changes
        ],
        "assignments": [
            {
                "id": a.id,
                "exercise": title,
                "answered_by": a.answered_by,
                "visibility": a.visibility,
                "schedule": a.schedule,
                "start_on": _when(a.start_on),
                "end_on": _when(a.end_on),
                "due_on": _when(a.due_on),
                "status": a.status,
                "note": a.note,
                "created_at": _when(a.created_at),
                "pauses": [
                    {"paused_on": _when(p.paused_on), "resumed_on": _when(p.resumed_on)}
                    for p in a.pauses
                ],
            }
            for a, title in assignments
        ],
        "responses": [
            {**_response(r, title, clinician=True), "assignment_id": r.assignment_id}
            for r, title in responses
            if clinician_may_read(AnswerFacts(r.slot, r.status, r.visibility))
        ],
        "boundaries": [
            {
                **_boundary(b),
                "proposed_by": roles.get(b.proposed_by_id) if b.proposed_by_id else "clinician",
                "history": [
                    {
                        "number": v.number,
                        "text": v.text,
                        "consequence": v.consequence,
                        "check_period": v.check_period,
                        "summary": v.summary,
                        "agreed_by": v.agreed_by,
                        "changed_at": _when(v.changed_at),
                    }
                    for v in b.revisions
                ],
                "pauses": [
                    {"paused_on": _when(p.paused_on), "resumed_on": _when(p.resumed_on)}
                    for p in b.pauses
                ],
            }
            for b in boundaries
        ],
        "boundary_reports": [
            {**_log(entry, boundary.text), "partner": roles.get(entry.partner_id)}
            for entry, boundary in logs
        ],
        "questionnaires": [{**_score(s), "partner": s.role} for s in scores],
        "safety_checks": [{**_safety(c), "partner": c.role} for c in checks],
        "appointments": [
            {
                "id": a.id,
                "starts_at": _when(a.starts_at),
                "duration_minutes": a.duration_minutes,
                "agenda_note": a.agenda_note,
                "cancelled_at": _when(a.cancelled_at),
            }
            for a in appointments
        ],
        "reports": [
            {
                "id": r.id,
                "created_at": _when(r.created_at),
                "period_start": _when(r.period_start),
                "period_end": _when(r.period_end),
                "audience": r.audience,
                "paper": r.paper,
                "sha256": r.sha256,
                "size": r.size,
            }
            for r in reports
        ],
        "messages": _messages(db, couple, "clinician", None),
        "session_notes": [_note(n) for n in notes_of(db, couple.id)],
    }


def _note(note: SessionNote) -> dict[str, Any]:
    """A session note as the clinician's record holds it (never in a partner's export)."""
    return {
        "id": note.id,
        "kind": note.kind,
        "contact_kind": note.contact_kind,
        "appointment_id": note.appointment_id,
        "held_at": _when(note.held_at),
        "format": note.note_format,
        "data_window": [_when(note.window_start), _when(note.window_end)],
        "pre_filled": note.prefill.get("lines", []),
        "sections": note.sections,
        "plan": [
            {"text": item.text, "became": item.action, "at": _when(item.acted_at)}
            for item in note.plan_items
        ],
        "signed_at": _when(note.signed_at),
        "signed_by": note.signed_by.display_name if note.signed_by else None,
        "pdf_sha256": note.pdf_sha256,
        "addenda": [
            {"body": a.body, "signed_at": _when(a.signed_at)}
            for a in note.addenda
            if a.signed_at is not None
        ],
    }
