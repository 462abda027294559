"""Scheduling, editing and cancelling appointments; previous and next around a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from practice.appointments.services import (
    next_appointment,
    previous_appointment,
    upcoming_and_past,
)
from practice.db import db
from practice.models import Appointment, Couple, utcnow
from tests.factories import World, make_appointment


def _local(days: float, hour: int = 14) -> str:
    moment = utcnow() + timedelta(days=days)
    return moment.replace(hour=hour, minute=30).strftime("%Y-%m-%dT%H:%M")


def _count(app: Flask, couple_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Appointment.couple_id == couple_id))


def test_scheduling_an_appointment(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    response = browser.submit(
        f"/couples/{world.couple_a}/appointments/new",
        {"starts_at": _local(10), "duration_minutes": "60", "agenda_note": "Talk about trust."},
    )
    assert response.status_code == 302
    with app.app_context():
        newest = db.session.scalars(select(Appointment).order_by(Appointment.id.desc())).first()
        assert newest.couple_id == world.couple_a
        assert newest.duration_minutes == 60
        assert newest.starts_at.strftime("%Y-%m-%dT%H:%M") == _local(10)  # practice zone is UTC
    assert "Talk about trust." in browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)


def test_times_are_read_in_the_practice_time_zone(app: Flask, world: World, as_user) -> None:
    app.config["TIMEZONE"] = "America/New_York"
    browser = as_user("a@clinic.test")
    browser.submit(
        f"/couples/{world.couple_a}/appointments/new",
        {"starts_at": "2030-07-01T09:00", "duration_minutes": "50"},
    )
    with app.app_context():
        newest = db.session.scalars(select(Appointment).order_by(Appointment.id.desc())).first()
        assert newest.starts_at.isoformat() == "2030-07-01T13:00:00+00:00"


@pytest.mark.parametrize(
    "form, message",
    [
        ({"starts_at": "next tuesday", "duration_minutes": "50"}, "Please give a date and time"),
        (
            {"starts_at": "2026-13-40T10:00", "duration_minutes": "50"},
            "Please give a date and time",
        ),
        ({"starts_at": "2020-01-01T10:00", "duration_minutes": "50"}, "already passed"),
        ({"starts_at": "2030-01-01T10:00", "duration_minutes": "5"}, "Between 10 and 480 minutes."),
        ({"starts_at": "2030-01-01T10:00", "duration_minutes": "fifty"}, "Not a valid integer"),
        (
            {"starts_at": "2030-01-01T10:00", "duration_minutes": "50", "agenda_note": "x" * 5001},
            "cannot be longer than 5000",
        ),
    ],
)
def test_bad_appointment_input_is_refused_plainly(
    app: Flask, world: World, as_user, form: dict, message: str
) -> None:
    before = _count(app, world.couple_a)
    response = as_user("a@clinic.test").submit(f"/couples/{world.couple_a}/appointments/new", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app, world.couple_a) == before


def test_overlapping_appointments_for_the_same_couple_are_refused(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        existing = db.session.get(Appointment, world.appointment_a)
        starts = existing.starts_at
    overlapping = (starts + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    browser = as_user("a@clinic.test")
    response = browser.submit(
        f"/couples/{world.couple_a}/appointments/new",
        {"starts_at": overlapping, "duration_minutes": "50"},
    )
    assert response.status_code == 400
    assert "overlaps another appointment" in response.get_data(as_text=True)
    # Back to back is fine: the earlier one has ended.
    after = (starts + timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M")
    ok = browser.submit(
        f"/couples/{world.couple_a}/appointments/new",
        {"starts_at": after, "duration_minutes": "50"},
    )
    assert ok.status_code == 302


def test_another_couples_appointment_does_not_count_as_overlap(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        other = db.session.get(Appointment, world.appointment_b)
        same_time = other.starts_at.strftime("%Y-%m-%dT%H:%M")
    response = as_user("a@clinic.test").submit(
        f"/couples/{world.couple_a}/appointments/new",
        {"starts_at": same_time, "duration_minutes": "50"},
    )
    assert response.status_code == 302


def test_editing_keeps_the_form_filled_and_saves(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    page = browser.get(f"/appointments/{world.appointment_a}/edit").get_data(as_text=True)
    assert "agenda note for the clinician only" in page
    response = browser.submit(
        f"/appointments/{world.appointment_a}/edit",
        {"starts_at": _local(20, 9), "duration_minutes": "75", "agenda_note": "New plan"},
    )
    assert response.status_code == 302
    with app.app_context():
        appointment = db.session.get(Appointment, world.appointment_a)
        assert appointment.duration_minutes == 75
        assert appointment.agenda_note == "New plan"


def test_editing_into_the_past_is_refused(app: Flask, world: World, as_user) -> None:
    response = as_user("a@clinic.test").submit(
        f"/appointments/{world.appointment_a}/edit",
        {"starts_at": "2020-05-05T10:00", "duration_minutes": "50"},
    )
    assert response.status_code == 400
    assert "already passed" in response.get_data(as_text=True)


def test_cancelling_keeps_the_row_and_hides_it(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    response = browser.submit(f"/appointments/{world.appointment_a}/cancel", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Appointment, world.appointment_a).cancelled_at is not None
    html = browser.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "No upcoming appointments." in html
    again = browser.submit(f"/appointments/{world.appointment_a}/cancel", {}, follow_redirects=True)
    assert "already cancelled" in again.get_data(as_text=True)


def test_past_appointments_cannot_be_cancelled(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        past_id = make_appointment(db.session, couple, -2).id
        db.session.commit()
    response = as_user("a@clinic.test").submit(
        f"/appointments/{past_id}/cancel", {}, follow_redirects=True
    )
    assert "Past appointments cannot be cancelled." in response.get_data(as_text=True)


def test_closed_couples_take_no_new_appointments(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    browser.submit(f"/couples/{world.couple_a}/status", {"status": "closed"})
    response = browser.submit(
        f"/couples/{world.couple_a}/appointments/new",
        {"starts_at": _local(5), "duration_minutes": "50"},
    )
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)


def test_previous_and_next_appointment_around_a_moment(app: Flask, world: World) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        earlier = make_appointment(db.session, couple, -14)
        latest_past = make_appointment(db.session, couple, -7)
        cancelled = make_appointment(db.session, couple, -1)
        cancelled.cancelled_at = utcnow()
        db.session.commit()
        now = utcnow()
        assert previous_appointment(db.session, couple.id, now).id == latest_past.id
        assert next_appointment(db.session, couple.id, now).id == world.appointment_a
        assert previous_appointment(db.session, couple.id, latest_past.starts_at).id == earlier.id
        assert previous_appointment(db.session, couple.id, earlier.starts_at) is None


def test_upcoming_soonest_first_and_the_ten_latest_past_latest_first(
    app: Flask, world: World
) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        past = [make_appointment(db.session, couple, -days) for days in range(1, 13)]
        later = make_appointment(db.session, couple, 9)
        cancelled = make_appointment(db.session, couple, 3)
        cancelled.cancelled_at = utcnow()
        cancelled_past = make_appointment(db.session, couple, -0.5)
        cancelled_past.cancelled_at = utcnow()
        db.session.commit()
        upcoming, recent = upcoming_and_past(db.session, couple, utcnow())
        starts = [a.starts_at for a in upcoming]
        assert starts == sorted(starts) and later.id in [a.id for a in upcoming]
        assert cancelled.id not in [a.id for a in upcoming]
        assert [a.id for a in recent] == [a.id for a in past[:10]]  # 1 to 10 days ago


def test_duration_is_checked_by_the_database_too(app: Flask, world: World) -> None:
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        make_appointment(db.session, couple, 30)
        db.session.add(
            Appointment(
                couple_id=couple.id, starts_at=utcnow() + timedelta(days=40), duration_minutes=0
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
