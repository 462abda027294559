"""The differential privacy test: a record a reader may not see contributes nothing to anything
that reader sees.

The same couple is built twice, identical except for records one partner (the writer) kept
from the other (the reader): private check-ins with extreme values, a private worksheet answer,
a mutual answer the reader has not matched, a safety check, a PHQ-9 with item 9 above 0, a note
on a boundary log; and the clinician's notes (a review comment, an agenda note, a stage reason,
a signed session note with its plan).
Everything the reader can get (every client page, both exports, the couple's copy of the report
as PDF text and as its preview page, every email) must be the same in both worlds, character for
character once form tokens and print times are masked. Numbers derived from a private record
(means, counts, chart points, flags, completion) carry no marker, so only this comparison can
catch them."""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select, text

from practice.db import Base, db
from practice.exercises.services import sync_library
from practice.mail import outbox
from practice.measures.instruments import PHQ9
from practice.measures.library import SAFETY_SLUG, measure_slug
from practice.measures.pcl5 import PCL5
from practice.models import (
    Appointment,
    Assignment,
    BoundaryLog,
    Couple,
    ExerciseTemplate,
    Message,
    Partner,
    Response,
    StageChange,
)
from tests.conftest import MendClient, sign_in
from tests.factories import make_assignment, make_template, make_world
from tests.test_privacy_sweep import _client_urls
from tests.test_safety import _phq9_form, _safety_form

TODAY = date.today()
EMAILS = {"injured": "ia@client.test", "involved": "va@client.test"}
OTHER = {"injured": "involved", "involved": "injured"}
HISTORY_DAYS = 40
PRIVATE_DAYS = (2, 9)  # days ago the writer checked in privately (and today, through the form)
SCALES = ("trust", "emotional_safety", "connection")


@dataclass
class Built:
    couple: int
    checkin: int
    worksheet: int
    secret_sheet: int
    mutual: int
    safety: int
    phq9: int
    pcl5: int
    boundary: int
    appointment: int
    shared_response: int
    urls: list[str] = field(default_factory=list)


def _at(day: date, hour: int = 20) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _answer(assignment: Assignment, partner: Partner, day: date, answers: dict, visibility: str):
    template = db.session.get(ExerciseTemplate, assignment.template_id)
    response = Response(
        assignment_id=assignment.id,
        occurrence_on=day,
        slot=partner.role,
        partner_id=partner.id,
        version_id=template.latest.id,
        answers=answers,
        status="submitted",
        revision=1,
        visibility=visibility,
        submitted_at=_at(day),
    )
    db.session.add(response)
    db.session.flush()
    return response


def _pin_generated_times() -> None:
    """The factories stamp rows with the clock; move those stamps to the start of their day so
    both worlds carry the same times (the times this test sets itself have no microseconds)."""
    for mapper in Base.registry.mappers:
        names = [column.key for column in mapper.column_attrs]
        for row in db.session.scalars(select(mapper.class_)):
            for name in names:
                value = getattr(row, name)
                if isinstance(value, datetime) and value.microsecond:
                    setattr(row, name, value.replace(hour=0, minute=0, second=0, microsecond=0))


def _shared_checkin(days_ago: int, role: str) -> dict:
    """Everything shared stays within 0..3, so a private 10 anywhere would stand out."""
    base = (days_ago + (0 if role == "injured" else 1)) % 4
    return {
        "trust": base,
        "emotional_safety": (base + 1) % 4,
        "connection": (base + 2) % 4,
        "distress": (base + 3) % 4,
        "need_now": f"shared words of the {role} partner, day {days_ago}",
    }


