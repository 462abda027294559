"""A closed couple's record is read-only: every write route refuses and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

from practice.db import db
from practice.models import Assignment, Couple, User, utcnow
from tests.factories import World, make_assignment, make_boundary
from tests.test_access import _snapshot

TODAY = date.today()
GOOD = {"f_answer_1": "We walked and talked without phones.", "f_mood": "6"}


def _local(days: float) -> str:
    return (utcnow() + timedelta(days=days)).replace(hour=14, minute=30).strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class Write:
    email: str
    url: Callable[[World, dict], str]
    data: dict
    setup: Callable[[World], dict] = lambda w: {}


def _proposed(world: World) -> dict:
    couple = db.session.get(Couple, world.couple_a)
    return {
        "boundary": make_boundary(db.session, couple, "Phone stays in the kitchen.", "proposed").id
    }


def _awaiting(world: World) -> dict:
    couple = db.session.get(Couple, world.couple_a)
    assignment = db.session.get(Assignment, world.assignment_a)
    waiting = make_assignment(
        db.session, couple, assignment.template, days_ago=0, status="awaiting_consent"
    )
    return {"assignment": waiting.id}


def _plan_offered(world: World) -> dict:
    db.session.get(Couple, world.couple_a).plan_offer_stage = 2
    return {}


def _not_joined(world: World) -> dict:
    couple = db.session.get(Couple, world.couple_a)
    partner = couple.partner("involved")
    partner.user.password_hash = None
    return {"partner": partner.id}


def _task(w: World, _ctx: dict) -> str:
    return f"/tasks/{w.assignment_a}/{TODAY.isoformat()}"


BOUNDARY = {"text": "No messages after ten.", "consequence": "We talk.", "check_period": "daily"}

WRITES: dict[str, Write] = {
    "worksheets.worksheet save": Write(
        "ia@client.test", _task, {**GOOD, "action": "save", "revision": "0"}
    ),
    "worksheets.worksheet submit": Write(
        "ia@client.test", _task, {**GOOD, "action": "submit", "revision": "0"}
    ),
    "worksheets.autosave": Write(
        "ia@client.test", lambda w, c: _task(w, c) + "/autosave", {**GOOD, "revision": "0"}
    ),
    "worksheets.change_visibility": Write(
        "ia@client.test",
        lambda w, c: f"/answers/{w.response_a}/visibility",
        {"visibility": "shared"},
    ),
    "worksheets.consent": Write(
        "ia@client.test", lambda w, c: f"/assignments/{c['assignment']}/consent", {}, _awaiting
    ),
    "boundaries.mine": Write("ia@client.test", lambda w, c: "/boundaries", BOUNDARY),
    "boundaries.log_entry": Write(
        "ia@client.test",
        lambda w, c: f"/boundaries/{w.boundary_a}/log",
        {"day": TODAY.isoformat(), "status": "kept", "note": "An easy day."},
    ),
    "boundaries.respond": Write(
        "va@client.test",
        lambda w, c: f"/boundaries/{c['boundary']}/respond",
        {"answer": "accept"},
        _proposed,
    ),
    "boundaries.manage": Write(
        "a@clinic.test", lambda w, c: f"/couples/{w.couple_a}/boundaries", BOUNDARY
    ),
    "boundaries.edit": Write(
        "a@clinic.test",
        lambda w, c: f"/boundaries/{w.boundary_a}/revise",
        {**BOUNDARY, "summary": "Eased a little.", "agreed_in_session": "y"},
    ),
    "boundaries.change_status": Write(
        "a@clinic.test", lambda w, c: f"/boundaries/{w.boundary_a}/status", {"action": "pause"}
    ),
    "assignments.new": Write(
        "a@clinic.test",
        lambda w, c: f"/couples/{w.couple_a}/assign",
        {
            "answered_by": "each",
            "visibility": "shared",
            "schedule": "once",
            "start_on": TODAY.isoformat(),
            "due_on": (TODAY + timedelta(days=7)).isoformat(),
        },
    ),
    "assignments.plan": Write(
        "a@clinic.test",
        lambda w, c: f"/couples/{w.couple_a}/plan",
        {"decision": "skip"},
        _plan_offered,
    ),
    "assignments.change": Write(
        "a@clinic.test", lambda w, c: f"/assignments/{w.assignment_a}/pause", {}
    ),
    "appointments.new": Write(
        "a@clinic.test",
        lambda w, c: f"/couples/{w.couple_a}/appointments/new",
        {"starts_at": _local(10), "duration_minutes": "60"},
    ),
    "appointments.edit": Write(
        "a@clinic.test",
        lambda w, c: f"/appointments/{w.appointment_a}/edit",
        {"starts_at": _local(12), "duration_minutes": "50", "agenda_note": "Trust."},
    ),
    "appointments.cancel": Write(
        "a@clinic.test", lambda w, c: f"/appointments/{w.appointment_a}/cancel", {}
    ),
    "couples.change_stage": Write(
        "a@clinic.test",
        lambda w, c: f"/couples/{w.couple_a}/stage",
        {"target": "3", "reason": "Ready for the next step"},
    ),
    "couples.reinvite": Write(
        "a@clinic.test",
        lambda w, c: f"/couples/{w.couple_a}/partners/{c['partner']}/invite",
        {},
        _not_joined,
    ),
    "responses.detail": Write(
        "a@clinic.test",
        lambda w, c: f"/responses/{w.response_a}",
        {"comment": "Notice the shift.", "reviewed": "y"},
    ),
    "reports.generate": Write(
        "a@clinic.test", lambda w, c: f"/couples/{w.couple_a}/report", {"period": "14"}
    ),
}


def _arrange(app: Flask, world: World, write: Write, closed: bool) -> dict:
    with app.app_context():
        context = write.setup(world)
        couple = db.session.get(Couple, world.couple_a)
        if closed:
            couple.status, couple.closed_at = "closed", utcnow()
        db.session.commit()
        return context


def _data(write: Write, world: World) -> dict:
    data = dict(write.data)
    if "answered_by" in data:
        data["template_id"] = str(world.template_a)
    return data


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_write_changes_an_open_couple(app: Flask, world: World, as_user, name: str) -> None:
    """The control: the same request does change an open couple's record."""
    write = WRITES[name]
    context = _arrange(app, world, write, closed=False)
    browser = as_user(write.email)
    before = _snapshot(app)
    response = browser.submit(write.url(world, context), _data(write, world))
    assert response.status_code in (200, 302, 303), (name, response.status_code)
    assert _snapshot(app) != before


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_closed_couple_refuses_every_write(app: Flask, world: World, as_user, name: str) -> None:
    write = WRITES[name]
    context = _arrange(app, world, write, closed=True)
    browser = as_user(write.email)
    before = _snapshot(app)
    response = browser.submit(write.url(world, context), _data(write, world))
    assert response.status_code == 409, (name, response.status_code)
    body = response.get_data(as_text=True)
    assert "ended" in body or "closed" in body
    assert _snapshot(app) == before


