"""Pre-session reports: numbers read back from the PDF, the couple's copy, safety of printing."""

from __future__ import annotations

import io
import socket
import threading
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from practice.analytics.data import Period
from practice.analytics.loading import load_couple_data
from practice.analytics.summary import analyse
from practice.db import db
from practice.exercises.visibility import CLINICIAN
from practice.models import (
    Appointment,
    Assignment,
    BoundaryLog,
    Couple,
    MeasureScore,
    Report,
    Response,
    SafetyCheck,
    utcnow,
)
from practice.reporting.pipeline import report_html
from practice.reporting.printing import print_pdf
from tests.factories import World, make_assignment, make_response, make_template

UTC = ZoneInfo("UTC")
TODAY = date.today()
PERIOD = Period(TODAY - timedelta(days=13), TODAY + timedelta(days=1))
TRUST = [
    {"key": "trust", "label": "Trust today", "kind": "scale", "min": 0, "max": 10, "tracked": True}
]


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _pdf(app: Flask, couple_id: int, audience: str = "clinician", period: Period = PERIOD):
    with app.app_context():
        html = report_html(db.session, couple_id, period, audience, utcnow(), UTC)
    return print_pdf(html)


def _seed_history(app: Flask, world: World, days: int = 14) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, fields=TRUST)
        assignment = make_assignment(db.session, couple, template, days_ago=days)
        for n in range(1, days + 1):
            day = TODAY - timedelta(days=n)
            for partner in couple.partners:
                if partner.role == "involved" and n % 4 == 0:
                    continue
                value = 3 + (days - n) % 5 if partner.role == "injured" else 7
                db.session.add(
                    Response(
                        assignment_id=assignment.id,
                        occurrence_on=day,
                        slot=partner.role,
                        partner_id=partner.id,
                        version_id=template.latest.id,
                        answers={"trust": value},
                        status="submitted",
                        revision=1,
                        visibility="shared",
                        submitted_at=utcnow(),
                    )
                )
                db.session.add(
                    BoundaryLog(
                        boundary_id=world.boundary_a,
                        partner_id=partner.id,
                        period_start=day,
                        status="crossed" if n == 5 else "kept",
                        note="told her that evening" if n == 5 else None,
                    )
                )
        db.session.commit()


def test_the_pdf_says_what_the_analytics_computed(app: Flask, world: World) -> None:
    _seed_history(app, world)
    text = _text(_pdf(app, world.couple_a))
    with app.app_context():
        analysis = analyse(
            load_couple_data(db.session, world.couple_a, PERIOD, TODAY, UTC, CLINICIAN), PERIOD
        )
    trend = analysis.trends[0]
    injured = trend.partners["injured"]
    assert f"{injured.mean:.1f}" in text
    adherence = analysis.adherence[0].partners["injured"]
    assert f"{adherence.rate:.0%}" in text
    assert f"kept {adherence.kept}, crossed {adherence.crossed}" in text
    done, expected, rate = analysis.completion["involved"]
    assert f"involved partner: {done} of {expected} ({rate:.0%})" in text
    for flag in analysis.flags:
        assert flag.title.split(":")[0] in text
    assert "Boundary crossed" in text and "told her that evening" in text
    assert "Couple A" in text and "Confidential" in text and "Page 1 of" in text


def test_a_couple_with_nothing_in_the_period_gets_a_short_clear_report(
    app: Flask, world: World
) -> None:
    empty = Period(TODAY - timedelta(days=400), TODAY - timedelta(days=390))
    pdf = _pdf(app, world.couple_b, period=empty)
    text = _text(pdf)
    assert "Nothing is flagged for this period." in text
    assert "There are no check-ins, boundary reports or answers in this period yet." in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_the_couples_copy_leaves_out_everything_private(app: Flask, world: World) -> None:
    private_words = "PRIVATEWORDS only for the clinician"
    safety_words = "SAFETYWORDS he took my keys"
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        assignment = db.session.get(Assignment, world.assignment_a)
        make_response(
            db.session,
            assignment,
            "involved",
            days_ago=2,
            answers={"answer_1": private_words, "mood": 4},
            visibility="clinician",
        )
        shared = make_response(
            db.session,
            assignment,
            "injured",
            days_ago=3,
            answers={"answer_1": "SHAREDWORDS for both", "mood": 6},
            visibility="shared",
        )
        safety = make_response(
            db.session,
            assignment,
            "injured",
            days_ago=4,
            answers={"answer_1": safety_words, "mood": 1},
        )
        db.session.add(
            SafetyCheck(
                response_id=safety.id,
                couple_id=couple.id,
                partner_id=couple.partner("injured").id,
                role="injured",
                checked_on=TODAY - timedelta(days=1),
                worrying=True,
                worries="afraid",
            )
        )
        db.session.add(
            MeasureScore(
                response_id=shared.id,
                couple_id=couple.id,
                partner_id=couple.partner("injured").id,
                role="injured",
                instrument="phq9",
                administered_on=TODAY - timedelta(days=1),
                total=17,
                band="moderately severe",
                band_rank=3,
                self_harm_item=1,
            )
        )
        db.session.commit()
    couple_copy = _text(_pdf(app, world.couple_a, "couple"))
    clinician_copy = _text(_pdf(app, world.couple_a, "clinician"))
    for secret in (
        "PRIVATEWORDS",
        "Safety concern",
        "self-harm",
        "PHQ-9",
        "moderately severe",
        "agenda note for the clinician only",
        "private to clinician",
    ):
        assert secret not in couple_copy, secret
    assert "SHAREDWORDS" in couple_copy and "couple's copy" in couple_copy
    for shown in (
        "PRIVATEWORDS",
        "private to clinician",
        "Safety concern",
        "PHQ-9",
        "agenda note for the clinician only",
    ):
        assert shown in clinician_copy, shown