def _build_shared(app: Flask, writer: str, private_note: str) -> Built:
    """The part of the couple that is the same in both worlds."""
    with app.app_context():
        sync_library(db.session)
        world = make_world(db.session)
        couple = db.session.get(Couple, world.couple_a)
        partners = {p.role: p for p in couple.partners}
        slug = {t.slug: t for t in db.session.scalars(select(ExerciseTemplate)) if t.slug}
        checkin = make_assignment(db.session, couple, slug["daily-check-in"], HISTORY_DAYS)
        for days_ago in range(1, HISTORY_DAYS + 1):
            day = TODAY - timedelta(days=days_ago)
            for role, partner in partners.items():
                if role == writer and days_ago in PRIVATE_DAYS:
                    continue
                _answer(checkin, partner, day, _shared_checkin(days_ago, role), "shared")
        once = {"schedule": "once", "due_on": TODAY - timedelta(days=2)}
        worksheet = make_assignment(
            db.session, couple, make_template(db.session, couple.clinician), 5, **once
        )
        shared = None
        for role, partner in partners.items():
            answers = {"answer_1": f"a shared reflection of the {role} partner", "mood": 2}
            response = _answer(worksheet, partner, TODAY - timedelta(days=2), answers, "shared")
            shared = shared or response
        secret = make_assignment(
            db.session,
            couple,
            make_template(db.session, couple.clinician, title="Kept for the clinician"),
            5,
            visibility="clinician",
            **once,
        )
        mutual = make_assignment(
            db.session,
            couple,
            make_template(db.session, couple.clinician, title="Answered in turn"),
            5,
            visibility="mutual",
            **once,
        )
        measure_due = {"schedule": "once", "due_on": TODAY, "visibility": "clinician"}
        safety = make_assignment(db.session, couple, slug[SAFETY_SLUG], 0, **measure_due)
        phq9 = make_assignment(db.session, couple, slug[measure_slug(PHQ9)], 0, **measure_due)
        pcl5 = make_assignment(db.session, couple, slug[measure_slug(PCL5)], 0, **measure_due)
        # The boundary's logs: the same statuses in both worlds, a crossing among them.
        boundary = world.boundary_a
        for days_ago in range(1, 9):
            for role, partner in partners.items():
                crossed = role == "injured" and days_ago == 4
                db.session.add(
                    BoundaryLog(
                        boundary_id=boundary,
                        partner_id=partner.id,
                        period_start=TODAY - timedelta(days=days_ago),
                        status="crossed" if crossed else "kept",
                        note=private_note if role == writer and days_ago == 1 else None,
                        created_at=_at(TODAY - timedelta(days=days_ago), 21),
                    )
                )
        # A session two weeks ago (the report's period starts there) and one in three days.
        for appointment_id, days in ((world.appointment_b, -14), (world.appointment_a, 3)):
            appointment = db.session.get(Appointment, appointment_id)
            appointment.couple_id = couple.id
            appointment.starts_at = _at(TODAY + timedelta(days=days), 10)
            appointment.agenda_note = None
        for change in db.session.scalars(select(StageChange)):
            change.changed_at = _at(TODAY - timedelta(days=30), 9)
        _pin_generated_times()
        db.session.commit()
        return Built(
            couple=couple.id,
            checkin=checkin.id,
            worksheet=worksheet.id,
            secret_sheet=secret.id,
            mutual=mutual.id,
            safety=safety.id,
            phq9=phq9.id,
            pcl5=pcl5.id,
            boundary=boundary,
            appointment=world.appointment_a,
            shared_response=shared.id,
        )


def _write_private(app: Flask, built: Built, writer: str, as_user) -> None:
    """What the writer keeps from the reader, and what the clinician keeps from both."""
    with app.app_context():
        couple = db.session.get(Couple, built.couple)
        partner = couple.partner(writer)
        checkin = db.session.get(Assignment, built.checkin)
        extreme = {"trust": 10, "emotional_safety": 10, "connection": 10, "distress": 10}
        for days_ago in PRIVATE_DAYS:
            words = {**extreme, "need_now": "PRIVATE check-in words"}
            _answer(checkin, partner, TODAY - timedelta(days=days_ago), words, "clinician")
        day = TODAY - timedelta(days=2)
        words = {"answer_1": "PRIVATE worksheet words", "mood": 10}
        _answer(db.session.get(Assignment, built.secret_sheet), partner, day, words, "clinician")
        words = {"answer_1": "PRIVATE until both have answered", "mood": 10}
        _answer(db.session.get(Assignment, built.mutual), partner, day, words, "mutual")
        db.session.commit()
    browser = as_user(EMAILS[writer])
    form = {f"f_{key}": "10" for key in (*SCALES, "distress")}
    form |= {"f_need_now": "PRIVATE today", "action": "submit", "revision": "0"}
    sent = browser.submit(
        f"/tasks/{built.checkin}/{TODAY.isoformat()}", form | {"visibility": "clinician"}
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    due = TODAY.isoformat()
    safety = _safety_form(afraid="yes", hurt="yes", anything_else="PRIVATE safety words")
    assert browser.submit(f"/tasks/{built.safety}/{due}", safety).status_code == 302
    assert browser.submit(f"/tasks/{built.phq9}/{due}", _phq9_form("Nearly every day"))
    # A PCL-5 well above the provisional cut-point (issue 19): private like every measure.
    pcl5 = {f"f_{item.key}": "Extremely" for item in PCL5.items}
    sent = browser.submit(
        f"/tasks/{built.pcl5}/{due}", pcl5 | {"action": "submit", "revision": "0"}
    )
    assert sent.status_code == 302

    # A private conversation with the clinician, marked for the session, unread by the reader.
    sent = browser.submit("/messages/private", {"body": "PRIVATE message", "submit_key": "p1"})
    assert sent.status_code == 302
    clinician = as_user("a@clinic.test")
    sent = clinician.submit(
        f"/couples/{built.couple}/messages",
        {"to": writer, "body": "PRIVATE reply", "submit_key": "p2"},
    )
    assert sent.status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Message).order_by(Message.id))
        first.for_session_at = first.created_at
        db.session.commit()
    comment = {"reviewed": "y", "comment": "PRIVATE clinician comment"}
    assert clinician.submit(f"/responses/{built.shared_response}", comment).status_code == 302
    with app.app_context():
        db.session.get(Appointment, built.appointment).agenda_note = "PRIVATE agenda"
        db.session.commit()
    # A signed session note of a phone call, with a plan item (clinician-only, issue 18).
    when = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    started = clinician.submit(
        f"/couples/{built.couple}/notes/contact",
        {"held_at": when, "contact_kind": "phone", "note_format": "dap"},
    )
    assert started.status_code == 302
    note = started.headers["Location"]
    assert clinician.submit(note + "/plan", {"text": "PRIVATE plan item"}).status_code == 302
    signed = clinician.submit(
        note, {"revision": "1", "action": "sign", "assessment": "PRIVATE session note"}
    )
    assert signed.status_code == 302


