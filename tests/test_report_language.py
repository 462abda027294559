"""The report in a language: the couple's copy in the language the clinician picks (offered
first: the partners' common language), the clinician's copy in the clinician's; dates, numbers,
words and page margins all in that language, read back from the PDF."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from practice.analytics.data import Period
from practice.db import db
from practice.models import Couple, Report, ReportRequest, User, utcnow
from practice.reporting.archive import read
from practice.reporting.language import couple_language, report_language
from practice.reporting.pipeline import report_html
from practice.reporting.printing import print_pdf
from practice.reporting.queued import print_request, request_report
from tests.factories import World
from tests.test_reports import _seed_history

UTC = ZoneInfo("UTC")
TODAY = date.today()
PERIOD = Period(TODAY - timedelta(days=13), TODAY + timedelta(days=1))


def _text(pdf: bytes) -> str:
    """The PDF's text, with runs of white space (line breaks included) as one space."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def _html(app: Flask, couple_id: int, audience: str, language: str | None) -> str:
    with app.app_context():
        return report_html(
            db.session, couple_id, PERIOD, audience, utcnow(), UTC, language=language
        )


def _spanish_day(day: date) -> str:
    return format_date(day, "EEE d MMM y", locale="es")


def _set_languages(app: Flask, couple_id: int, *codes: str) -> None:
    with app.app_context():
        couple = db.session.get(Couple, couple_id)
        for partner, code in zip(sorted(couple.partners, key=lambda p: p.role), codes, strict=True):
            partner.user.language = code
        db.session.commit()


def test_a_spanish_copy_has_its_dates_and_numbers_in_spanish(app: Flask, world: World) -> None:
    _seed_history(app, world)
    html = _html(app, world.couple_a, "couple", "es")
    assert '<html lang="es">' in html
    # Babel's Spanish dates ("jue 3 dic 2026"), whatever the catalogue holds.
    assert _spanish_day(PERIOD.start) in html
    assert _spanish_day(PERIOD.end - timedelta(days=1)) in html
    # Boundary adherence with Spanish spacing ("86 % · ..."), never "86% · ...".
    assert re.search(r"\d\xa0% ·", html)
    assert not re.search(r"\d% ·", html)


def test_english_stays_english(app: Flask, world: World) -> None:
    _seed_history(app, world)
    text = _text(print_pdf(_html(app, world.couple_a, "couple", "en")))
    assert "Things to talk about together" in text
    assert format_date(PERIOD.start, "EEE d MMM y", locale="en") in text
    assert "Page 1 of" in text and "Confidential" in text
    assert "Página" not in text and "Confidencial" not in text


def test_the_couples_copy_printed_in_spanish_reads_spanish(app: Flask, world: World) -> None:
    _seed_history(app, world)
    text = _text(print_pdf(_html(app, world.couple_a, "couple", "es")))
    # Couple A is in stage 2, "Full accountability".
    assert "2. Responsabilidad plena" in text
    assert "Cosas para hablar juntos" in text
    # The crossed boundary, in the couple's words.
    assert "Un límite que costó mantener" in text
    assert "Evolución de los registros" in text and "Cumplimiento de los límites" in text
    assert _spanish_day(PERIOD.start) in text
    assert "Página 1 de" in text and "Confidencial" in text
    for english in ("Things to talk about together", "Stage", "Page 1 of", "Confidential"):
        assert english not in text


def test_the_clinicians_copy_in_spanish_has_spanish_flags(app: Flask, world: World) -> None:
    _seed_history(app, world)
    text = _text(print_pdf(_html(app, world.couple_a, "clinician", "es")))
    assert "Necesita atención" in text
    assert "Límite no respetado" in text and "lo indicó la pareja herida" in text
    assert "Boundary crossed" not in text


