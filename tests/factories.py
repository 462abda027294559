"""Rows for tests, made directly through the models (the HTTP tests then use the app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from practice.auth.passwords import hash_password
from practice.models import (
    Appointment,
    Assignment,
    Boundary,
    BoundaryRevision,
    Couple,
    ExerciseTemplate,
    Message,
    Partner,
    PlanItem,
    Report,
    ReportRequest,
    Response,
    SessionNote,
    StageChange,
    User,
    utcnow,
)

PASSWORD = "a calm test password for mend"  # noqa: S105
# Production refuses to start without these; tests of production settings pass them.
PRODUCTION_KEYS = {
    "ENCRYPTION_KEYS": "k1:" + "A" * 42 + "Q",
    "AUDIT_KEY": "B" * 43,
}
_HASH = hash_password(PASSWORD)  # hashing once keeps the suite fast


def make_user(db: Session, email: str, role: str, name: str | None = None, **kwargs) -> User:
    """An active account that signs in with PASSWORD."""
    kwargs.setdefault("password_hash", _HASH)
    user = User(email=email, display_name=name or email.split("@")[0].title(), role=role, **kwargs)
    db.add(user)
    db.flush()
    return user


def make_couple(
    db: Session,
    clinician: User,
    label: str,
    injured_email: str,
    involved_email: str,
    stage: int = 1,
) -> Couple:
    """A couple with both partners already joined."""
    couple = Couple(
        label=label, clinician=clinician, stage=stage, started_on=date.today() - timedelta(days=30)
    )
    db.add(couple)
    couple.partners.append(Partner(user=make_user(db, injured_email, "client"), role="injured"))
    couple.partners.append(Partner(user=make_user(db, involved_email, "client"), role="involved"))
    couple.stage_changes.append(StageChange(from_stage=None, to_stage=stage, reason="start"))
    db.add(couple)
    db.flush()
    return couple


def make_appointment(
    db: Session, couple: Couple, days_ahead: float, minutes: int = 50
) -> Appointment:
    """An appointment days_ahead from now (negative: in the past)."""
    appointment = Appointment(
        couple_id=couple.id,
        starts_at=utcnow().replace(second=0, microsecond=0) + timedelta(days=days_ahead),
        duration_minutes=minutes,
        agenda_note="agenda note for the clinician only",
    )
    db.add(appointment)
    db.flush()
    return appointment


SIMPLE_EXERCISE = {
    "title": "A short reflection",
    "stage": 2,
    "purpose": "To notice what this week was like.",
    "instructions": "Take a few quiet minutes.",
    "answered_by": "each",
    "visibility": "shared",
    "fields": [
        {
            "key": "answer_1",
            "label": "What stood out this week?",
            "kind": "long_text",
            "required": True,
            "max_length": 200,
        },
        {
            "key": "mood",
            "label": "How are you today?",
            "kind": "scale",
            "min": 0,
            "max": 10,
            "min_label": "very low",
            "max_label": "very good",
            "required": True,
        },
    ],
}


def make_template(db: Session, owner: User | None, **changes) -> ExerciseTemplate:
    """An exercise template (owner None: built-in) from SIMPLE_EXERCISE with changes."""
    from practice.exercises.services import create_template

    return create_template(db, owner, {**SIMPLE_EXERCISE, **changes})


def make_assignment(
    db: Session, couple: Couple, template: ExerciseTemplate, days_ago: int = 3, **values
) -> Assignment:
    """A daily assignment that started days_ago (answered by each partner, shared)."""
    values.setdefault("answered_by", "each")
    values.setdefault("visibility", "shared")
    values.setdefault("schedule", "daily")
    assignment = Assignment(
        couple_id=couple.id,
        template_id=template.id,
        start_on=date.today() - timedelta(days=days_ago),
        **values,
    )
    db.add(assignment)
    db.flush()
    return assignment


def make_response(
    db: Session,
    assignment: Assignment,
    slot: str,
    days_ago: int = 1,
    answers: dict | None = None,
    status: str = "submitted",
    visibility: str = "clinician",
) -> Response:
    """A response of one partner (or 'together') to the occurrence days_ago."""
    couple = db.get(Couple, assignment.couple_id)
    partner = couple.partner("injured" if slot == "together" else slot)
    template = db.get(ExerciseTemplate, assignment.template_id)
    response = Response(
        assignment_id=assignment.id,
        occurrence_on=date.today() - timedelta(days=days_ago),
        slot=slot,
        partner_id=partner.id,
        version_id=template.latest.id,
        answers=answers or {"answer_1": f"private words of the {slot} partner", "mood": 5},
        status=status,
        revision=1,
        visibility=visibility,
        submitted_at=utcnow() if status == "submitted" else None,
    )
    db.add(response)
    db.flush()
    return response


def make_message(
    db: Session,
    couple: Couple,
    thread: str,
    place: str,
    body: str = "A message between sessions.",
    minutes_ago: int = 0,
) -> Message:
    """A message in one of the couple's conversations, written by the clinician or a partner."""
    author = couple.clinician if place == "clinician" else couple.partner(place).user
    when = utcnow() - timedelta(minutes=minutes_ago)
    message = Message(
        couple_id=couple.id,
        thread=thread,
        author_id=author.id,
        author_role=place,
        body=body,
        created_at=when,
        changed_at=when,
    )
    db.add(message)
    db.flush()
    return message


