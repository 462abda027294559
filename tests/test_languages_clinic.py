"""The clinician's pages in the clinician's language: a clinician who chose Spanish reads the
caseload, the couple page, a session note and the audit trail in Spanish; the note format's own
words come from its data file. The Spanish strings are those of the i21-clinic catalogue part,
so these tests pass once the parts are merged into es/LC_MESSAGES/messages.po."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import update

from practice.db import db
from practice.models import User
from practice.notes.formats import formats
from tests.factories import World

CLINICIAN = "a@clinic.test"
ADMIN = "admin@clinic.test"


def _speaks(app: Flask, email: str, language: str) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(language=language))
        db.session.commit()


@pytest.fixture
def spanish_clinician(app: Flask, world: World, as_user):
    """Clinician A, who chose Spanish in their account, signed in."""
    _speaks(app, CLINICIAN, "es")
    return as_user(CLINICIAN)


def test_the_caseload_is_in_spanish(spanish_clinician) -> None:
    page = spanish_clinician.get("/couples/").get_data(as_text=True)
    assert "Tus casos" in page
    assert "Añadir una pareja" in page
    assert "Próxima cita" in page
    assert "<bdi>Couple A</bdi>" in page  # the label is the clinician's data, isolated


def test_the_couple_page_is_in_spanish(spanish_clinician, world: World) -> None:
    page = spanish_clinician.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    for words in ("Miembros de la pareja", "pareja herida", "Programar una cita", "Exportar"):
        assert words in page
    assert "Partners" not in page


def test_a_note_is_in_spanish_with_its_format_words(spanish_clinician, world: World) -> None:
    page = spanish_clinician.get(f"/notes/{world.note_a}").get_data(as_text=True)
    assert "Puntos del plan" in page
    assert "Guardar borrador" in page
    # The DAP format's own words, from [text.es] in its data file.
    assert formats()["dap"].sections[0].texts["es"]["title"] == "Datos"
    assert "Datos" in page and "DAP (Datos, Evaluación, Plan)" in page
    assert 'dir="auto"' in page  # what the clinician wrote keeps its own direction


def test_the_audit_trail_is_in_spanish(spanish_clinician, world: World, app: Flask, as_user):
    spanish_clinician.get(f"/couples/{world.couple_a}")  # something to show on the trail
    page = spanish_clinician.get(f"/couples/{world.couple_a}/audit").get_data(as_text=True)
    assert "Quién abrió o cambió este historial" in page
    assert "Consultó" in page  # "Viewed", what the clinician did
    _speaks(app, ADMIN, "es")
    page = as_user(ADMIN).get("/admin/audit").get_data(as_text=True)
    assert "Registro de auditoría" in page
    assert "Comprobar si se ha manipulado el registro completo" in page


def test_an_english_clinician_still_reads_english(app: Flask, world: World, as_user) -> None:
    browser = as_user(CLINICIAN)
    page = browser.get(f"/notes/{world.note_a}").get_data(as_text=True)
    assert "Plan items" in page and "DAP (Data, Assessment, Plan)" in page
    assert "Puntos del plan" not in page


def test_every_place_on_the_audit_trail_has_words(app: Flask) -> None:
    """A new route gets its words in practice/audit/words.py (a translator sees them there),
    so the trail never shows a bare endpoint name."""
    from practice.audit.words import PLACES

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert sorted(endpoints - set(PLACES)) == []
