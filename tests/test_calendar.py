"""Calendar feeds and files over HTTP, read back with icalendar, across a daylight-saving
change; session links on appointments."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from practice.db import db
from practice.models import Appointment, AuditEvent, CalendarFeed, Couple, utcnow
from tests.factories import World

LONDON = ZoneInfo("Europe/London")
FEED = re.compile(r"http://mend\.test/calendar/feed\.ics\?key=([A-Za-z0-9_-]{43})")
# British Summer Time starts on 28 March 2027: one session the week before, one the week after.
BEFORE_CHANGE, AFTER_CHANGE = "2027-03-25T14:00", "2027-04-01T14:00"


def _make_link(browser) -> str:
    page = browser.submit("/calendar/link")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    match = FEED.search(page.get_data(as_text=True))
    assert match, "the new link is shown"
    return f"/calendar/feed.ics?key={match.group(1)}"


def _events(body: bytes) -> list:
    calendar = Calendar.from_ical(body)
    return [c for c in calendar.walk("VEVENT")]


def _schedule(browser, couple_id: int, when: str, **extra) -> None:
    form = {"starts_at": when, "duration_minutes": "50", "mode": "in_person", **extra}
    response = browser.submit(f"/couples/{couple_id}/appointments/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


@pytest.fixture
def london(app: Flask) -> Flask:
    app.config["TIMEZONE"] = "Europe/London"
    return app


def test_a_clinician_feed_parses_back_across_a_daylight_saving_change(
    london: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    _schedule(clinician, world.couple_a, BEFORE_CHANGE, agenda_note="Private agenda words")
    _schedule(
        clinician,
        world.couple_a,
        AFTER_CHANGE,
        mode="online",
        meeting_link="https://video.example.org/room/abc",
    )
    feed_url = _make_link(clinician)
    anonymous = london.test_client()
    response = anonymous.get(feed_url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    events = {e["DTSTART"].dt.date().isoformat(): e for e in _events(response.data)}
    before, after = events["2027-03-25"], events["2027-04-01"]
    # 14:00 on the wall clock on both sides of the change: 14:00 GMT, then 13:00 UTC in BST.
    assert before["DTSTART"].dt.hour == after["DTSTART"].dt.hour == 14
    assert before["DTSTART"].params["TZID"] == "Europe/London"
    assert before["DTSTART"].dt.astimezone(ZoneInfo("UTC")).hour == 14
    assert after["DTSTART"].dt.astimezone(ZoneInfo("UTC")).hour == 13
    assert (after["DTEND"].dt - after["DTSTART"].dt) == timedelta(minutes=50)
    # The pseudonymous label and the couple page; never names, emails, stage or notes.
    assert str(before["SUMMARY"]) == "Couple A"
    assert f"http://mend.test/couples/{world.couple_a}" in str(before["DESCRIPTION"])
    assert "https://video.example.org/room/abc" in str(after["DESCRIPTION"])
    text = response.get_data(as_text=True)
    for private in ("Private agenda words", "ia@client.test", "va@client.test", "Stage"):
        assert private not in text
    with london.app_context():
        couple = db.session.get(Couple, world.couple_a)
        partner_names = [p.user.display_name for p in couple.partners]
    for name in partner_names:
        assert name not in text
    assert all(str(e["STATUS"]) == "CONFIRMED" for e in events.values())


def test_uids_stay_and_sequence_grows_and_a_cancellation_is_marked(
    london: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    _schedule(clinician, world.couple_a, BEFORE_CHANGE)
    with london.app_context():
        appointment_id = db.session.scalar(
            select(Appointment.id).order_by(Appointment.id.desc()).limit(1)
        )
    feed_url = _make_link(clinician)
    first = {str(e["UID"]): e for e in _events(london.test_client().get(feed_url).data)}
    uid = next(u for u in first if u.startswith(f"mend-appointment-{appointment_id}@"))
    assert int(first[uid]["SEQUENCE"]) == 0

    moved = clinician.submit(
        f"/appointments/{appointment_id}/edit",
        {"starts_at": AFTER_CHANGE, "duration_minutes": "50", "mode": "in_person"},
    )
    assert moved.status_code == 302
    second = {str(e["UID"]): e for e in _events(london.test_client().get(feed_url).data)}
    assert int(second[uid]["SEQUENCE"]) == 1
    assert second[uid]["DTSTART"].dt.date().isoformat() == "2027-04-01"

    assert clinician.submit(f"/appointments/{appointment_id}/cancel").status_code == 302
    third = {str(e["UID"]): e for e in _events(london.test_client().get(feed_url).data)}
    assert str(third[uid]["STATUS"]) == "CANCELLED"
    assert int(third[uid]["SEQUENCE"]) == 2


def test_titles_can_say_just_session(london: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    feed_url = _make_link(clinician)
    assert clinician.submit("/calendar/title", {"title_style": "session"}).status_code == 302
    events = _events(london.test_client().get(feed_url).data)
    assert events and {str(e["SUMMARY"]) for e in events} == {"Session"}
    refused = clinician.submit("/calendar/title", {"title_style": "names"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)


def test_reading_a_feed_is_audited_with_the_feeds_id(london: Flask, world: World, as_user) -> None:
    feed_url = _make_link(as_user("a@clinic.test"))
    assert london.test_client().get(feed_url).status_code == 200
    with london.app_context():
        feed = db.session.scalar(select(CalendarFeed))
        read = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "viewed", AuditEvent.object_type == "calendar_feed"
            )
        ).all()
        assert [(e.object_id, e.user_id) for e in read] == [(feed.id, world.clinician_a)]
        # Only the token's digest is kept.
        assert feed_url.rsplit("=", 1)[1] not in feed.token_sha256


def test_a_replaced_or_switched_off_link_is_a_plain_404(
    london: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    old = _make_link(clinician)
    new = _make_link(clinician)
    anonymous = london.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert clinician.submit("/calendar/link/off").status_code == 302
    gone = anonymous.get(new)
    assert gone.status_code == 404
    assert "revoked" not in gone.get_data(as_text=True).lower()
    for forged in ("", "?key=", "?key=short", "?key=" + "A" * 43, "?key=%00" * 3):
        assert anonymous.get("/calendar/feed.ics" + forged).status_code == 404


def test_a_clinician_with_no_appointments_gets_a_valid_empty_calendar(
    london: Flask, world: World, as_user
) -> None:
    with london.app_context():
        for appointment in db.session.scalars(select(Appointment)):
            db.session.delete(appointment)
        db.session.commit()
    response = london.test_client().get(_make_link(as_user("b@clinic.test")))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert calendar.name == "VCALENDAR" and _events(response.data) == []


def test_a_partner_adds_sessions_without_clinical_content(
    london: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    _schedule(
        clinician,
        world.couple_a,
        AFTER_CHANGE,
        agenda_note="Private agenda words",
        mode="online",
        meeting_link="https://video.example.org/room/xyz",
    )
    partner = as_user("ia@client.test")
    with london.app_context():
        appointment_id = db.session.scalar(
            select(Appointment.id).order_by(Appointment.id.desc()).limit(1)
        )
    one = partner.get(f"/my/appointments/{appointment_id}/calendar.ics")
    assert one.status_code == 200 and one.mimetype == "text/calendar"
    assert "attachment" in one.headers["Content-Disposition"]
    (event,) = _events(one.data)
    assert str(event["SUMMARY"]) == "Session with Dr A"
    assert event["DTSTART"].dt.hour == 14
    assert "https://video.example.org/room/xyz" in str(event["DESCRIPTION"])
    feed = _events(london.test_client().get(_make_link(partner)).data)
    assert len(feed) == 2  # the world's appointment and this one
    for body in (one.get_data(as_text=True),):
        assert "Private agenda words" not in body and "Couple A" not in body
    # Not another couple's appointment.
    other = as_user("ib@client.test").get(f"/my/appointments/{appointment_id}/calendar.ics")
    assert other.status_code == 404


@pytest.mark.parametrize(
    "link, message",
    [
        ("http://video.example.org/room", "starts with https://"),
        ("https://me:secret@video.example.org/room", "name or password inside it"),
        ("javascript:alert(1)", "starts with https://"),
        ("https://", "look like a link"),
        ("", "Please paste the meeting link"),
    ],
)
def test_a_meeting_link_that_is_not_https_or_holds_credentials_is_refused(
    app: Flask, world: World, as_user, link: str, message: str
) -> None:
    response = as_user("a@clinic.test").submit(
        f"/couples/{world.couple_a}/appointments/new",
        {
            "starts_at": "2030-01-01T10:00",
            "duration_minutes": "50",
            "mode": "online",
            "meeting_link": link,
            "agenda_note": "kept as typed",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "kept as typed" in html


def test_partners_see_the_meeting_link_from_thirty_minutes_before(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        appointment = db.session.get(Appointment, world.appointment_a)
        appointment.mode = "online"
        appointment.meeting_link = "https://video.example.org/room/soon"
        appointment.starts_at = utcnow() + timedelta(minutes=45)
        db.session.commit()
    partner = as_user("va@client.test")
    assert "room/soon" not in partner.get("/home").get_data(as_text=True)
    with app.app_context():
        appointment = db.session.get(Appointment, world.appointment_a)
        appointment.starts_at = utcnow() + timedelta(minutes=20)
        db.session.commit()
    html = partner.get("/home").get_data(as_text=True)
    assert "Join the session" in html and "https://video.example.org/room/soon" in html


def test_the_reminder_email_carries_todays_meeting_link(app: Flask, world: World) -> None:
    from practice.mail import outbox
    from practice.reminders import send_reminders

    with app.app_context():
        appointment = db.session.get(Appointment, world.appointment_a)
        appointment.mode = "online"
        appointment.meeting_link = "https://video.example.org/room/today"
        now = utcnow()
        appointment.starts_at = datetime.combine(now.date(), datetime.min.time(), now.tzinfo)
        appointment.starts_at += timedelta(hours=23, minutes=50)
        db.session.commit()
        send_reminders(db.session, now.date(), ZoneInfo("UTC"))
        db.session.commit()
    sent = [m for m in outbox(app) if m.to == "ia@client.test"]
    assert sent and "Your online session today at 23:50: https://video.example.org/room/today" in (
        sent[0].body
    )
