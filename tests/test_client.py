"""The client's home page: their own couple, their next session, nothing clinician-only."""

from __future__ import annotations

from flask import Flask

from practice.db import db
from practice.models import Appointment
from tests.factories import World


def test_home_shows_own_stage_and_next_session(app: Flask, world: World, as_user) -> None:
    html = as_user("ia@client.test").get("/home").get_data(as_text=True)
    assert "Hello, <bdi>Ia</bdi>" in html
    assert "Full accountability" in html  # couple A's stage
    with app.app_context():
        starts = db.session.get(Appointment, world.appointment_a).starts_at
    assert f"{starts.day} {starts:%b %Y, %H:%M}" in html
    assert "Dr A" in html


def test_home_never_shows_the_clinicians_agenda_note_or_another_couple(
    app: Flask, world: World, as_user
) -> None:
    html = as_user("va@client.test").get("/home").get_data(as_text=True)
    assert "agenda note for the clinician only" not in html
    assert "Couple B" not in html and "New boundaries" not in html
    assert "ib@client.test" not in html


def test_home_without_a_booked_session_says_so(app: Flask, world: World, as_user) -> None:
    from practice.models import utcnow

    with app.app_context():
        db.session.get(Appointment, world.appointment_a).cancelled_at = utcnow()
        db.session.commit()
    html = as_user("ia@client.test").get("/home").get_data(as_text=True)
    assert "No session is booked yet." in html


def test_pages_with_clinical_content_are_not_cached(world: World, as_user) -> None:
    response = as_user("ia@client.test").get("/home")
    assert response.headers["Cache-Control"] == "no-store"
