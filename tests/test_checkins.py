"""A partner's check-in history: their own values, and their partner's only where shared."""

from __future__ import annotations

from flask import Flask

from practice.db import db
from practice.models import Couple
from tests.factories import World, make_assignment, make_response, make_template

TRACKED = [
    {
        "key": "trust",
        "label": "Trust today",
        "kind": "scale",
        "min": 0,
        "max": 10,
        "tracked": True,
        "required": True,
    }
]


def _checkins(app: Flask, world: World, injured_visibility: str) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, fields=TRACKED)
        assignment = make_assignment(db.session, couple, template, days_ago=5)
        make_response(
            db.session,
            assignment,
            "injured",
            days_ago=2,
            answers={"trust": 3},
            visibility=injured_visibility,
        )
        make_response(
            db.session,
            assignment,
            "involved",
            days_ago=2,
            answers={"trust": 7},
            visibility="shared",
        )
        db.session.commit()


def test_own_history_is_charted(app: Flask, world: World, as_user) -> None:
    _checkins(app, world, "clinician")
    html = as_user("ia@client.test").get("/checkins").get_data(as_text=True)
    assert "<svg" in html and "Trust today" in html
    assert "You, " in html and ": 3</title>" in html


def test_partner_values_appear_only_when_shared(app: Flask, world: World, as_user) -> None:
    _checkins(app, world, "clinician")
    involved = as_user("va@client.test").get("/checkins").get_data(as_text=True)
    assert ": 7</title>" in involved  # their own
    assert "Your partner, " not in involved and ": 3</title>" not in involved
    injured = as_user("ia@client.test").get("/checkins").get_data(as_text=True)
    assert "Your partner, " in injured and ": 7</title>" in injured  # shared by the involved


def test_a_bad_range_falls_back_to_thirty_days(world: World, as_user) -> None:
    html = as_user("ia@client.test").get("/checkins?days=9999").get_data(as_text=True)
    assert 'aria-current="true">Last 30 days' in html
