"""The language Mend speaks: the person's choice, else their browser's, else the practice's."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from sqlalchemy import select

from practice import create_app
from practice.config import ConfigError
from practice.db import db
from practice.i18n import CATALOGUES, compile_catalogues, lazy_gettext
from practice.models import User
from tests.factories import World

SPANISH_FOOTER = "Nunca rastrea tu ubicación; de tus dispositivos solo guarda un nombre"
ENGLISH_FOOTER = "It never tracks your location; of your devices it keeps only a name"


def test_the_browser_language_is_used(app: Flask) -> None:
    page = app.test_client().get("/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
    html = page.get_data(as_text=True)
    assert SPANISH_FOOTER in html and '<html lang="es">' in html
    page = app.test_client().get("/login", headers={"Accept-Language": "fr,en;q=0.5"})
    assert ENGLISH_FOOTER in page.get_data(as_text=True)


def test_the_practice_default_is_used_when_the_browser_asks_for_nothing_mend_speaks(
    app: Flask,
) -> None:
    app.config["LOCALE"] = "es"
    app.config["BABEL_DEFAULT_LOCALE"] = "es"
    page = app.test_client().get("/login", headers={"Accept-Language": "de"})
    assert SPANISH_FOOTER in page.get_data(as_text=True)


def test_an_unknown_practice_language_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PRACTICE_LOCALE"):
        create_app(
            {
                "ENV": "testing",
                "SECRET_KEY": "x" * 40,
                "DATABASE_URL": "sqlite://",
                "INSTANCE_PATH": str(tmp_path),
                "LOCALE": "klingon",
            }
        )


def test_a_persons_choice_outranks_their_browser(app: Flask, world: World, as_user) -> None:
    partner = as_user("ia@client.test")
    spanish = {"Accept-Language": "es"}
    assert SPANISH_FOOTER in partner.get("/today", headers=spanish).get_data(as_text=True)
    chosen = partner.submit("/language", {"language": "en", "next": "/today"})
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/today"
    with app.app_context():
        assert (
            db.session.scalar(select(User.language).where(User.email == "ia@client.test")) == "en"
        )
    assert ENGLISH_FOOTER in partner.get("/today", headers=spanish).get_data(as_text=True)
    # The other partner keeps their own language.
    other = as_user("va@client.test")
    assert SPANISH_FOOTER in other.get("/today", headers=spanish).get_data(as_text=True)
    # Back to the browser's.
    partner.submit("/language", {"language": ""})
    assert SPANISH_FOOTER in partner.get("/today", headers=spanish).get_data(as_text=True)


def test_a_signed_out_choice_is_kept_for_the_visit_and_next_stays_on_site(app: Flask) -> None:
    browser = app.test_client()
    browser.get("/language")
    chosen = browser.submit("/language", {"language": "es", "next": "//evil.example/x"})
    assert chosen.status_code == 302 and "evil" not in chosen.headers["Location"]
    assert SPANISH_FOOTER in browser.get("/login").get_data(as_text=True)
    refused = browser.submit("/language", {"language": "xx"})
    assert refused.status_code == 400


def test_catalogues_are_compiled_when_changed(tmp_path: Path) -> None:
    compile_catalogues(tmp_path)
    mo = tmp_path / "es" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists() and mo.stat().st_size > 100
    first = mo.stat().st_mtime
    time.sleep(0.01)
    compile_catalogues(tmp_path)
    assert mo.stat().st_mtime == first  # unchanged catalogue: not compiled again
    po = CATALOGUES / "es" / "LC_MESSAGES" / "messages.po"
    stale = po.stat().st_mtime - 10
    os.utime(mo, (stale, stale))  # older than its .po now
    compile_catalogues(tmp_path)
    assert mo.stat().st_mtime > stale


def test_a_built_in_exercise_reads_in_each_partners_language(
    app: Flask, world: World, as_user
) -> None:
    from datetime import date

    from practice.exercises.library import library
    from practice.exercises.services import sync_library
    from practice.models import Couple, ExerciseTemplate
    from tests.factories import make_assignment

    spanish = next(e for e in library("es") if e["slug"] == "daily-check-in")
    english = next(e for e in library("en") if e["slug"] == "daily-check-in")
    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "daily-check-in")
        )
        assignment = make_assignment(db.session, db.session.get(Couple, world.couple_a), template)
        db.session.commit()
        assignment_id = assignment.id
    es = {"Accept-Language": "es"}
    reader = as_user("ia@client.test")
    today = reader.get("/today", headers=es).get_data(as_text=True)
    assert spanish["title"] in today
    assert "Dr A&#39;s reflection" in today or "Dr A's reflection" in today  # their own words
    sheet = reader.get(f"/tasks/{assignment_id}/{date.today().isoformat()}", headers=es)
    page = sheet.get_data(as_text=True)
    assert spanish["fields"][0]["label"] in page and english["fields"][0]["label"] not in page
    other = as_user("va@client.test").get("/today").get_data(as_text=True)
    assert english["title"] in other and spanish["title"] not in other


def test_a_lazy_translation_is_escaped_like_any_text(app: Flask) -> None:
    """A translation holding '<' or '&' shows as text; it cannot add markup to a page."""
    with app.test_request_context():
        shown = render_template_string("{{ words }}", words=lazy_gettext("Scores < 5 & rising"))
    assert shown == "Scores &lt; 5 &amp; rising"


def test_a_spanish_clinician_reads_built_in_titles_in_spanish(
    app: Flask, world: World, as_user
) -> None:
    """The couple page, the assignment page and the answers timeline name a built-in
    exercise in the clinician's language; an English clinician reads the English title."""
    from practice.exercises.library import library
    from practice.exercises.services import sync_library
    from practice.models import Couple, ExerciseTemplate
    from tests.factories import make_assignment

    spanish = next(e for e in library("es") if e["slug"] == "daily-check-in")["title"]
    english = next(e for e in library("en") if e["slug"] == "daily-check-in")["title"]
    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "daily-check-in")
        )
        assignment = make_assignment(db.session, db.session.get(Couple, world.couple_a), template)
        db.session.commit()
        assignment_id = assignment.id
    clinician = as_user("a@clinic.test")
    es = {"Accept-Language": "es"}
    for url in (f"/couples/{world.couple_a}", f"/assignments/{assignment_id}"):
        page = clinician.get(url, headers=es).get_data(as_text=True)
        assert spanish in page and english not in page, url
        assert english in clinician.get(url).get_data(as_text=True), url