def _stage_change(built: Built, reason: str, as_user) -> None:
    """The stage change the clinician makes in both worlds (only its reason differs)."""
    response = as_user("a@clinic.test").submit(
        f"/couples/{built.couple}/stage", {"target": "3", "reason": reason}
    )
    assert response.status_code == 302


def _reader_urls(app: Flask, built: Built, reader: str) -> list[str]:
    """Every page the reader can ask for, naming every record of the couple (private ones too:
    a private record's address must look exactly like one that does not exist)."""
    from types import SimpleNamespace

    with app.app_context():
        responses = db.session.scalars(
            select(Response.id)
            .join(Assignment, Assignment.id == Response.assignment_id)
            .where(Assignment.couple_id == built.couple)
            .order_by(Response.id)
        ).all()
        first = db.session.scalar(select(Response.id).order_by(Response.id))
        message = db.session.scalar(select(Message.id).order_by(Message.id)) or 1
    stand_in = SimpleNamespace(
        message_a=message,
        couple_a=built.couple,
        assignment_a=built.checkin,
        response_a=first,
        boundary_a=built.boundary,
        partner_a_injured=0,
        appointment_a=built.appointment,
    )
    urls = set(_client_urls(app, stand_in))
    urls |= {f"/checkins?days={days}" for days in (14, 30, 90)}
    urls |= {f"/answers/{rid}" for rid in responses}
    urls |= {"/answers?page=1", "/answers?page=2", f"/boundaries/{built.boundary}/history"}
    for assignment in (
        built.checkin,
        built.worksheet,
        built.secret_sheet,
        built.mutual,
        built.safety,
        built.phq9,
        built.pcl5,
    ):
        for days_ago in (0, 1, 2, 9):
            urls.add(f"/tasks/{assignment}/{(TODAY - timedelta(days=days_ago)).isoformat()}")
    return sorted(urls)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


MASKS = (
    (re.compile(r'(name="csrf[_-]token"[^>]*content=")[^"]+'), r"\1…"),
    (re.compile(r'(name="csrf_token"[^>]*value=")[^"]+'), r"\1…"),
    (re.compile(r'(name="submit_key"[^>]*value=")[^"]+'), r"\1…"),  # a fresh one per page
    (re.compile(r'("token": ?")[^"]+'), r"\1…"),
    (re.compile(r'("(?:exported|generated|timestamp)(?:_at)?": ?")[^"]+'), r"\1…"),
    (re.compile(r"(Printed|Generated|Prepared)( on)? [^\n<]*\d\d:\d\d"), r"\1 …"),
    (re.compile(r'(data-author=")[^"]+'), r"\1…"),
    (re.compile(r"(reference )[0-9a-f]{16}"), r"\1…"),
    (re.compile(r'("(?:joined|last_sign_in|updated_at)": ?")[^"]+'), r"\1…"),
    (re.compile(r'(name="author"[^>]*value=")[^"]+'), r"\1…"),
    (re.compile(r"(DTSTAMP:)\d{8}T\d{6}Z"), r"\1…"),  # when the calendar file was made
    (re.compile(r'(name="session"[^>]*value=")[^"]+'), r"\1…"),  # a device's random reference
    (re.compile(r"(Last used )[^<]+"), r"\1…"),  # when this browser signed in, to the minute
)


