"""A clinician's own exercise has one language and can gain a translation; partners read it in
theirs where there is one; only its author may translate it."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from practice.db import db
from practice.exercises.definitions import parse_definition
from practice.exercises.services import copy_template, definition_of, in_language, sync_library
from practice.exercises.translations import translated, translation_gaps
from practice.models import ExerciseTemplate, User
from tests.factories import SIMPLE_EXERCISE, World

PARTNERS = ("va@client.test", "ia@client.test")
SPANISH = {
    "title": "Una reflexión breve",
    "purpose": "Para notar cómo fue esta semana.",
    "instructions": "Tómate unos minutos tranquilos.",
    "answer_1__label": "¿Qué te llamó la atención esta semana?",
    "mood__label": "¿Cómo estás hoy?",
    "mood__min_label": "muy mal",
    "mood__max_label": "muy bien",
}


def _set_language(app: Flask, email: str, language: str) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).language = language
        db.session.commit()


def _template(app: Flask, template_id: int) -> ExerciseTemplate:
    with app.app_context():
        template = db.session.get(ExerciseTemplate, template_id)
        template.versions  # noqa: B018 (load before the session closes)
        return template


def test_an_own_exercise_says_its_language_and_offers_a_translation(
    app: Flask, world: World, as_user
) -> None:
    html = as_user("a@clinic.test").get(f"/library/{world.template_a}").get_data(as_text=True)
    assert "Written in English." in html
    assert "No translation into Spanish yet." in html
    assert f"/library/{world.template_a}/translate/es" in html


def test_a_new_exercise_is_written_in_the_authors_language(
    app: Flask, world: World, as_user
) -> None:
    _set_language(app, "a@clinic.test", "es")
    browser = as_user("a@clinic.test")
    form = browser.get("/library/new").get_data(as_text=True)
    assert 'selected value="es"' in form  # the author's own language, chosen for them
    response = browser.submit(
        "/library/new",
        {
            "language": "es",
            "title": "Mi ejercicio",
            "stage": "3",
            "answered_by": "each",
            "visibility": "shared",
            "recurrence": "",
            "first_label": "¿Qué notaste hoy?",
            "first_kind": "long_text",
        },
    )
    assert response.status_code == 302
    template_id = int(response.headers["Location"].split("/")[2])
    assert _template(app, template_id).language == "es"
    # Its own language is not one it can be translated into.
    assert browser.get(f"/library/{template_id}/translate/es").status_code == 404


def test_a_spanish_translation_is_what_a_spanish_reader_sees(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    page = clinician.get(f"/library/{world.template_a}/translate/es").get_data(as_text=True)
    assert "What stood out this week?" in page  # the original beside each box
    saved = clinician.submit(f"/library/{world.template_a}/translate/es", SPANISH)
    assert saved.status_code == 302
    detail = clinician.get(f"/library/{world.template_a}").get_data(as_text=True)
    assert "Translation into Spanish: complete." in detail
    preview = clinician.get(f"/library/{world.template_a}?lang=es").get_data(as_text=True)
    assert "¿Qué te llamó la atención esta semana?" in preview

    _set_language(app, "va@client.test", "es")
    day = date.today().isoformat()
    spanish = as_user("va@client.test").get(f"/tasks/{world.assignment_a}/{day}")
    assert spanish.status_code == 200
    text = spanish.get_data(as_text=True)
    assert "¿Qué te llamó la atención esta semana?" in text
    assert "What stood out this week?" not in text
    english = as_user("ia@client.test").get(f"/tasks/{world.assignment_a}/{day}")
    assert "What stood out this week?" in english.get_data(as_text=True)
    # Today lists it under its translated title too.
    today = {email: as_user(email).get("/today").get_data(as_text=True) for email in PARTNERS}
    assert "Una reflexión breve" in today["va@client.test"]
    assert "Una reflexión breve" not in today["ia@client.test"]


def test_an_incomplete_translation_is_not_shown(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        template = db.session.get(ExerciseTemplate, world.template_a)
        raw = dict(template.latest.definition)
        raw["translations"] = {"es": {"title": "Una reflexión breve"}}
        definition = parse_definition(raw)
        assert "answer_1.label" in translation_gaps(definition, "es")
        assert translated(definition, "es") is None
        assert in_language(definition, template, "es").title == "Dr A's reflection"


def test_options_must_match_the_original_in_number(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    browser = clinician
    browser.submit(
        f"/library/{world.template_a}/fields/new",
        {"key": "feel", "label": "Pick one", "kind": "single_choice", "options": "Yes\nNo"},
    )
    words = {**SPANISH, "feel__label": "Elige una", "feel__options": "Sí"}
    refused = browser.submit(f"/library/{world.template_a}/translate/es", words)
    assert refused.status_code == 400
    assert "give 2 different options" in refused.get_data(as_text=True)
    words["feel__options"] = "Sí\nNo"
    assert browser.submit(f"/library/{world.template_a}/translate/es", words).status_code == 302
    with app.app_context():
        definition = definition_of(db.session.get(ExerciseTemplate, world.template_a).latest)
        assert translated(definition, "es").field("feel").options == ("Sí", "No")


@pytest.mark.parametrize(
    ("email", "status"),
    [("b@clinic.test", 404), ("ia@client.test", 403)],
)
def test_only_the_author_may_translate(
    app: Flask, world: World, as_user, email: str, status: int
) -> None:
    browser = as_user(email)
    url = f"/library/{world.template_a}/translate/es"
    assert browser.get(url).status_code == status
    assert browser.submit(url, SPANISH).status_code == status
    assert _template(app, world.template_a).latest.definition.get("translations") is None


def test_a_builtin_exercise_is_not_translated_here(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
        builtin = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "daily-check-in")
        )
        builtin_id = builtin.id
    browser = as_user("a@clinic.test")
    assert browser.get(f"/library/{builtin_id}/translate/es").status_code == 403


def test_a_copy_of_a_builtin_exercise_keeps_the_librarys_spanish(app: Flask, world: World) -> None:
    with app.app_context():
        sync_library(db.session)
        builtin = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "feelings-inventory")
        )
        owner = db.session.get(User, world.clinician_a)
        copy = copy_template(db.session, builtin, owner)
        definition = definition_of(copy.latest)
        assert copy.language == "en"
        spanish = in_language(definition, copy, "es")
        assert spanish.title.startswith("Cómo me siento ahora (")  # "(mi copia)" once merged
        assert spanish.field("anger").label == "Enojo"
        assert in_language(definition, copy, "en").title.startswith("How I am feeling right now")


def test_removing_a_translation(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    clinician.submit(f"/library/{world.template_a}/translate/es", SPANISH)
    removed = clinician.submit(f"/library/{world.template_a}/translate/es/remove")
    assert removed.status_code == 302
    assert not _template(app, world.template_a).latest.definition.get("translations")


def test_a_translation_of_a_removed_question_is_dropped() -> None:
    raw = {
        **SIMPLE_EXERCISE,
        "translations": {"es": {"title": "T", "fields": {"gone": {"label": "x"}}}},
    }
    assert parse_definition(raw).translations["es"]["fields"] == {}


def test_the_author_can_correct_the_language_unless_it_has_that_translation(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    form = {
        "title": "Dr A's reflection",
        "stage": "2",
        "answered_by": "each",
        "visibility": "shared",
        "recurrence": "",
    }
    # Sent without the language, the exercise keeps its own.
    assert clinician.submit(f"/library/{world.template_a}/edit", form).status_code == 302
    assert _template(app, world.template_a).language == "en"
    clinician.submit(f"/library/{world.template_a}/translate/es", SPANISH)
    refused = clinician.submit(f"/library/{world.template_a}/edit", {**form, "language": "es"})
    assert refused.status_code == 400
    assert "has a translation into Spanish" in refused.get_data(as_text=True)
    assert _template(app, world.template_a).language == "en"
    clinician.submit(f"/library/{world.template_a}/translate/es/remove")
    changed = clinician.submit(f"/library/{world.template_a}/edit", {**form, "language": "es"})
    assert changed.status_code == 302
    assert _template(app, world.template_a).language == "es"