def test_the_default_is_the_partners_common_language(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    page = clinician.get(f"/couples/{world.couple_a}/report").get_data(as_text=True)
    # Neither partner chose: the practice's language (English) is offered first.
    assert '<option value="en" lang="en" selected>' in page
    _set_languages(app, world.couple_a, "es", "es")
    page = clinician.get(f"/couples/{world.couple_a}/report").get_data(as_text=True)
    assert '<option value="es" lang="es" selected>' in page
    # Partners who chose different languages: the practice's again.
    _set_languages(app, world.couple_a, "es", "en")
    page = clinician.get(f"/couples/{world.couple_a}/report").get_data(as_text=True)
    assert '<option value="en" lang="en" selected>' in page


def test_one_partner_choosing_is_not_a_common_language(app: Flask, world: World) -> None:
    _set_languages(app, world.couple_a, "es", "")
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        assert couple_language(couple) == "en"
        # The clinician's copy follows the clinician; the couple's copy the choice.
        assert report_language(couple, "couple", "es") == "es"
        assert report_language(couple, "couple", "xx") == "en"
        couple.clinician.language = "es"
        assert report_language(couple, "clinician", "en") == "es"


def test_the_couples_copy_prints_in_the_language_picked(app: Flask, world: World, as_user) -> None:
    _seed_history(app, world)
    clinician = as_user("a@clinic.test")
    response = clinician.submit(
        f"/couples/{world.couple_a}/report",
        {"period": "14", "audience": "couple", "paper": "A4", "language": "es"},
    )
    assert response.status_code == 302
    pdf = clinician.get(response.headers["Location"]).data
    text = _text(pdf)
    assert _spanish_day(TODAY) in text


def test_the_preview_follows_the_language_picked(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    page = clinician.get(
        f"/couples/{world.couple_a}/report/preview?audience=couple&period=14&language=es"
    ).get_data(as_text=True)
    assert '<html lang="es">' in page
    # The clinician's own copy is in the clinician's language, whatever the couple's choice.
    page = clinician.get(
        f"/couples/{world.couple_a}/report/preview?audience=clinician&period=14&language=es"
    ).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_a_queued_request_keeps_its_language_for_the_worker(app: Flask, world: World) -> None:
    _seed_history(app, world)
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        wanted = request_report(
            db.session, couple.id, couple.clinician_id, PERIOD, "couple", "A4", language="es"
        )
        db.session.commit()
        assert print_request(db.session, wanted.id, app.config["REPORT_DIR"]) == "ready"
        wanted = db.session.get(ReportRequest, wanted.id)
        assert wanted.language == "es"
        report = db.session.get(Report, wanted.report_id)
        text = _text(read(app.config["REPORT_DIR"], report))
    assert _spanish_day(PERIOD.start) in text


def test_a_request_from_before_languages_prints_in_the_clinicians(app: Flask, world: World) -> None:
    with app.app_context():
        clinician = db.session.scalar(select(User).where(User.email == "a@clinic.test"))
        clinician.language = "es"
        couple = db.session.get(Couple, world.couple_a)
        wanted = request_report(db.session, couple.id, clinician.id, PERIOD, "clinician", "A4")
        db.session.commit()
        assert wanted.language == ""
        assert print_request(db.session, wanted.id, app.config["REPORT_DIR"]) == "ready"
        report = db.session.get(Report, db.session.get(ReportRequest, wanted.id).report_id)
        text = _text(read(app.config["REPORT_DIR"], report))
    assert _spanish_day(PERIOD.start) in text


def _answer_the_builtin_check_in(app: Flask, couple_id: int, days: int = 5) -> None:
    from practice.exercises.services import sync_library
    from practice.models import ExerciseTemplate, Response
    from tests.factories import make_assignment

    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(
                ExerciseTemplate.slug == "daily-check-in", ExerciseTemplate.owner_id.is_(None)
            )
        )
        couple = db.session.get(Couple, couple_id)
        assignment = make_assignment(db.session, couple, template, days_ago=days)
        for n in range(1, days + 1):
            for partner in couple.partners:
                db.session.add(
                    Response(
                        assignment_id=assignment.id,
                        occurrence_on=TODAY - timedelta(days=n),
                        slot=partner.role,
                        partner_id=partner.id,
                        version_id=template.latest.id,
                        answers={"trust": 6},
                        status="submitted",
                        revision=1,
                        visibility="shared",
                        submitted_at=utcnow(),
                    )
                )
        db.session.commit()


def test_built_in_exercises_are_named_in_the_reports_language(app: Flask, world: World) -> None:
    _answer_the_builtin_check_in(app, world.couple_a)
    spanish = _html(app, world.couple_a, "couple", "es")
    # The library's own Spanish (practice/exercises/builtin/*.toml): the scale and the title.
    assert "Confianza hoy" in spanish and "Cómo estamos hoy" in spanish
    assert "Trust today" not in spanish and "Daily check-in" not in spanish
    english = _html(app, world.couple_a, "couple", "en")
    assert "Trust today" in english and "Daily check-in" in english


def test_dates_and_numbers_follow_the_language(app: Flask) -> None:
    from datetime import datetime

    from flask_babel import force_locale

    from practice.numfmt import decimal, percent, signed
    from practice.timefmt import format_date, format_datetime, format_time

    moment = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
    with app.app_context():
        # English as Mend always wrote it.
        assert format_datetime(moment, UTC) == "Thu 3 Dec 2026, 14:30"
        assert format_date(moment, UTC) == "3 Dec 2026"
        assert (signed(1.25), signed(-0.04), decimal(4.25), percent(0.625)) == (
            "+1.2",
            "0.0",
            "4.2",
            "62%",
        )
        with force_locale("es"):
            assert format_datetime(moment, UTC) == "jue 3 dic 2026, 14:30"
            assert format_date(moment, UTC) == "3 dic 2026"
            assert format_time(moment, ZoneInfo("Europe/Madrid")) == "15:30"
            assert (signed(1.25), signed(-0.04), decimal(4.25), percent(0.625)) == (
                "+1,2",
                "0,0",
                "4,2",
                "62\xa0%",
            )
    # Without an app (a plain function call): English.
    assert format_datetime(moment, UTC) == "Thu 3 Dec 2026, 14:30"