def _masked(body: str) -> str:
    for pattern, replacement in MASKS:
        body = pattern.sub(replacement, body)
    return body


def _everything(app: Flask, built: Built, reader: str, urls: list[str], as_user) -> dict:
    """What the reader can get: every page, both exports, every email, and the couple's copy
    the clinician prints for them."""
    browser: MendClient = app.test_client()
    assert sign_in(browser, EMAILS[reader]).status_code == 302
    seen: dict[str, str] = {}
    for url in urls:
        response = browser.get(url)
        body = (
            _pdf_text(response.data)
            if response.mimetype == "application/pdf" and response.status_code == 200
            else response.get_data(as_text=True)
        )
        seen[url] = f"{response.status_code} {response.headers.get('Location', '')}\n{body}"
    for url in ("/settings/my-words.json", "/settings/my-words.pdf"):
        response = browser.get(url)
        assert response.status_code == 200
        is_pdf = response.mimetype == "application/pdf"
        seen[url] = _pdf_text(response.data) if is_pdf else response.get_data(as_text=True)
    clinician = as_user("a@clinic.test")
    for period in ("last", "14", "90"):
        preview = clinician.get(
            f"/couples/{built.couple}/report/preview?audience=couple&period={period}"
        )
        assert preview.status_code == 200
        seen[f"couple's copy preview ({period})"] = preview.get_data(as_text=True)
    made = clinician.submit(f"/couples/{built.couple}/report", {"audience": "couple"})
    pdf = clinician.get(made.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    seen["couple's copy PDF"] = _pdf_text(pdf.data)
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    for number, message in enumerate(m for m in outbox(app) if m.to == EMAILS[reader]):
        seen[f"email {number}: {message.subject}"] = message.body
    return {where: _masked(body) for where, body in seen.items()}


def _start_again(app: Flask) -> None:
    """Empty every table and start the ids again, so both worlds number their rows alike."""
    engine = db.get_engine(app)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            if conn.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first():
                conn.execute(text("DELETE FROM sqlite_sequence"))
    outbox(app).clear()


def _world(app: Flask, writer: str, with_private: bool, as_user, urls=None):
    built = _build_shared(app, writer, "PRIVATE log note" if with_private else None)
    _stage_change(built, "PRIVATE stage reason" if with_private else "ordinary reason", as_user)
    if with_private:
        _write_private(app, built, writer, as_user)
    reader = OTHER[writer]
    urls = urls or _reader_urls(app, built, reader)
    return built, urls, _everything(app, built, reader, urls, as_user)


def _differences(one: dict, other: dict) -> list[str]:
    found = []
    for where in sorted(set(one) | set(other)):
        a, b = one.get(where, "(absent)"), other.get(where, "(absent)")
        if a != b:
            diff = difflib.unified_diff(
                b.splitlines(), a.splitlines(), "without private", "with private", n=1, lineterm=""
            )
            shown = [line if len(line) < 240 else line[:240] + " …" for line in list(diff)[:40]]
            found.append(f"--- {where}\n" + "\n".join(shown))
    return found


@pytest.mark.parametrize("writer", ["involved", "injured"])
def test_what_a_partner_may_not_read_changes_nothing_they_can_get(
    app: Flask, as_user, writer: str
) -> None:
    _start_again(app)  # the ids of both worlds count from 1
    with_private_built, urls, with_private = _world(app, writer, True, as_user)
    # The private records are really there and really reach the clinician (so this can fail).
    clinician = as_user("a@clinic.test")
    report = clinician.get(
        f"/couples/{with_private_built.couple}/report/preview?audience=clinician"
    ).get_data(as_text=True)
    assert f"High distress for the {writer} partner" in report
    assert "Thoughts of self-harm" in report or "self-harm" in report
    assert "PRIVATE plan item" in report  # last session's plan opens the clinician's copy
    _start_again(app)
    _built, _urls, without = _world(app, writer, False, as_user, urls)
    assert len(urls) > 30
    problems = _differences(with_private, without)
    assert not problems, "\n\n".join(problems)
