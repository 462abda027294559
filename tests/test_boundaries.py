"""Boundaries over HTTP: proposing, accepting, logging (with its rules), revising, and flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from practice.db import db
from practice.models import Boundary, BoundaryLog, BoundaryLogEdit, Couple, utcnow
from tests.factories import World, make_boundary

TODAY = date.today()


def _logs(app: Flask, boundary_id: int) -> list[BoundaryLog]:
    with app.app_context():
        return db.session.scalars(
            select(BoundaryLog).where(BoundaryLog.boundary_id == boundary_id)
        ).all()


def test_a_partner_proposes_and_the_other_accepts(app: Flask, world: World, as_user) -> None:
    injured, involved = as_user("ia@client.test"), as_user("va@client.test")
    response = injured.submit(
        "/boundaries",
        {
            "text": "Tell me before meeting colleagues after work.",
            "consequence": "We talk about it that evening.",
            "check_period": "weekly",
            "review_on": (TODAY + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        boundary = db.session.scalars(select(Boundary).order_by(Boundary.id.desc())).first()
        assert boundary.status == "proposed" and boundary.injured_accepted_at is not None
        new_id = boundary.id
    page = involved.get("/boundaries").get_data(as_text=True)
    assert "Tell me before meeting colleagues after work." in page and "I accept" in page
    involved.submit(f"/boundaries/{new_id}/respond", {"answer": "accept"})
    with app.app_context():
        boundary = db.session.get(Boundary, new_id)
        assert boundary.status == "active" and boundary.activated_at is not None
        assert boundary.revisions[-1].agreed_by == "accepted by both partners"


def test_asking_to_talk_it_through_keeps_it_proposed(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        proposed = make_boundary(
            db.session, db.session.get(Couple, world.couple_a), "No late texts", status="proposed"
        ).id
        db.session.commit()
    as_user("va@client.test").submit(f"/boundaries/{proposed}/respond", {"answer": "discuss"})
    with app.app_context():
        boundary = db.session.get(Boundary, proposed)
        assert boundary.status == "proposed" and boundary.discuss_requested_at is not None
    page = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/boundaries")
    assert "asked to talk about it in session" in page.get_data(as_text=True)


def test_bad_proposals_are_explained(app: Flask, world: World, as_user) -> None:
    response = as_user("ia@client.test").submit(
        "/boundaries", {"text": "", "check_period": "daily"}
    )
    assert response.status_code == 400
    assert "Please say what is agreed." in response.get_data(as_text=True)
    past = as_user("ia@client.test").submit(
        "/boundaries", {"text": "x", "check_period": "daily", "review_on": "2020-01-01"}
    )
    assert "The review date has already passed." in past.get_data(as_text=True)


def test_one_tap_logging_and_editing_within_48_hours(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    url = f"/boundaries/{world.boundary_a}/log"
    assert browser.submit(url, {"day": TODAY.isoformat(), "status": "kept"}).status_code == 302
    # A double tap changes nothing; a different answer is an edit that leaves a trace.
    browser.submit(url, {"day": TODAY.isoformat(), "status": "kept"})
    browser.submit(url, {"day": TODAY.isoformat(), "status": "crossed", "note": "I replied."})
    (entry,) = _logs(app, world.boundary_a)
    assert entry.status == "crossed" and entry.note == "I replied."
    with app.app_context():
        edits = db.session.scalars(select(BoundaryLogEdit)).all()
        assert [(e.old_status, e.old_note) for e in edits] == [("kept", None)]
    page = browser.get("/boundaries").get_data(as_text=True)
    assert "You noted: <strong>crossed</strong>" in page


def test_both_partners_reports_are_kept_side_by_side(app: Flask, world: World, as_user) -> None:
    url = f"/boundaries/{world.boundary_a}/log"
    as_user("va@client.test").submit(url, {"day": TODAY.isoformat(), "status": "kept"})
    as_user("ia@client.test").submit(url, {"day": TODAY.isoformat(), "status": "crossed"})
    statuses = sorted(e.status for e in _logs(app, world.boundary_a))
    assert statuses == ["crossed", "kept"]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"day": (TODAY + timedelta(days=1)).isoformat(), "status": "kept"}, "hasn&#39;t happened"),
        ({"day": (TODAY - timedelta(days=8)).isoformat(), "status": "kept"}, "up to 7 days back"),
        ({"day": TODAY.isoformat(), "status": "maybe"}, "Choose kept, crossed"),
        ({"day": "yesterday", "status": "kept"}, "Please choose a day."),
    ],
)
def test_bad_logs_are_refused_plainly(
    app: Flask, world: World, as_user, form: dict, message: str
) -> None:
    response = as_user("va@client.test").submit(
        f"/boundaries/{world.boundary_a}/log", form, follow_redirects=True
    )
    assert message in response.get_data(as_text=True)
    assert _logs(app, world.boundary_a) == []


def test_backfilling_a_week_is_allowed(app: Flask, world: World, as_user) -> None:
    day = TODAY - timedelta(days=7)
    as_user("va@client.test").submit(
        f"/boundaries/{world.boundary_a}/log", {"day": day.isoformat(), "status": "kept"}
    )
    (entry,) = _logs(app, world.boundary_a)
    assert entry.period_start == day


def test_inactive_boundaries_cannot_be_logged(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        db.session.get(Boundary, world.boundary_a).status = "paused"
        db.session.commit()
    response = as_user("va@client.test").submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": TODAY.isoformat(), "status": "kept"},
        follow_redirects=True,
    )
    assert "is not active" in response.get_data(as_text=True)
    assert _logs(app, world.boundary_a) == []


def test_old_reports_cannot_be_changed(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    day = TODAY - timedelta(days=3)
    browser.submit(
        f"/boundaries/{world.boundary_a}/log", {"day": day.isoformat(), "status": "kept"}
    )
    with app.app_context():
        entry = db.session.scalar(select(BoundaryLog))
        entry.created_at = utcnow() - timedelta(hours=49)
        db.session.commit()
    response = browser.submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": day.isoformat(), "status": "crossed"},
        follow_redirects=True,
    )
    assert "more than 48 hours old" in response.get_data(as_text=True)
    assert _logs(app, world.boundary_a)[0].status == "kept"


def test_weekly_boundaries_are_logged_per_week(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        weekly = make_boundary(
            db.session,
            db.session.get(Couple, world.couple_a),
            "Date night",
            check_period="weekly",
            days_ago=20,
        ).id
        db.session.commit()
    browser = as_user("ia@client.test")
    browser.submit(f"/boundaries/{weekly}/log", {"day": TODAY.isoformat(), "status": "kept"})
    (entry,) = _logs(app, weekly)
    assert entry.period_start == TODAY - timedelta(days=TODAY.weekday())


def test_the_clinician_revises_with_history_pauses_and_retires(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    response = clinician.submit(
        f"/boundaries/{world.boundary_a}/revise",
        {
            "text": "No contact, except the Tuesday work meeting, with a colleague there.",
            "consequence": "Tell each other the same day.",
            "check_period": "daily",
            "summary": "Eased as trust grows: the work meeting is now fine.",
            "agreed_in_session": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        boundary = db.session.get(Boundary, world.boundary_a)
        assert [r.number for r in boundary.revisions] == [1, 2]
        assert boundary.revisions[0].text == "No contact with the other person."
        assert boundary.revisions[1].agreed_by == "both partners, in session"
    history = (
        as_user("ia@client.test").get(f"/boundaries/{world.boundary_a}").get_data(as_text=True)
    )
    assert "Eased as trust grows" in history and "No contact with the other person." in history
    clinician.submit(f"/boundaries/{world.boundary_a}/status", {"action": "pause"})
    clinician.submit(f"/boundaries/{world.boundary_a}/status", {"action": "retire"})
    with app.app_context():
        assert db.session.get(Boundary, world.boundary_a).status == "retired"
    again = clinician.submit(
        f"/boundaries/{world.boundary_a}/revise",
        {"text": "x", "check_period": "daily", "summary": "y"},
    )
    assert again.status_code == 400 and "retired" in again.get_data(as_text=True)


def test_a_crossing_shows_on_the_dashboard_at_once(app: Flask, world: World, as_user) -> None:
    as_user("va@client.test").submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": TODAY.isoformat(), "status": "crossed", "note": "I answered a message."},
    )
    page = (
        as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights").get_data(as_text=True)
    )
    attention = page.split('id="flags-h"')[1].split("</section>")[0]
    assert "Boundary crossed: No contact with the other person." in attention
    assert "reported by the involved partner (I answered a message.)" in attention
    caseload = as_user("a@clinic.test").get("/couples/").get_data(as_text=True)
    assert "1 crossing" in caseload


def test_the_proposal_worksheet_turns_answers_into_proposed_boundaries(
    app: Flask, world: World, as_user
) -> None:
    from practice.exercises.services import sync_library
    from practice.models import ExerciseTemplate
    from tests.factories import make_assignment

    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "boundary-proposal")
        )
        assignment = make_assignment(
            db.session,
            db.session.get(Couple, world.couple_a),
            template,
            days_ago=0,
            schedule="once",
            due_on=TODAY + timedelta(days=3),
            visibility="mutual",
        ).id
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(Boundary))
    url = f"/tasks/{assignment}/{(TODAY + timedelta(days=3)).isoformat()}"
    response = as_user("ia@client.test").submit(
        url,
        {
            "f_boundary_1": "No contact with her, in any form.",
            "f_consequence_1": "Tell me.",
            "f_check_1": "Daily",
            "f_boundary_2": "Share the week's plans on Sundays.",
            "f_check_2": "Weekly",
            "action": "submit",
            "revision": "0",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        made = db.session.scalars(select(Boundary).order_by(Boundary.id.desc()).limit(2)).all()
        assert db.session.scalar(select(func.count()).select_from(Boundary)) == before + 2
        assert {(b.text, b.check_period, b.status) for b in made} == {
            ("No contact with her, in any form.", "daily", "proposed"),
            ("Share the week's plans on Sundays.", "weekly", "proposed"),
        }


def test_a_bad_day_on_the_boundaries_page_falls_back_to_today(world: World, as_user) -> None:
    response = as_user("ia@client.test").get("/boundaries?day=not-a-day")
    assert response.status_code == 200


def test_the_page_shows_each_boundarys_log_for_the_days_period(
    app: Flask, world: World, as_user
) -> None:
    """A daily boundary shows the day's log, a weekly one its week's; another day's or the
    other partner's log does not show; every boundary is listed once."""
    # A Monday in the backfill window and the Tuesday after it (on or before today).
    monday = TODAY - timedelta(days=TODAY.weekday() or 7)
    day = monday + timedelta(days=1)
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        weekly = make_boundary(db.session, couple, "Date night", check_period="weekly", days_ago=20)
        make_boundary(db.session, couple, "Phones away at dinner", status="proposed")
        db.session.commit()
        weekly_id = weekly.id
    injured, involved = as_user("ia@client.test"), as_user("va@client.test")
    daily_url, weekly_url = f"/boundaries/{world.boundary_a}/log", f"/boundaries/{weekly_id}/log"
    injured.submit(
        daily_url, {"day": monday.isoformat(), "status": "crossed", "note": "MONDAYWORDS"}
    )
    injured.submit(daily_url, {"day": day.isoformat(), "status": "kept", "note": "TUESDAYWORDS"})
    injured.submit(weekly_url, {"day": monday.isoformat(), "status": "na", "note": "WEEKWORDS"})
    involved.submit(daily_url, {"day": day.isoformat(), "status": "crossed", "note": "OTHERWORDS"})
    page = injured.get(f"/boundaries?day={day.isoformat()}").get_data(as_text=True)
    assert "TUESDAYWORDS" in page and "WEEKWORDS" in page
    assert "MONDAYWORDS" not in page and "OTHERWORDS" not in page
    assert page.count("Date night") == 2  # its line and its tap group's label
    assert page.count("Phones away at dinner") == 1
    on_monday = injured.get(f"/boundaries?day={monday.isoformat()}").get_data(as_text=True)
    assert (
        "MONDAYWORDS" in on_monday and "WEEKWORDS" in on_monday and "TUESDAYWORDS" not in on_monday
    )