def make_boundary(
    db: Session,
    couple: Couple,
    text: str = "No contact with the other person.",
    status: str = "active",
    check_period: str = "daily",
    days_ago: int = 10,
) -> Boundary:
    """A boundary of the couple, agreed days_ago (or only proposed by the injured partner)."""
    agreed = utcnow() - timedelta(days=days_ago)
    boundary = Boundary(
        couple_id=couple.id,
        text=text,
        consequence="Tell each other the same day.",
        check_period=check_period,
        status=status,
        created_at=agreed,
        proposed_by_id=couple.partner("injured").id,
        injured_accepted_at=agreed,
        involved_accepted_at=agreed if status != "proposed" else None,
        activated_at=agreed if status != "proposed" else None,
    )
    boundary.revisions.append(
        BoundaryRevision(number=1, text=text, check_period=check_period, summary="First proposal")
    )
    db.add(boundary)
    db.flush()
    return boundary


def make_report(db: Session, couple: Couple, folder: str) -> Report:
    """A kept report of the couple (a small stand-in PDF written to the archive folder)."""
    from practice.analytics.data import Period
    from practice.reporting.archive import keep

    today = date.today()
    period = Period(today - timedelta(days=14), today + timedelta(days=1))
    return keep(
        db,
        folder,
        couple.id,
        couple.clinician_id,
        period,
        "clinician",
        "A4",
        b"%PDF-1.4\n% a stand-in report for tests\n",
    )


def make_prepared(db: Session, couple: Couple, appointment_id: int, report_id: int):
    """A prepared report of the couple's next session, ready and pointing at a kept report."""
    from practice.models import Appointment, PreparedReport

    appointment = db.get(Appointment, appointment_id)
    row = PreparedReport(
        couple_id=couple.id,
        appointment_id=appointment.id,
        for_date=appointment.starts_at.date(),
        status="ready",
        generation=1,
        report_id=report_id,
        prepared_at=utcnow(),
        covers_until=utcnow(),
    )
    db.add(row)
    db.flush()
    return row


def make_report_request(db: Session, couple: Couple) -> ReportRequest:
    """A report the couple's clinician asked a worker for, still waiting in the queue."""
    from practice.analytics.data import Period
    from practice.reporting.queued import request_report

    today = date.today()
    period = Period(today - timedelta(days=14), today + timedelta(days=1))
    return request_report(db, couple.id, couple.clinician_id, period, "clinician", "A4")


