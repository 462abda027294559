"""Validated questionnaires are never machine-translated: without a validated translation on
file a Spanish reader sees the English instrument, and the clinician's pages say so. The
private safety check is Mend's own words, so it is translated."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from practice.db import db
from practice.exercises.services import definition_of, in_language, sync_library
from practice.measures.instruments import (
    INSTRUMENTS,
    PHQ9,
    missing_translation_note,
    shown_language,
)
from practice.measures.library import SAFETY_SLUG, measure_slug
from practice.models import Couple, ExerciseTemplate, User
from tests.factories import World, make_assignment

TODAY = date.today()


def _template_id(app: Flask, slug: str) -> int:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
        return db.session.scalar(select(ExerciseTemplate.id).where(ExerciseTemplate.slug == slug))


def _assign(app: Flask, world: World, slug: str) -> int:
    template_id = _template_id(app, slug)
    with app.app_context():
        assignment = make_assignment(
            db.session,
            db.session.get(Couple, world.couple_a),
            db.session.get(ExerciseTemplate, template_id),
            days_ago=0,
            schedule="once",
            due_on=TODAY + timedelta(days=3),
            visibility="clinician",
        )
        db.session.scalar(select(User).where(User.email == "va@client.test")).language = "es"
        db.session.commit()
        return assignment.id


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_no_instrument_has_a_spanish_wording_on_file(key: str) -> None:
    assert shown_language(key, "es") == "en"
    assert shown_language(key, "en") == "en"
    assert missing_translation_note(key, "en") is None
    assert missing_translation_note(key, "es") == (
        "No validated Spanish translation on file; shown in English."
    )


def test_a_spanish_reader_sees_the_english_phq9(app: Flask, world: World, as_user) -> None:
    assignment = _assign(app, world, measure_slug(PHQ9))
    url = f"/tasks/{assignment}/{(TODAY + timedelta(days=3)).isoformat()}"
    page = as_user("va@client.test").get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Little interest or pleasure in doing things" in html
    assert "More than half the days" in html


def test_the_clinicians_page_says_no_validated_translation(
    app: Flask, world: World, as_user
) -> None:
    template_id = _template_id(app, measure_slug(PHQ9))
    html = as_user("a@clinic.test").get(f"/library/{template_id}").get_data(as_text=True)
    assert "No validated Spanish translation on file; shown in English." in html
    assert f"/library/{template_id}/translate/es" not in html
    # Asking for a Spanish preview still shows the published English wording.
    spanish = as_user("a@clinic.test").get(f"/library/{template_id}?lang=es")
    assert "Little interest or pleasure in doing things" in spanish.get_data(as_text=True)


def test_the_safety_check_is_in_spanish_for_a_spanish_reader(
    app: Flask, world: World, as_user
) -> None:
    assignment = _assign(app, world, SAFETY_SLUG)
    url = f"/tasks/{assignment}/{(TODAY + timedelta(days=3)).isoformat()}"
    html = as_user("va@client.test").get(url).get_data(as_text=True)
    assert "¿Alguna vez sientes miedo de tu pareja?" in html
    assert "Do you ever feel afraid of your partner?" not in html
    english = as_user("ia@client.test").get(url).get_data(as_text=True)
    assert "Do you ever feel afraid of your partner?" in english
    with app.app_context():
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == SAFETY_SLUG)
        )
        spanish = in_language(definition_of(template.latest), template, "es")
        assert spanish.safety and spanish.visibility_locked  # the same private check


def test_every_band_and_score_note_has_a_readers_label() -> None:
    from practice.measures.instruments import BAND_LABELS, band_label, score_note

    for instrument in INSTRUMENTS.values():
        for band in instrument.bands:
            assert band.label in BAND_LABELS
            assert band_label(band.label) == band.label  # English: the code itself
        assert score_note(instrument) == instrument.score_note


def test_an_intake_note_is_written_in_the_readers_shared_language(app: Flask, world: World) -> None:
    from practice.measures.intake import _readers_language

    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        assert _readers_language(couple, ("injured", "involved")) == "en"  # none chose
        couple.partner("injured").user.language = "es"
        assert _readers_language(couple, ("injured",)) == "es"
        assert _readers_language(couple, ("injured", "involved")) == "en"  # they differ
        couple.partner("involved").user.language = "es"
        assert _readers_language(couple, ("injured", "involved")) == "es"