def test_printing_fetches_nothing_outside_the_report_designs(tmp_path) -> None:
    hits = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                hits.append(1)
                connection.close()
            except TimeoutError:
                continue

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET FILE CONTENT")
    html = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">
      <link rel="attachment" href="file://{secret}">
      <style>@import url("http://127.0.0.1:{port}/imported.css");
             body {{ background: url("file://{secret}"); }}</style>
      </head><body><h1>Still renders</h1>
      <img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/i.png">
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E">
      </body></html>"""
    try:
        pdf = print_pdf(html)
    finally:
        stop.set()
        thread.join()
        server.close()
    assert hits == []
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert b"TOP SECRET" not in pdf
    assert "Still renders" in reader.pages[0].extract_text()


def test_user_text_is_escaped_in_the_report(app: Flask, world: World) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        make_response(
            db.session,
            assignment,
            "involved",
            days_ago=1,
            answers={"answer_1": '<img src="file:///etc/passwd"> <b>bold</b>'},
        )
        db.session.commit()
        html = report_html(db.session, world.couple_a, PERIOD, "clinician", utcnow(), UTC)
    assert "&lt;img src=" in html and "<b>bold</b>" not in html


@pytest.mark.slow
def test_a_year_of_data_keeps_the_page_count_sane(app: Flask, world: World) -> None:
    _seed_history(app, world, days=365)
    year = Period(TODAY - timedelta(days=364), TODAY + timedelta(days=1))
    pages = len(PdfReader(io.BytesIO(_pdf(app, world.couple_a, period=year))).pages)
    assert pages <= 12


def test_prepare_preview_print_and_reopen(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    assert "Prepare a report for Couple A" in clinician.get(
        f"/couples/{world.couple_a}/report"
    ).get_data(as_text=True)
    preview = clinician.get(f"/couples/{world.couple_a}/report/preview?period=14")
    assert preview.status_code == 200 and "Needs attention" in preview.get_data(as_text=True)
    response = clinician.submit(
        f"/couples/{world.couple_a}/report",
        {"period": "14", "audience": "couple", "paper": "letter"},
    )
    assert response.status_code == 302
    pdf = clinician.get(response.headers["Location"])
    assert pdf.mimetype == "application/pdf" and pdf.headers["Cache-Control"] == "no-store"
    assert "couple's copy" in _text(pdf.data)
    with app.app_context():
        kept = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert (kept.audience, kept.paper, kept.size) == ("couple", "letter", len(pdf.data))
    assert as_user("b@clinic.test").get(response.headers["Location"]).status_code == 404


def test_a_full_report_archive_is_a_clear_error_with_nothing_kept(
    app: Flask, world: World, as_user, tmp_path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive folder should be")
    app.config["REPORT_DIR"] = str(blocker / "archive")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Report))
    page = as_user("a@clinic.test").submit(
        f"/couples/{world.couple_a}/report", {"period": "14"}, follow_redirects=True
    )
    assert "could not be saved" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == before


def test_report_generation_is_rate_limited(app: Flask, world: World, as_user) -> None:
    app.config["REPORTS_PER_MINUTE"] = 1  # the world already holds one report from just now
    response = as_user("a@clinic.test").submit(f"/couples/{world.couple_a}/report", {})
    assert response.status_code == 429


def test_the_batch_without_a_queue_prints_each_couples_report_into_the_folder(
    app: Flask, world: World, tmp_path
) -> None:
    with app.app_context():
        starts = db.session.get(Appointment, world.appointment_a).starts_at
    out = tmp_path / "printed"
    result = app.test_cli_runner().invoke(
        args=["reports", "--for-date", starts.date().isoformat(), "--out-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Made 1 report in" in result.output
    (pdf,) = out.glob("*.pdf")
    assert "Couple-A" in pdf.name
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Couple A" in text
    assert "Couple B" not in text
