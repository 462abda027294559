"""Assigning exercises, pausing and stopping them, completion, and stage plans."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from practice.db import db
from practice.exercises.services import sync_library
from practice.models import Assignment, Couple, ExerciseTemplate
from tests.factories import World, make_response

TODAY = date.today()


def _form(world: World, **changes) -> dict:
    form = {
        "template_id": str(world.template_a),
        "answered_by": "each",
        "visibility": "shared",
        "schedule": "once",
        "start_on": TODAY.isoformat(),
        "due_on": (TODAY + timedelta(days=7)).isoformat(),
        "note": "Take your time with this one.",
    }
    return form | changes


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Assignment))


def test_assigning_once_with_a_due_date(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    response = browser.submit(f"/couples/{world.couple_a}/assign", _form(world))
    assert response.status_code == 302
    assignment_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert (assignment.schedule, assignment.due_on, assignment.status) == (
            "once",
            TODAY + timedelta(days=7),
            "active",
        )
        assert assignment.note == "Take your time with this one."
    page = browser.get(f"/assignments/{assignment_id}").get_data(as_text=True)
    assert "Once, due" in page


def test_assigning_weekly_on_chosen_days(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    form = _form(world, schedule="weekly", weekdays=["0", "3"], due_on="")
    response = browser.submit(f"/couples/{world.couple_a}/assign", form)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Weekly on Monday and Thursday" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"schedule": "daily", "end_on": (TODAY - timedelta(days=1)).isoformat()},
            "The end date is before the start date.",
        ),
        ({"schedule": "weekly"}, "Choose at least one weekday."),
        (
            {"start_on": (TODAY - timedelta(days=2)).isoformat()},
            "The start date has already passed",
        ),
        ({"due_on": ""}, "Please give a due date."),
        ({"answered_by": "together"}, "cannot be answered that way"),
        ({"answered_by": "injured", "visibility": "mutual"}, "Mutual visibility needs each"),
        ({"start_on": "not a date"}, "Not a valid date value"),
    ],
)
def test_bad_assignments_are_refused_plainly(
    app: Flask, world: World, as_user, changes: dict, message: str
) -> None:
    before = _count(app)
    response = as_user("a@clinic.test").submit(
        f"/couples/{world.couple_a}/assign", _form(world, **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app) == before


def test_another_clinicians_template_cannot_be_assigned(app: Flask, world: World, as_user) -> None:
    response = as_user("a@clinic.test").submit(
        f"/couples/{world.couple_a}/assign", _form(world, template_id=str(world.template_b))
    )
    assert response.status_code == 400  # not among the choices
    assert _count(app) == 2


def test_pause_resume_and_stop(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    base = f"/assignments/{world.assignment_a}"
    assert browser.submit(f"{base}/pause", {}).status_code == 302
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assert assignment.status == "paused" and assignment.pauses[0].paused_on == TODAY
    again = browser.submit(f"{base}/pause", {}, follow_redirects=True)
    assert "Only an active assignment can be paused." in again.get_data(as_text=True)
    browser.submit(f"{base}/resume", {})
    browser.submit(f"{base}/stop", {})
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assert assignment.status == "stopped" and assignment.end_on == TODAY
        assert assignment.pauses[0].resumed_on == TODAY
    assert browser.submit(f"{base}/explode", {}).status_code == 404


def test_completion_counts_done_late_and_open(app: Flask, world: World, as_user) -> None:
    # The assignment started 3 days ago (4 occurrences up to today). The world has the injured
    # partner's answer for yesterday; add one late answer for 3 days ago.
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        make_response(db.session, assignment, "injured", days_ago=3)  # sent today: late
        db.session.commit()
    html = as_user("a@clinic.test").get(f"/assignments/{world.assignment_a}").get_data(as_text=True)
    rows = {
        who: cells
        for who, cells in (
            (row.split("</th>")[0], row)
            for row in html.split('<th scope="row" data-label="Who">')[1:]
        )
    }
    injured = rows["Injured partner"]
    assert 'data-label="Done">0<' in injured  # yesterday's answer was sent today: late too
    assert 'data-label="Late">2<' in injured
    assert 'data-label="Open">2<' in injured
    assert 'data-label="Open">4<' in rows["Involved partner"]


def test_moving_stage_offers_the_plan_and_accepting_assigns_it(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
    browser = as_user("a@clinic.test")
    browser.submit(
        f"/couples/{world.couple_a}/stage", {"target": "6", "reason": "Ready to reconnect"}
    )
    page = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "Stage 6 plan is ready" in page
    plan = browser.get(f"/couples/{world.couple_a}/plan").get_data(as_text=True)
    assert "Connection moments" in plan
    entries = [v for v in plan.split('name="entry" value="')[1:]]
    chosen = [e.split('"')[0] for e in entries]
    before = _count(app)
    response = browser.submit(
        f"/couples/{world.couple_a}/plan", {"decision": "accept", "entry": chosen}
    )
    assert response.status_code == 302
    after = _count(app)
    with app.app_context():
        made = db.session.scalars(select(Assignment).where(Assignment.plan_stage == 6)).all()
        assert len(made) == len(chosen) == after - before
        waiting = {a.template.slug for a in made if a.status == "awaiting_consent"}
        assert {"connection-moments", "pace-agreement"} <= waiting
        assert db.session.get(Couple, world.couple_a).plan_offer_stage is None


def test_skipping_the_plan_assigns_nothing(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    browser.submit(f"/couples/{world.couple_a}/stage", {"target": "3", "reason": "Talks"})
    before = _count(app)
    browser.submit(f"/couples/{world.couple_a}/plan", {"decision": "skip"})
    assert _count(app) == before
    with app.app_context():
        assert db.session.get(Couple, world.couple_a).plan_offer_stage is None


def test_consent_is_the_injured_partners_to_give(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.status = "awaiting_consent"
        db.session.commit()
    involved = as_user("va@client.test")
    assert "Waiting for you to be ready" not in involved.get("/today").get_data(as_text=True)
    assert involved.submit(f"/assignments/{world.assignment_a}/consent", {}).status_code == 404
    injured = as_user("ia@client.test")
    assert "Waiting for you to be ready" in injured.get("/today").get_data(as_text=True)
    assert injured.submit(f"/assignments/{world.assignment_a}/consent", {}).status_code == 302
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assert assignment.status == "active" and assignment.consent_at is not None


def test_clinicians_edit_their_own_stage_plans(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
        daily = db.session.scalar(
            select(ExerciseTemplate.id).where(ExerciseTemplate.slug == "daily-check-in")
        )
    browser = as_user("a@clinic.test")
    page = browser.get("/plans/2").get_data(as_text=True)
    assert "Mend's built-in plan" in page
    response = browser.submit(
        "/plans/2",
        {
            "template_id": str(world.template_a),
            "answered_by": "each",
            "schedule": "weekly",
            "weekdays": ["2"],
            "due_in_days": "7",
            "needs_injured_consent": "no",
        },
    )
    assert response.status_code == 302
    page = browser.get("/plans/2").get_data(as_text=True)
    assert "This is your own plan." in page and "Dr A&#39;s reflection" in page
    # Another clinician still has the built-in plan.
    assert "Dr A&#39;s reflection" not in as_user("b@clinic.test").get("/plans/2").get_data(
        as_text=True
    )
    bad = browser.submit(
        "/plans/2",
        {
            "template_id": str(daily),
            "answered_by": "together",
            "schedule": "daily",
            "due_in_days": "7",
            "needs_injured_consent": "no",
        },
    )
    assert bad.status_code == 400 and "cannot be answered that way" in bad.get_data(as_text=True)
    browser.submit("/plans/2/reset", {})
    assert "Mend's built-in plan" in browser.get("/plans/2").get_data(as_text=True)


def test_removing_from_an_own_plan_removes_the_exercise_shown(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
    browser = as_user("a@clinic.test")
    for _ in range(2):  # make the plan the clinician's own, with two extra entries
        browser.submit(
            "/plans/3",
            {
                "template_id": str(world.template_a),
                "answered_by": "each",
                "schedule": "once",
                "due_in_days": "7",
                "needs_injured_consent": "no",
            },
        )
    page = browser.get("/plans/3").get_data(as_text=True)
    titles = [t.split("</strong>")[0] for t in page.split("<li><div><strong>")[1:]]
    browser.submit("/plans/3/remove/0", {})
    after = browser.get("/plans/3").get_data(as_text=True)
    remaining = [t.split("</strong>")[0] for t in after.split("<li><div><strong>")[1:]]
    assert remaining == titles[1:]
