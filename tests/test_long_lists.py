"""Long lists a person has to look through: the partner's Answers and the clinician's library
get excerpts, filters and a search."""

from __future__ import annotations

from flask import Flask

from practice.db import db
from practice.exercises.services import sync_library
from practice.models import Couple
from tests.factories import World, make_assignment, make_response, make_template


def _answers(app: Flask, world: World) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        letters = make_template(
            db.session,
            couple.clinician,
            title="Letters",
            fields=[{"key": "letter", "label": "What I want you to know", "kind": "long_text"}],
        )
        assignment = make_assignment(db.session, couple, letters, days_ago=5)
        make_response(db.session, assignment, "injured", 1, {"letter": "the lighthouse walk"})
        make_response(db.session, assignment, "injured", 2, {"letter": "our kitchen table"})
        make_response(
            db.session, assignment, "involved", 2, {"letter": "PARTNERWORDS"}, visibility="shared"
        )
        make_response(
            db.session, assignment, "involved", 3, {"letter": "SECRETWORDS"}, visibility="clinician"
        )
        db.session.commit()


def test_answers_show_an_excerpt_with_its_question(app: Flask, world: World, as_user) -> None:
    _answers(app, world)
    page = as_user("ia@client.test").get("/answers").get_data(as_text=True)
    assert "What I want you to know" in page
    assert "the lighthouse walk" in page and "PARTNERWORDS" in page
    assert "SECRETWORDS" not in page


def test_answers_can_be_searched_and_filtered(app: Flask, world: World, as_user) -> None:
    _answers(app, world)
    browser = as_user("ia@client.test")
    found = browser.get("/answers?q=LIGHTHOUSE").get_data(as_text=True)
    assert "the lighthouse walk" in found and "our kitchen table" not in found
    # Searching never finds what this partner may not read.
    assert "SECRETWORDS" not in browser.get("/answers?q=secretwords").get_data(as_text=True)
    assert "No answers match" in browser.get("/answers?q=secretwords").get_data(as_text=True)
    theirs = browser.get("/answers?whose=partner").get_data(as_text=True)
    assert "PARTNERWORDS" in theirs and "the lighthouse walk" not in theirs
    mine = browser.get("/answers?whose=mine").get_data(as_text=True)
    assert "PARTNERWORDS" not in mine and "our kitchen table" in mine
    # An unknown filter value is ignored and a long search is cut short, never an error.
    assert browser.get("/answers?whose=x&q=" + "z" * 500).status_code == 200


def test_library_has_excerpts_search_and_a_source_filter(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
    browser = as_user("a@clinic.test")
    page = browser.get("/library/").get_data(as_text=True)
    assert "A short check-in each day helps you both see" in page  # the purpose's start
    found = browser.get("/library/?q=daily+check-in").get_data(as_text=True)
    assert "Daily check-in" in found and "Our weekly honest talk" not in found
    mine = browser.get("/library/?source=mine").get_data(as_text=True)
    assert "Dr A&#39;s reflection" in mine and "Daily check-in" not in mine
    assert "No exercises match" in browser.get("/library/?q=zzzz").get_data(as_text=True)