@dataclass
class World:
    clinician_a: int
    clinician_b: int
    admin: int
    couple_a: int
    couple_b: int
    appointment_a: int
    appointment_b: int
    partner_a_injured: int
    partner_b_injured: int
    template_a: int = 0
    template_b: int = 0
    assignment_a: int = 0
    assignment_b: int = 0
    response_a: int = 0
    response_b: int = 0
    boundary_a: int = 0
    boundary_b: int = 0
    report_a: int = 0
    report_request_a: int = 0
    prepared_a: int = 0  # the prepared report of couple A's next session
    message_a: int = 0  # written by couple A's injured partner, in their private conversation
    clinician_message_a: int = 0  # written by clinician A, to all three of couple A
    note_a: int = 0  # clinician A's draft note of a phone call with couple A
    plan_item_a: int = 0  # a plan item of that note, not acted on


def make_note(
    db: Session, couple: Couple, days_ago: int = 1, text: str = "Talked on the phone.", **values
) -> SessionNote:
    """A draft contact note (a phone call days_ago) with one plan item, written by the couple's
    clinician; its pre-fill is one plain line (tests of the real pre-fill start notes over
    HTTP)."""
    held = utcnow().replace(second=0, microsecond=0) - timedelta(days=days_ago)
    day = held.date()
    note = SessionNote(
        couple_id=couple.id,
        kind="contact",
        contact_kind="phone",
        held_at=held,
        note_format="dap",
        window_start=day - timedelta(days=13),
        window_end=day + timedelta(days=1),
        prefill={
            "lines": [
                {
                    "key": "session-0",
                    "group": "session",
                    "label": "When",
                    "text": "a day",
                    "values": {},
                }
            ],
            "removed": 0,
        },
        sections={"data": text, "assessment": "", "plan": ""},
        author_id=couple.clinician_id,
        **values,
    )
    note.plan_items.append(PlanItem(text="Weekly check-in for both"))
    db.add(note)
    db.flush()
    return note


def make_world(db: Session) -> World:
    """Clinician A with couple A, clinician B with couple B, an admin; one appointment each."""
    a = make_user(db, "a@clinic.test", "clinician", "Dr A")
    b = make_user(db, "b@clinic.test", "clinician", "Dr B")
    admin = make_user(db, "admin@clinic.test", "admin", "Admin")
    couple_a = make_couple(db, a, "Couple A", "ia@client.test", "va@client.test", stage=2)
    couple_b = make_couple(db, b, "Couple B", "ib@client.test", "vb@client.test", stage=4)
    template_a = make_template(db, a, title="Dr A's reflection")
    template_b = make_template(db, b, title="Dr B's reflection")
    assignment_a = make_assignment(db, couple_a, template_a)
    assignment_b = make_assignment(db, couple_b, template_b)
    response_a = make_response(db, assignment_a, "injured")
    response_b = make_response(db, assignment_b, "injured")
    return World(
        boundary_a=make_boundary(db, couple_a).id,
        boundary_b=make_boundary(db, couple_b).id,
        template_a=template_a.id,
        template_b=template_b.id,
        assignment_a=assignment_a.id,
        assignment_b=assignment_b.id,
        response_a=response_a.id,
        response_b=response_b.id,
        clinician_a=a.id,
        clinician_b=b.id,
        admin=admin.id,
        couple_a=couple_a.id,
        couple_b=couple_b.id,
        appointment_a=make_appointment(db, couple_a, 3).id,
        appointment_b=make_appointment(db, couple_b, 4).id,
        partner_a_injured=couple_a.partner("injured").id,
        partner_b_injured=couple_b.partner("injured").id,
        message_a=make_message(db, couple_a, "injured", "injured").id,
        clinician_message_a=make_message(db, couple_a, "together", "clinician").id,
        **_note_ids(make_note(db, couple_a)),
    )


def _note_ids(note: SessionNote) -> dict[str, int]:
    return {"note_a": note.id, "plan_item_a": note.plan_items[0].id}
