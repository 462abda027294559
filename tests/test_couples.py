"""The caseload, adding couples, moving stages and changing status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from practice.db import db
from practice.mail import outbox
from practice.models import (
    AccountToken,
    Assignment,
    Couple,
    Partner,
    Response,
    StageChange,
    User,
    utcnow,
)
from practice.stages import STAGES
from tests.factories import (
    World,
    make_appointment,
    make_assignment,
    make_couple,
    make_response,
    make_template,
    make_user,
)

NEW_COUPLE = {
    "label": "Couple New",
    "started_on": "2026-11-01",
    "stage": "1",
    "injured_name": "Robin Injured",
    "injured_email": "robin@example.com",
    "involved_name": "Alex Involved",
    "involved_email": "alex@example.com",
}


def _counts(app: Flask) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Couple, Partner, User, StageChange)
        )


def test_dashboard_lists_only_own_couples_with_next_appointment(
    app: Flask, world: World, as_user
) -> None:
    html = as_user("a@clinic.test").get("/couples/").get_data(as_text=True)
    assert "Couple A" in html
    assert "Couple B" not in html
    assert "Full accountability" in html  # couple A is in stage 2
    assert "None scheduled" not in html  # its appointment in 3 days is shown


def test_dashboard_puts_paused_and_closed_after_active(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        clinician = db.session.get(User, world.clinician_a)
        closed = make_couple(
            db.session, clinician, "Aaa Closed", "c1@client.test", "c2@client.test"
        )
        closed.status = "closed"
        soon = make_couple(db.session, clinician, "Zed Soon", "z1@client.test", "z2@client.test")
        make_appointment(db.session, soon, 1)
        db.session.commit()
    html = as_user("a@clinic.test").get("/couples/").get_data(as_text=True)
    assert html.index("Zed Soon") < html.index("Couple A") < html.index("Aaa Closed")


def test_empty_caseload_invites_adding_a_couple(app: Flask, as_user) -> None:
    with app.app_context():
        make_user(db.session, "new@clinic.test", "clinician")
        db.session.commit()
    html = as_user("new@clinic.test").get("/couples/").get_data(as_text=True)
    assert "No couples yet" in html


def test_adding_a_couple_creates_partners_history_and_invitations(
    app: Flask, world: World, as_user
) -> None:
    before = _counts(app)
    response = as_user("a@clinic.test").submit("/couples/new", NEW_COUPLE)
    assert response.status_code == 302
    assert _counts(app) == (before[0] + 1, before[1] + 2, before[2] + 2, before[3] + 1)
    with app.app_context():
        couple = db.session.scalar(select(Couple).where(Couple.label == "Couple New"))
        assert couple.clinician_id == world.clinician_a
        assert {p.role: p.user.email for p in couple.partners} == {
            "injured": "robin@example.com",
            "involved": "alex@example.com",
        }
        assert all(
            p.user.password_hash is None and p.user.role == "client" for p in couple.partners
        )
    sent = {m.to for m in outbox(app)}
    assert sent == {"robin@example.com", "alex@example.com"}
    assert all("/welcome/" in m.body for m in outbox(app))


def test_couple_page_says_who_has_joined_and_whose_invitation_waits(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    location = browser.submit("/couples/new", NEW_COUPLE).headers["Location"]
    page = browser.get(location).get_data(as_text=True)
    assert page.count("Invitation sent; the link works until") == 2
    assert page.count("Send a new invitation") == 2
    assert page.index("robin@example.com") < page.index("alex@example.com")  # injured first
    with app.app_context():
        for token in db.session.scalars(select(AccountToken)):
            token.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    page = browser.get(location).get_data(as_text=True)
    assert page.count("Invitation expired or not sent.") == 2
    as_user("ia@client.test")  # the injured partner of Couple A signs in; the other has not
    page = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "Joined · last signed in" in page and "Joined · not signed in yet" in page
    assert "Send a new invitation" not in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"involved_email": "robin@example.com"}, "Each partner needs their own email address."),
        ({"injured_email": "Taken@Example.com"}, "taken@example.com already has a Mend account."),
        ({"label": "Couple A"}, "You already have a couple called"),
        ({"injured_email": "not-an-email"}, "Invalid email address."),
        ({"label": ""}, "This field is required."),
        ({"stage": "9"}, "Please choose a stage from 1 to 7."),
        ({"started_on": "31/02/2026"}, "Not a valid date value."),
        ({"label": "x" * 81}, "Field cannot be longer than 80 characters."),
    ],
)
def test_bad_new_couple_input_is_explained_and_nothing_is_written(
    app: Flask, world: World, as_user, change: dict, message: str
) -> None:
    with app.app_context():
        make_user(db.session, "taken@example.com", "client")
        db.session.commit()
    before = _counts(app)
    response = as_user("a@clinic.test").submit("/couples/new", NEW_COUPLE | change)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message.replace("'", "&#39;") in html
    assert 'value="Robin Injured"' in html  # what was typed is still there
    assert _counts(app) == before
    assert outbox(app) == []


def test_database_refuses_a_second_injured_partner(app: Flask, world: World) -> None:
    with app.app_context():
        user = make_user(db.session, "third@client.test", "client")
        db.session.add(Partner(couple_id=world.couple_a, user_id=user.id, role="injured"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_database_refuses_a_stage_outside_one_to_seven(app: Flask, world: World) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        couple.stage = 8
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_moving_a_stage_records_who_and_why(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    response = browser.submit(
        f"/couples/{world.couple_a}/stage", {"target": "3", "reason": "Ready for open talks."}
    )
    assert response.status_code == 302
    html = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "Stage 3: Honest conversations" in html
    assert "Ready for open talks." in html
    # The history shows the move, newest first, and the stage is counted from it.
    history = html.split('<ol class="history">')[1].split("</ol>")[0]
    assert history.index("Stage 2 → 3") < history.index("Started in stage")
    assert "(today)" in html.split("In this stage since")[1].split("</p>")[0]
    with app.app_context():
        change = db.session.scalars(
            select(StageChange)
            .where(StageChange.couple_id == world.couple_a)
            .order_by(StageChange.id.desc())
        ).first()
        assert (change.from_stage, change.to_stage, change.changed_by_id) == (
            2,
            3,
            world.clinician_a,
        )


@pytest.mark.parametrize(
    "form, message",
    [
        ({"target": "3", "reason": ""}, "Please give a short reason."),
        ({"target": "2", "reason": "same"}, "already in stage 2"),
        ({"target": "8", "reason": "too far"}, "Please choose a stage from 1 to 7."),
        ({"target": "zero", "reason": "bad"}, "Please choose a stage from 1 to 7."),
    ],
)
def test_bad_stage_moves_are_refused_plainly(
    app: Flask, world: World, as_user, form: dict, message: str
) -> None:
    response = as_user("a@clinic.test").submit(f"/couples/{world.couple_a}/stage", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Couple, world.couple_a).stage == 2
        count = db.session.scalar(
            select(func.count()).where(StageChange.couple_id == world.couple_a)
        )
        assert count == 1


def test_status_can_be_paused_and_closed(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    assert (
        browser.submit(f"/couples/{world.couple_a}/status", {"status": "paused"}).status_code == 302
    )
    assert "Paused" in browser.get("/couples/").get_data(as_text=True)
    bad = browser.submit(f"/couples/{world.couple_a}/status", {"status": "deleted"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.get(Couple, world.couple_a).status == "paused"


def test_couple_page_shows_partners_stage_and_appointments(
    app: Flask, world: World, as_user
) -> None:
    html = as_user("a@clinic.test").get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "ia@client.test" in html and "injured partner" in html
    assert "va@client.test" in html and "involved partner" in html
    assert "Stage 2: Full accountability" in html
    assert "agenda note for the clinician only" in html
    assert "Cache-Control" not in html


def test_couple_page_lists_current_exercises_with_their_rhythm(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, title="Weekly letter")
        weekly = make_assignment(
            db.session, couple, template, schedule="weekly", weekdays=0b1001, answered_by="injured"
        )
        weekly.status = "paused"
        stopped = make_assignment(db.session, couple, make_template(db.session, None, title="Old"))
        stopped.status = "stopped"
        started = db.session.get(Assignment, world.assignment_a).start_on
        db.session.commit()
    page = as_user("a@clinic.test").get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "Dr A&#39;s reflection" in page
    assert f"Daily from {started.day} {started:%b %Y} · Each partner" in page
    assert "Weekly letter" in page and "Weekly on Monday and Thursday" in page
    assert "Injured partner" in page and "Paused</span>" in page
    assert "<strong>Old</strong>" not in page  # a stopped exercise is not current


def test_couple_page_counts_the_answers_not_yet_read(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        make_response(db.session, assignment, "involved")  # sent, not read: counts
        make_response(db.session, assignment, "injured", days_ago=2, status="draft")
        read = make_response(db.session, assignment, "involved", days_ago=3)
        read.reviewed_at = utcnow()
        db.session.commit()
    browser = as_user("a@clinic.test")
    page = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "Read answers (2 new)" in page  # the world's own answer and the one above
    # A form sent back with a mistake shows the same page, the same count.
    refused = browser.submit(f"/couples/{world.couple_a}/status", {"status": "deleted"})
    assert refused.status_code == 400
    assert "Read answers (2 new)" in refused.get_data(as_text=True)
    with app.app_context():
        for response in db.session.scalars(select(Response)):
            response.reviewed_at = utcnow()
        db.session.commit()
    page = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "Read answers</a>" in page and " new)" not in page


def test_moving_a_stage_has_a_page_with_the_seven_stages(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    couple_page = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert f'href="/couples/{world.couple_a}/stage"' in couple_page
    assert f'href="/couples/{world.couple_a}/appointments/new"' in couple_page
    page = browser.get(f"/couples/{world.couple_a}/stage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "is in stage 2: Full accountability" in html
    assert all(stage.name in html for stage in STAGES.values())
    assert '<option selected value="3">' in html  # the next stage is offered first
    # A sent form keeps what was chosen, with the message beside it.
    refused = browser.submit(f"/couples/{world.couple_a}/stage", {"target": "5", "reason": ""})
    assert refused.status_code == 400
    assert '<option selected value="5">' in refused.get_data(as_text=True)
    # A closed record offers neither (reopening it comes first).
    browser.submit(f"/couples/{world.couple_a}/status", {"status": "closed"})
    closed_page = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert f'href="/couples/{world.couple_a}/stage"' not in closed_page
    assert f'href="/couples/{world.couple_a}/appointments/new"' not in closed_page
