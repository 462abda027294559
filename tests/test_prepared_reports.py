"""Reports ready before the clinician asks: prepared the evening before by the scheduler,
opened from the couple page, honest about what arrived since, prepared again when asked or
when the appointment moves."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from io import BytesIO

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from practice.db import db
from practice.models import (
    Appointment,
    Assignment,
    Boundary,
    BoundaryLog,
    Couple,
    PreparedReport,
    Report,
    utcnow,
)
from practice.scheduling import run_scheduled
from tests.factories import World, make_message, make_response

READY = re.compile(r"Report ready</strong> \(prepared \d\d:\d\d\)")


def _fonts(data: bytes) -> set[str]:
    """The base font names a PDF's pages use."""
    names = set()
    for page in PdfReader(BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def _tomorrow_at(hour: int) -> datetime:
    return datetime.combine(utcnow().date() + timedelta(days=1), time(hour), tzinfo=UTC)


def _evening() -> datetime:
    return datetime.combine(utcnow().date(), time(21, 30), tzinfo=UTC)


def _book_tomorrow(app: Flask, couple_id: int) -> int:
    with app.app_context():
        appointment = Appointment(couple_id=couple_id, starts_at=_tomorrow_at(10))
        db.session.add(appointment)
        # The world's own prepared report is for another day; start from none.
        db.session.execute(PreparedReport.__table__.delete())
        db.session.commit()
        return appointment.id


def _run(app: Flask, now: datetime | None = None):
    with app.app_context():
        return run_scheduled(db.session, app, now or _evening(), UTC)


def _rows(app: Flask) -> list[tuple]:
    with app.app_context():
        return [
            (r.couple_id, r.status, r.generation, r.outdated)
            for r in db.session.scalars(select(PreparedReport).order_by(PreparedReport.id))
        ]


def _reports(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


def test_tomorrows_reports_are_prepared_in_the_evening_once(
    app: Flask, world: World, as_user
) -> None:
    _book_tomorrow(app, world.couple_a)
    before = _reports(app)
    ran = _run(app)
    assert "prepare_reports" in ran.tasks and ran.prepared == 1
    assert _rows(app) == [(world.couple_a, "ready", 1, None)]
    assert _reports(app) == before + 1

    page = as_user("a@clinic.test").get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert READY.search(page)
    link = re.search(r'href="(/reports/\d+)">Open the report', page).group(1)
    pdf = as_user("a@clinic.test").get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert "Couple A" in text
    assert any("Inter" in name for name in _fonts(pdf.data))  # the bundled font, embedded

    again = _run(app)  # a second scheduler, or cron a few minutes later
    assert again.tasks == [] and again.prepared == 0
    assert _reports(app) == before + 1
    # Couple B's clinician sees nothing of it.
    other = as_user("b@clinic.test").get(f"/couples/{world.couple_b}").get_data(as_text=True)
    assert "Report ready" not in other


def test_new_entries_count_only_what_the_clinicians_copy_holds(
    app: Flask, world: World, as_user
) -> None:
    _book_tomorrow(app, world.couple_a)
    _run(app)
    clinician = as_user("a@clinic.test")
    assert "since this report was prepared" not in clinician.get(
        f"/couples/{world.couple_a}"
    ).get_data(as_text=True)
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        assignment = db.session.get(Assignment, world.assignment_a)
        make_response(db.session, assignment, "involved", days_ago=0)  # counts
        make_response(db.session, assignment, "injured", days_ago=0, status="draft")  # a draft
        make_message(db.session, couple, "injured", "injured")  # counts
        make_message(db.session, couple, "together", "clinician")  # the clinician's own
        withdrawn = make_message(db.session, couple, "together", "involved")
        withdrawn.withdrawn_at = utcnow()
        boundary = db.session.scalar(select(Boundary).where(Boundary.couple_id == couple.id))
        partner = couple.partner("injured")
        db.session.add(
            BoundaryLog(
                boundary_id=boundary.id,
                partner_id=partner.id,
                period_start=utcnow().date(),
                status="kept",
            )
        )  # counts
        db.session.commit()
    page = clinician.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "3 new entries since this report was prepared." in page
    assert "Prepare again" in page

    prepared_id = _rows_ids(app)[0]
    refused = as_user("b@clinic.test").submit(f"/prepared-reports/{prepared_id}/again")
    assert refused.status_code == 404
    done = clinician.submit(f"/prepared-reports/{prepared_id}/again")
    assert done.status_code == 302
    page = clinician.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert READY.search(page) and "since this report was prepared" not in page
    assert _rows(app) == [(world.couple_a, "ready", 2, None)]


def _rows_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(PreparedReport.id).order_by(PreparedReport.id)))


