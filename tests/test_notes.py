"""Session notes: started from the report's data, written, signed and locked, feeding the next
report. Through the HTTP interface and the real database; PDFs read back as text."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from practice.analytics.data import Period
from practice.db import db
from practice.models import (
    Appointment,
    Assignment,
    AuditEvent,
    Boundary,
    BoundaryLog,
    Couple,
    ExerciseTemplate,
    NoteAddendum,
    SessionNote,
    utcnow,
)
from practice.notes.formats import FormatError, formats, parse_format
from practice.notes.prefill import prefill_lines, stage_at
from practice.reporting.compose import compose
from practice.reporting.gather import gather
from practice.reporting.pipeline import report_pdf
from practice.timefmt import format_datetime, practice_zone
from tests.factories import World, make_appointment, make_note

CLINICIAN = "a@clinic.test"


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _sessions(app: Flask, world: World) -> tuple[int, int]:
    """Couple A had a session yesterday and one a week before; some boundary logs between
    (two crossings: something the report flags)."""
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        make_appointment(db.session, couple, -8)
        last = make_appointment(db.session, couple, -1, minutes=60)
        boundary = db.session.get(Boundary, world.boundary_a)
        today = date.today()
        for days_ago, status in ((6, "kept"), (5, "crossed"), (3, "crossed"), (2, "kept")):
            for partner in couple.partners:
                db.session.add(
                    BoundaryLog(
                        boundary_id=boundary.id,
                        partner_id=partner.id,
                        period_start=today - timedelta(days=days_ago),
                        status=status,
                        note="a log note" if status == "crossed" else None,
                    )
                )
        db.session.commit()
        return last.id, couple.id


def _start(browser, appointment_id: int, note_format: str = "dap") -> int:
    response = browser.submit(f"/appointments/{appointment_id}/note", {"note_format": note_format})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _note(app: Flask, note_id: int) -> SessionNote:
    with app.app_context():
        note = db.session.get(SessionNote, note_id)
        note.prefill, note.sections  # noqa: B018  (load before the session closes)
        db.session.expunge(note)
        return note


def _save(browser, note_id: int, revision: int, action: str = "save", **sections):
    return browser.submit(
        f"/notes/{note_id}", {"revision": str(revision), "action": action, **sections}
    )


# --- starting a note ---------------------------------------------------------------------------


def test_a_note_starts_from_the_reports_values_for_the_sessions_window(
    app: Flask, world: World, as_user
) -> None:
    appointment_id, couple_id = _sessions(app, world)
    browser = as_user(CLINICIAN)
    note_id = _start(browser, appointment_id)
    note = _note(app, note_id)
    with app.app_context():
        zone = practice_zone()
        appointment = db.session.get(Appointment, appointment_id)
        # The window runs from the appointment before (8 days ago) to the session's day.
        today = date.today()
        assert note.window_start == today - timedelta(days=8)
        assert note.window_end == today
        period = Period(note.window_start, note.window_end)
        # The report, computed again now for the same window, has the same values.
        report = compose(
            gather(db.session, couple_id, period, "clinician", note.created_at, zone), (), (), zone
        )
        stage = stage_at(db.session, couple_id, appointment.starts_at, zone)
        expected = prefill_lines(report, format_datetime(appointment.starts_at, zone), stage)
        pdf = report_pdf(db.session, couple_id, period, "clinician", note.created_at, zone)
    for got, want in zip(note.prefill["lines"], expected, strict=True):
        assert got == want
    groups = {line["group"] for line in note.prefill["lines"]}
    assert {"session", "attention", "boundaries", "assignments"} <= groups
    # And the printed report says the same things.
    printed = _flat(_pdf_text(pdf))
    for adherence in report.adherence:
        assert _flat(adherence.injured) in printed
    for flag in report.flags:
        assert _flat(flag.title) in printed
    line = next(line for line in note.prefill["lines"] if line["group"] == "boundaries")
    assert line["values"] == asdict(report.adherence[0])
    page = browser.get(f"/notes/{note_id}").get_data(as_text=True)
    assert report.adherence[0].injured in page


def test_starting_twice_finds_the_same_note(app: Flask, world: World, as_user) -> None:
    appointment_id, _ = _sessions(app, world)
    browser = as_user(CLINICIAN)
    first = _start(browser, appointment_id)
    second = _start(browser, appointment_id)
    assert first == second
    assert (
        browser.get(f"/appointments/{appointment_id}/note")
        .headers["Location"]
        .endswith(f"/notes/{first}")
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(SessionNote.id))) == 2  # the world's + this


def test_a_future_or_cancelled_appointment_has_no_note_yet(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user(CLINICIAN)
    response = browser.submit(f"/appointments/{world.appointment_a}/note", {"note_format": "dap"})
    assert response.status_code == 400
    assert "hasn't started yet" in response.get_data(as_text=True)
    with app.app_context():
        db.session.get(Appointment, world.appointment_a).cancelled_at = utcnow()
        db.session.commit()
    page = browser.get(f"/appointments/{world.appointment_a}/note").get_data(as_text=True)
    assert "was cancelled" in page


def test_the_pre_fill_is_frozen_when_the_note_starts(app: Flask, world: World, as_user) -> None:
    appointment_id, _ = _sessions(app, world)
    browser = as_user(CLINICIAN)
    note_id = _start(browser, appointment_id)
    before = _note(app, note_id).prefill
    with app.app_context():
        db.session.get(Boundary, world.boundary_a).text = "A boundary reworded later"
        db.session.commit()
    assert _note(app, note_id).prefill == before
    page = browser.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "A boundary reworded later" not in page


def test_a_note_records_the_stage_of_its_session(app: Flask, world: World, as_user) -> None:
    appointment_id, couple_id = _sessions(app, world)
    browser = as_user(CLINICIAN)
    moved = browser.submit(f"/couples/{couple_id}/stage", {"target": "3", "reason": "Ready."})
    assert moved.status_code == 302
    note_id = _start(browser, appointment_id)
    stage = next(line for line in _note(app, note_id).prefill["lines"] if line["label"] == "Stage")
    assert stage["text"].startswith("2. ")  # the session was held in stage 2


@pytest.mark.parametrize("key", sorted(formats()))
def test_each_format_offers_its_own_sections(app: Flask, world: World, as_user, key: str) -> None:
    appointment_id, _ = _sessions(app, world)
    browser = as_user(CLINICIAN)
    note_id = _start(browser, appointment_id, key)
    page = browser.get(f"/notes/{note_id}").get_data(as_text=True)
    for section in formats()[key].sections:
        assert f'name="{section.key}"' in page
        assert section.title in page


def test_format_files_are_checked() -> None:
    good = {
        "key": "x",
        "name": "X",
        "prefill_section": "a",
        "plan_section": "a",
        "sections": [{"key": "a", "title": "A", "prompt": "Write."}],
    }
    assert parse_format(good, "x.toml").sections[0].title == "A"
    with pytest.raises(FormatError, match="plan_section"):
        parse_format({**good, "plan_section": "nowhere"}, "x.toml")
    with pytest.raises(FormatError, match="differ"):
        parse_format({**good, "sections": good["sections"] * 2}, "x.toml")


def test_the_clinician_and_the_practice_choose_the_default_format(
    app: Flask, world: World, as_user
) -> None:
    appointment_id, _ = _sessions(app, world)
    browser = as_user(CLINICIAN)
    page = browser.get(f"/appointments/{appointment_id}/note").get_data(as_text=True)
    assert re.search(r'<option selected value="dap">', page)
    assert browser.submit("/account/note-format", {"note_format": "birp"}).status_code == 302
    page = browser.get(f"/appointments/{appointment_id}/note").get_data(as_text=True)
    assert re.search(r'<option selected value="birp">', page)
    assert browser.submit("/account/note-format", {"note_format": "nope"}).status_code == 400


def test_a_contact_note_outside_appointments(app: Flask, world: World, as_user) -> None:
    browser = as_user(CLINICIAN)
    when = (utcnow() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = browser.submit(
        f"/couples/{world.couple_a}/notes/contact",
        {"held_at": when, "contact_kind": "crisis", "note_format": "soap"},
    )
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Crisis contact note" in page and "Subjective" in page
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = browser.submit(
        f"/couples/{world.couple_a}/notes/contact",
        {"held_at": later, "contact_kind": "phone", "note_format": "dap"},
    )
    assert refused.status_code == 400
    assert "in the future" in refused.get_data(as_text=True)


# --- writing -----------------------------------------------------------------------------------


def test_saving_removing_a_line_and_signing(app: Flask, world: World, as_user) -> None:
    appointment_id, _ = _sessions(app, world)
    browser = as_user(CLINICIAN)
    note_id = _start(browser, appointment_id)
    note = _note(app, note_id)
    removed = next(line for line in note.prefill["lines"] if line["group"] == "boundaries")
    response = browser.submit(f"/notes/{note_id}/lines/remove", {"line": removed["key"]})
    assert response.status_code == 302
    assert all(line["key"] != removed["key"] for line in _note(app, note_id).prefill["lines"])
    saved = _save(browser, note_id, note.revision, assessment="Trust is slowly returning.")
    assert saved.status_code == 302
    signed = _save(
        browser, note_id, note.revision + 1, "sign", assessment="Trust is slowly returning."
    )
    assert signed.status_code == 302
    with app.app_context():
        kept = db.session.get(SessionNote, note_id)
        assert kept.signed_at is not None and kept.signed_by_id == world.clinician_a
        assert kept.sections["assessment"] == "Trust is slowly returning."
        pdf = (app.config["REPORT_DIR"], kept.pdf_file, kept.pdf_sha256)
    page = browser.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "signed" in page and 'name="assessment"' not in page  # read-only now
    download = browser.get(f"/notes/{note_id}/pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    text = _flat(_pdf_text(download.data))
    assert "Trust is slowly returning." in text
    assert "Signed by Dr A" in text
    assert _flat(removed["text"]) not in text  # the removed line is gone from the record
    assert hashlib.sha256(download.data).hexdigest() == pdf[2]


def test_signing_twice_keeps_one_signature(app: Flask, world: World, as_user) -> None:
    browser = as_user(CLINICIAN)
    assert _save(browser, world.note_a, 1, "sign", data="Called.").status_code == 302
    first = _note(app, world.note_a).signed_at
    again = _save(browser, world.note_a, 2, "sign", data="Called.")
    assert again.status_code == 409
    assert _note(app, world.note_a).signed_at == first


def test_editing_a_signed_note_is_refused_and_the_words_kept_as_an_addendum_draft(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user(CLINICIAN)
    assert _save(browser, world.note_a, 1, "sign", data="Called.").status_code == 302
    response = _save(browser, world.note_a, 2, data="Called. Also: they asked about a referral.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "can no longer be changed" in page
    assert "they asked about a referral." in page  # still on the page, in the addendum box
    with app.app_context():
        draft = db.session.scalar(select(NoteAddendum))
        assert draft.signed_at is None and "they asked about a referral." in draft.body
        assert db.session.get(SessionNote, world.note_a).sections["data"] == "Called."
    # Signing the addendum puts it under the note, dated and signed, and in the PDF.
    added = browser.submit(f"/notes/{world.note_a}/addenda", {"body": "Referral discussed."})
    assert added.status_code == 302
    text = _flat(_pdf_text(browser.get(f"/notes/{world.note_a}/pdf").data))
    assert "Referral discussed." in text and "Addendum signed" in text
    with app.app_context():
        assert db.session.scalar(select(func.count(NoteAddendum.id))) == 1  # the draft, signed


def test_two_tabs_the_newer_revision_wins(app: Flask, world: World, as_user) -> None:
    browser = as_user(CLINICIAN)
    assert _save(browser, world.note_a, 1, data="From the first tab.").status_code == 302
    older = _save(browser, world.note_a, 1, data="From the second, older tab.")
    assert older.status_code == 409
    page = older.get_data(as_text=True)
    assert "From the second, older tab." in page  # the refused words are still there
    assert "another window" in page
    assert _note(app, world.note_a).sections["data"] == "From the first tab."
    # The autosave script is told the same.
    answer = browser.submit(
        f"/notes/{world.note_a}/autosave", {"revision": "1", "data": "Autosaved old tab"}
    )
    assert answer.status_code == 409 and answer.get_json()["error"] == "conflict"
    fresh = browser.submit(f"/notes/{world.note_a}/autosave", {"revision": "2", "data": "New"})
    assert fresh.status_code == 200 and fresh.get_json()["revision"] == 3


def test_an_over_long_section_is_refused_with_the_words_kept(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user(CLINICIAN)
    words = "Long words. " * 2000
    response = _save(browser, world.note_a, 1, assessment=words)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "under 20,000 characters" in page and "Long words. Long words." in page
    assert _note(app, world.note_a).sections["assessment"] == ""


# --- the plan ----------------------------------------------------------------------------------


def _weekly_on_today() -> dict:
    today = date.today()
    return {
        "answered_by": "each",
        "visibility": "shared",
        "schedule": "weekly",
        "start_on": today.isoformat(),
        "weekdays": str(today.weekday()),
        "note": "As we agreed in session.",
    }


def test_a_plan_item_becomes_a_weekly_assignment_the_partner_sees_today(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user(CLINICIAN)
    url = f"/notes/{world.note_a}/plan/{world.plan_item_a}/assignment"
    assert "Weekly check-in for both" in browser.get(url).get_data(as_text=True)
    response = browser.submit(url, {"template_id": str(world.template_a), **_weekly_on_today()})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()
        assert assignment.schedule == "weekly" and assignment.template_id == world.template_a
    today = as_user("ia@client.test").get("/today").get_data(as_text=True)
    assert "Dr A&#39;s reflection" in today or "Dr A's reflection" in today
    # One step: the item cannot become a second assignment.
    again = browser.submit(url, {"template_id": str(world.template_a), **_weekly_on_today()})
    assert again.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Assignment.id)).where(Assignment.template_id == world.template_a)
            )
            == 2
        )  # the world's and this one


def test_an_archived_exercise_gets_a_clear_message(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        db.session.get(ExerciseTemplate, world.template_a).archived_at = utcnow()
        db.session.commit()
    browser = as_user(CLINICIAN)
    url = f"/notes/{world.note_a}/plan/{world.plan_item_a}/assignment"
    response = browser.submit(url, {"template_id": str(world.template_a), **_weekly_on_today()})
    assert response.status_code == 400
    assert "has been archived" in response.get_data(as_text=True)


def test_plan_items_become_a_boundary_a_stage_change_and_an_agenda_item(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user(CLINICIAN)
    base = f"/notes/{world.note_a}/plan"
    for text in ("Agree on phone transparency", "Move to stage 3", "Talk about the holidays"):
        assert browser.submit(base, {"text": text}).status_code == 302
    with app.app_context():
        items = {i.text: i.id for i in db.session.get(SessionNote, world.note_a).plan_items}
    response = browser.submit(
        f"{base}/{items['Agree on phone transparency']}/boundary",
        {"text": "Phones open to each other", "consequence": "", "check_period": "weekly"},
    )
    assert response.status_code == 302
    response = browser.submit(
        f"{base}/{items['Move to stage 3']}/stage", {"target": "3", "reason": "Ready for it."}
    )
    assert response.status_code == 302
    response = browser.submit(
        f"{base}/{items['Talk about the holidays']}/agenda",
        {"appointment_id": str(world.appointment_a)},
    )
    assert response.status_code == 302
    with app.app_context():
        proposed = db.session.scalars(select(Boundary).where(Boundary.status == "proposed")).all()
        assert [b.text for b in proposed] == ["Phones open to each other"]
        assert db.session.get(Couple, world.couple_a).stage == 3
        agenda = db.session.get(Appointment, world.appointment_a).agenda_note
        assert agenda.endswith("Talk about the holidays")


def test_the_next_report_opens_with_last_sessions_plan(app: Flask, world: World, as_user) -> None:
    browser = as_user(CLINICIAN)
    url = f"/notes/{world.note_a}/plan/{world.plan_item_a}/assignment"
    assert browser.submit(url, {"template_id": str(world.template_a), **_weekly_on_today()})
    assert browser.submit(f"/notes/{world.note_a}/plan", {"text": "Read the chapter"})
    assert _save(browser, world.note_a, 1, "sign", data="Called.").status_code == 302
    preview = browser.get(f"/couples/{world.couple_a}/report/preview?audience=clinician")
    page = preview.get_data(as_text=True)
    assert "Last session's plan" in page
    assert page.index("Last session's plan") < page.index("Needs attention")
    assert "assigned: Dr A&#39;s reflection" in page or "assigned: Dr A's reflection" in page
    assert "Read the chapter" in page and "nothing recorded in Mend" in page
    couple_copy = browser.get(f"/couples/{world.couple_a}/report/preview?audience=couple")
    assert "Last session's plan" not in couple_copy.get_data(as_text=True)
    assert "Read the chapter" not in couple_copy.get_data(as_text=True)


# --- access, privacy, the caseload -------------------------------------------------------------


def test_another_clinician_gets_404_and_clients_403(app: Flask, world: World, as_user) -> None:
    other = as_user("b@clinic.test")
    assert other.get(f"/notes/{world.note_a}").status_code == 404
    assert other.get(f"/notes/{world.note_a}/pdf").status_code == 404
    appointment_id, _ = _sessions(app, world)
    assert (
        other.submit(f"/appointments/{appointment_id}/note", {"note_format": "dap"}).status_code
        == 404
    )
    client = as_user("ia@client.test")
    assert client.get(f"/notes/{world.note_a}").status_code == 403


def test_notes_never_reach_the_partners(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        make_note(db.session, db.session.get(Couple, world.couple_a), text="NOTE-ONLY-WORDS")
        db.session.commit()
    client = as_user("ia@client.test")
    for url in ("/today", "/answers", "/settings/my-words.json", "/messages"):
        response = client.get(url)
        assert "NOTE-ONLY-WORDS" not in response.get_data(as_text=True), url
    clinician = as_user(CLINICIAN)
    export = clinician.get(f"/couples/{world.couple_a}/export.json").get_data(as_text=True)
    assert "NOTE-ONLY-WORDS" in export


def test_reads_and_writes_are_audited(app: Flask, world: World, as_user) -> None:
    browser = as_user(CLINICIAN)
    browser.get(f"/notes/{world.note_a}")
    _save(browser, world.note_a, 1, data="Audited words")
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.object_type).where(
                AuditEvent.object_id == world.note_a, AuditEvent.object_type == "session_note"
            )
        ).all()
    assert ("viewed", "session_note") in events


def test_a_closed_couples_notes_are_read_only_but_take_a_late_addendum(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user(CLINICIAN)
    assert _save(browser, world.note_a, 1, "sign", data="Called.").status_code == 302
    second = None
    with app.app_context():
        second = make_note(db.session, db.session.get(Couple, world.couple_a)).id
        db.session.get(Couple, world.couple_a).status = "closed"
        db.session.get(Couple, world.couple_a).closed_at = utcnow()
        db.session.commit()
    refused = _save(browser, second, 1, data="A change")
    assert refused.status_code == 409
    assert _note(app, second).sections["data"] == "Talked on the phone."
    late = browser.submit(f"/notes/{world.note_a}/addenda", {"body": "A late correction."})
    assert late.status_code == 302


def test_the_caseload_puts_a_note_due_first_among_non_urgent_couples(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        from practice.models import User
        from tests.factories import make_couple

        clinician = db.session.get(User, world.clinician_a)
        make_couple(db.session, clinician, "AAA first by label", "x1@client.test", "x2@client.test")
        make_appointment(db.session, db.session.get(Couple, world.couple_a), -2)
        db.session.commit()
    page = as_user(CLINICIAN).get("/couples/").get_data(as_text=True)
    assert "Note due" in page
    assert page.index("Couple A") < page.index("AAA first by label")


def test_retention_deletes_notes_with_the_couple_and_their_pdfs(
    app: Flask, world: World, as_user
) -> None:
    from pathlib import Path

    browser = as_user(CLINICIAN)
    assert _save(browser, world.note_a, 1, "sign", data="Called.").status_code == 302
    first = _note(app, world.note_a).pdf_file
    assert browser.submit(f"/notes/{world.note_a}/addenda", {"body": "Later."}).status_code == 302
    with app.app_context():
        note = db.session.get(SessionNote, world.note_a)
        assert note.pdf_file == first  # the print is replaced, not added to
        pdf = Path(app.config["REPORT_DIR"]) / note.pdf_file
        assert pdf.exists()
        assert sorted(p.name for p in pdf.parent.glob("note-*")) == [pdf.name]
        couple = db.session.get(Couple, world.couple_a)
        couple.status, couple.closed_at = "closed", utcnow() - timedelta(days=8 * 366)
        db.session.commit()
    dry = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert "session_notes 1" in dry.output
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(SessionNote.id))) == 0
        assert db.session.scalar(select(func.count(NoteAddendum.id))) == 0
    assert not pdf.exists()
