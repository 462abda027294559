"""Consent with something to read: an exercise that waits for the injured partner shows its
purpose and questions before they agree, and the agreement can be taken back."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from practice.db import db
from practice.exercises.services import sync_library
from practice.models import Assignment, Couple, ExerciseTemplate
from tests.factories import World, make_assignment


def _pace_agreement(app: Flask, world: World) -> int:
    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "pace-agreement")
        )
        assignment = make_assignment(
            db.session,
            db.session.get(Couple, world.couple_a),
            template,
            days_ago=0,
            schedule="once",
            due_on=date.today(),
        )
        assignment.answered_by = "each"
        assignment.status = "awaiting_consent"
        db.session.commit()
        return assignment.id


def _status(app: Flask, assignment_id: int) -> tuple[str, object]:
    with app.app_context():
        row = db.session.get(Assignment, assignment_id)
        return row.status, row.consent_at


def test_the_consent_card_shows_purpose_and_questions(app: Flask, world: World, as_user) -> None:
    _pace_agreement(app, world)
    page = as_user("ia@client.test").get("/today").get_data(as_text=True)
    card = page.split('id="consent-h"')[1].split("</section>")[0]
    assert "Our pace agreement" in card
    assert "What it's for:</strong> Closeness grows back best slowly" in card
    assert "<li>What pace feels right to me now</li>" in card
    assert "<li>How we can pause kindly</li>" in card
    # The involved partner's own question is not listed as the injured partner's.
    assert "How I will notice and respect my partner&#39;s pace" not in card
    assert "Your partner is also asked 1 question of their own." in card


def test_consent_can_be_withdrawn_and_given_again(app: Flask, world: World, as_user) -> None:
    assignment_id = _pace_agreement(app, world)
    injured = as_user("ia@client.test")
    assert injured.submit(f"/assignments/{assignment_id}/consent").status_code == 302
    assert _status(app, assignment_id)[0] == "active"
    today = injured.get("/today").get_data(as_text=True)
    assert "Exercises you agreed to" in today and "I'd like to stop for now" in today
    taken_back = injured.submit(f"/assignments/{assignment_id}/withdraw-consent")
    assert taken_back.status_code == 302
    assert _status(app, assignment_id) == ("awaiting_consent", None)
    day = date.today().isoformat()
    closed = injured.get(f"/tasks/{assignment_id}/{day}").get_data(as_text=True)
    assert "starts once you have said you are ready" in closed
    again = injured.get("/today").get_data(as_text=True)
    assert "Waiting for you to be ready" in again and "Exercises you agreed to" not in again
    assert injured.submit(f"/assignments/{assignment_id}/consent").status_code == 302
    assert _status(app, assignment_id)[0] == "active"


def test_only_the_injured_partner_can_withdraw(app: Flask, world: World, as_user) -> None:
    assignment_id = _pace_agreement(app, world)
    as_user("ia@client.test").submit(f"/assignments/{assignment_id}/consent")
    involved = as_user("va@client.test")
    assert "Exercises you agreed to" not in involved.get("/today").get_data(as_text=True)
    assert involved.submit(f"/assignments/{assignment_id}/withdraw-consent").status_code == 404
    other = as_user("ib@client.test")
    assert other.submit(f"/assignments/{assignment_id}/withdraw-consent").status_code == 404
    assert _status(app, assignment_id)[0] == "active"


def test_withdrawing_what_was_never_agreed_says_so(app: Flask, world: World, as_user) -> None:
    injured = as_user("ia@client.test")
    page = injured.submit(
        f"/assignments/{world.assignment_a}/withdraw-consent", follow_redirects=True
    ).get_data(as_text=True)
    assert "isn&#39;t one you agreed to start" in page
    assert _status(app, world.assignment_a)[0] == "active"