def test_a_moved_appointment_marks_the_report_out_of_date_and_prepares_it_again(
    app: Flask, world: World, as_user
) -> None:
    appointment_id = _book_tomorrow(app, world.couple_a)
    _run(app)
    clinician = as_user("a@clinic.test")
    later = _tomorrow_at(16).strftime("%Y-%m-%dT%H:%M")
    moved = clinician.submit(
        f"/appointments/{appointment_id}/edit",
        {"starts_at": later, "duration_minutes": "50", "mode": "in_person"},
    )
    assert moved.status_code == 302
    assert _rows(app) == [(world.couple_a, "queued", 2, "moved")]
    page = clinician.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "report prepared earlier is out of date" in page and "Report ready" not in page

    ran = _run(app)  # the next scheduler run (cron, or a worker) prepares it
    assert ran.prepared == 1
    assert _rows(app) == [(world.couple_a, "ready", 2, None)]


def test_a_session_booked_for_the_next_day_is_prepared_by_the_next_run(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        db.session.execute(PreparedReport.__table__.delete())
        db.session.commit()
    soon = (utcnow() + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    clinician = as_user("a@clinic.test")
    booked = clinician.submit(
        f"/couples/{world.couple_a}/appointments/new",
        {"starts_at": soon, "duration_minutes": "50", "mode": "in_person"},
    )
    assert booked.status_code == 302
    assert _rows(app) == [(world.couple_a, "queued", 1, None)]
    assert "is being prepared" in clinician.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["run-scheduled"])
    assert result.exit_code == 0, result.output
    assert "Reports prepared: 1" in result.output
    assert _rows(app)[0][1] == "ready"

    # Cancelling the session drops its preparation.
    with app.app_context():
        appointment_id = db.session.scalar(
            select(Appointment.id).order_by(Appointment.id.desc()).limit(1)
        )
    assert clinician.submit(f"/appointments/{appointment_id}/cancel").status_code == 302
    assert _rows(app) == []


def test_readyz_says_when_the_scheduler_last_ran(app: Flask, world: World, client) -> None:
    assert client.get("/readyz").get_json()["scheduler"] == {"last_ran": None}
    _run(app, datetime.combine(utcnow().date(), time(6), tzinfo=UTC))
    last = client.get("/readyz").get_json()["scheduler"]["last_ran"]
    assert last and abs(datetime.fromisoformat(last) - utcnow()) < timedelta(minutes=1)


def test_nothing_is_prepared_before_its_hour(app: Flask, world: World) -> None:
    _book_tomorrow(app, world.couple_a)
    ran = _run(app, datetime.combine(utcnow().date(), time(6), tzinfo=UTC))
    assert "prepare_reports" not in ran.tasks and _rows(app) == []


def test_the_demo_has_tomorrows_report_prepared_and_an_online_session(app: Flask, as_user) -> None:
    from practice.demo import CLINICIAN_EMAIL, load_demo, prepare_tomorrow

    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        assert prepare_tomorrow(db.session, app.config["REPORT_DIR"], UTC) >= 1
        online = db.session.scalars(select(Appointment).where(Appointment.mode == "online")).all()
        assert [a.meeting_link for a in online] == ["https://meet.example.org/mend-demo-session"]
        couple_id = online[0].couple_id
    from practice.demo import DEMO_PASSWORD
    from tests.conftest import MendClient

    browser: MendClient = app.test_client()
    browser.submit("/login", {"email": CLINICIAN_EMAIL, "password": DEMO_PASSWORD})
    assert READY.search(browser.get(f"/couples/{couple_id}").get_data(as_text=True))
