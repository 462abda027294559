"""Clinicians read their couples' answers: timeline, filters, review and private comments."""

from __future__ import annotations

from flask import Flask

from practice.db import db
from practice.models import Assignment, Response
from tests.factories import World, make_response


def test_timeline_shows_answers_newest_first_with_new_ones_marked(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        make_response(
            db.session,
            assignment,
            "involved",
            days_ago=2,
            answers={"answer_1": "the involved partner's week", "mood": 7},
            visibility="shared",
        )
        db.session.commit()
    html = (
        as_user("a@clinic.test").get(f"/couples/{world.couple_a}/responses").get_data(as_text=True)
    )
    assert "private words of the injured partner" in html
    assert "the involved partner&#39;s week" in html
    assert html.count('<span class="badge">New</span>') == 2
    assert "private to you" in html  # the injured partner kept theirs for the clinician
    assert "Couple B" not in html and "private words of the injured partner" in html


def test_filters_by_partner_stage_and_exercise(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        make_response(
            db.session,
            assignment,
            "involved",
            days_ago=2,
            answers={"answer_1": "involved words", "mood": 7},
        )
        db.session.commit()
    browser = as_user("a@clinic.test")
    base = f"/couples/{world.couple_a}/responses"
    injured_only = browser.get(f"{base}?partner=injured").get_data(as_text=True)
    assert "private words of the injured partner" in injured_only
    assert "involved words" not in injured_only
    assert "No answers match." in browser.get(f"{base}?stage=5").get_data(as_text=True)
    by_exercise = browser.get(f"{base}?exercise={world.template_a}").get_data(as_text=True)
    assert "involved words" in by_exercise


def test_review_and_private_comment_stay_with_the_clinician(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    response = clinician.submit(
        f"/responses/{world.response_a}",
        {"reviewed": "y", "comment": "Talk about the walk; she seems steadier."},
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Response, world.response_a)
        assert row.reviewed_at is not None and row.reviewed_by_id == world.clinician_a
    timeline = clinician.get(f"/couples/{world.couple_a}/responses?new=1").get_data(as_text=True)
    assert "private words of the injured partner" not in timeline  # reviewed: no longer new
    # The author sees their own answer, never the clinician's comment.
    author = as_user("ia@client.test").get(f"/answers/{world.response_a}").get_data(as_text=True)
    assert "private words of the injured partner" in author
    assert "she seems steadier" not in author
    too_long = clinician.submit(f"/responses/{world.response_a}", {"comment": "x" * 10001})
    assert too_long.status_code == 400


def test_an_answer_renders_against_the_version_it_answered(
    app: Flask, world: World, as_user
) -> None:
    html = as_user("a@clinic.test").get(f"/responses/{world.response_a}").get_data(as_text=True)
    assert "What stood out this week?" in html
    assert "5 on a scale from 0 (very low) to 10 (very good)" in html