def test_clients_of_a_closed_couple_read_and_see_a_warm_note(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    assert (
        browser.submit(f"/couples/{world.couple_a}/status", {"status": "closed"}).status_code == 302
    )
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        assert couple.closed_at is not None
    assert "Closed on" in browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    client = as_user("ia@client.test")
    home = client.get("/home").get_data(as_text=True)
    assert "Your work with <bdi>Dr A</bdi> has ended" in home
    today = client.get("/today").get_data(as_text=True)
    assert "Your work with your clinician has ended" in today
    assert f"/tasks/{world.assignment_a}/" not in today
    assert client.get(f"/answers/{world.response_a}").status_code == 200
    assert client.get("/boundaries").status_code == 200
    assert client.get("/settings/my-words.json").status_code == 200
    # Reading and downloading kept reports still works for the clinician.
    assert browser.get(f"/reports/{world.report_a}").status_code == 200


def test_reopening_clears_closed_at_and_allows_writes_again(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    browser.submit(f"/couples/{world.couple_a}/status", {"status": "closed"})
    refused = browser.submit(f"/assignments/{world.assignment_a}/pause", {})
    assert refused.status_code == 409
    assert (
        browser.submit(f"/couples/{world.couple_a}/status", {"status": "active"}).status_code == 302
    )
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        assert couple.status == "active" and couple.closed_at is None
    assert browser.submit(f"/assignments/{world.assignment_a}/pause", {}).status_code == 302
    with app.app_context():
        assert db.session.get(Assignment, world.assignment_a).status == "paused"


def test_closing_twice_keeps_the_first_closing_date(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    browser.submit(f"/couples/{world.couple_a}/status", {"status": "closed"})
    with app.app_context():
        first = db.session.get(Couple, world.couple_a).closed_at
    browser.submit(f"/couples/{world.couple_a}/status", {"status": "closed"})
    with app.app_context():
        assert db.session.get(Couple, world.couple_a).closed_at == first
        assert db.session.get(User, world.clinician_a) is not None
