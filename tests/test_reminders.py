"""The reminder command: once a day, no clinical content, can be switched off; digests."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from flask import Flask

from practice.db import db
from practice.mail import outbox
from practice.reminders import send_reminders
from tests.factories import World

UTC = ZoneInfo("UTC")


def _run(app: Flask):
    with app.app_context():
        report = send_reminders(db.session, date.today(), UTC)
        db.session.commit()
        return report


def test_each_client_with_something_due_gets_one_email_a_day(app: Flask, world: World) -> None:
    first = _run(app)
    sent = [m for m in outbox(app) if "to do in Mend today" in m.subject]
    assert {m.to for m in sent} == {
        "ia@client.test",
        "va@client.test",
        "ib@client.test",
        "vb@client.test",
    }
    assert first.reminded == 4
    second = _run(app)
    assert second.reminded == 0 and second.skipped >= 4
    assert len([m for m in outbox(app) if "to do in Mend today" in m.subject]) == 4


def test_reminders_carry_no_clinical_content(app: Flask, world: World) -> None:
    _run(app)
    message = next(m for m in outbox(app) if m.to == "va@client.test")
    # Today: one daily exercise due and one daily boundary to log.
    assert message.subject == "You have 2 things to do in Mend today"
    for private in ("reflection", "No contact", "Dr A", "Couple A", "injured", "involved"):
        assert private not in message.body and private not in message.subject
    assert re.search(r"http://mend\.test/today", message.body)


def test_clients_can_switch_reminders_off(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    page = browser.submit("/settings", {}, follow_redirects=True)  # the box unticked: off
    assert "Reminders are off." in page.get_data(as_text=True)
    _run(app)
    assert "va@client.test" not in {m.to for m in outbox(app)}
    browser.submit("/settings", {"reminders": "on"})
    _run(app)  # switched back on, the same morning's run now includes them
    assert "va@client.test" in {m.to for m in outbox(app)}


def test_clinicians_get_a_digest_of_new_flags_without_details(
    app: Flask, world: World, as_user
) -> None:
    as_user("va@client.test").submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": date.today().isoformat(), "status": "crossed", "note": "private note"},
    )
    _run(app)
    digest = next(m for m in outbox(app) if m.to == "a@clinic.test")
    assert "Couple A: 1 new flag (1 serious)" in digest.body
    assert "private note" not in digest.body and "No contact" not in digest.body
    assert "b@clinic.test" not in {m.to for m in outbox(app)}  # nothing new for Dr B
    _run(app)
    assert len([m for m in outbox(app) if m.to == "a@clinic.test"]) == 1


def test_each_flag_goes_into_one_digest_even_when_reported_late(
    app: Flask, world: World, as_user
) -> None:
    from datetime import timedelta

    browser = as_user("va@client.test")
    three_days_ago = (date.today() - timedelta(days=3)).isoformat()
    browser.submit(
        f"/boundaries/{world.boundary_a}/log", {"day": three_days_ago, "status": "crossed"}
    )  # backfilled today
    _run(app)
    first = [m for m in outbox(app) if m.to == "a@clinic.test"]
    assert len(first) == 1 and "Couple A: 1 new flag" in first[0].body
    with app.app_context():  # the next morning: nothing new, so no digest
        send_reminders(db.session, date.today() + timedelta(days=1), UTC)
        db.session.commit()
    assert len([m for m in outbox(app) if m.to == "a@clinic.test"]) == 1
