"""The loop report -> session -> note -> next assignments -> next report, in a real browser.

The clinician opens yesterday's session, starts a DAP note, removes one pre-filled line, writes
the assessment, turns a plan item into a weekly assignment and signs; the injured partner's
Today page (on a phone) shows the new assignment; the next report opens with that plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from practice.db import db
from practice.models import Assignment, BoundaryLog, Couple, SessionNote
from tests import factories
from tests.e2e.conftest import new_context
from tests.e2e.test_appointment_flow import sign_in

pytestmark = pytest.mark.browser

CLINICIAN = "notes@clinic.test"
INJURED = "in@client.test"


@dataclass
class Seeded:
    couple_id: int
    appointment_id: int
    template_id: int


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A couple who had sessions yesterday and a week before, with boundary logs between."""
    with app.app_context():
        clinician = factories.make_user(db.session, CLINICIAN, "clinician", "Dr Noa")
        couple = factories.make_couple(
            db.session, clinician, "Couple N", INJURED, "vn@client.test", stage=3
        )
        template = factories.make_template(db.session, clinician, title="Evening check-in")
        boundary = factories.make_boundary(db.session, couple, "Phones stay open")
        factories.make_appointment(db.session, couple, -8)
        appointment = factories.make_appointment(db.session, couple, -1)
        for days_ago, status in ((5, "kept"), (4, "crossed"), (2, "kept")):
            for partner in couple.partners:
                db.session.add(
                    BoundaryLog(
                        boundary_id=boundary.id,
                        partner_id=partner.id,
                        period_start=date.today() - timedelta(days=days_ago),
                        status=status,
                    )
                )
        db.session.commit()
        return Seeded(couple.id, appointment.id, template.id)


def test_a_note_closes_the_loop(
    app: Flask, live_server: str, browser: Browser, seeded: Seeded
) -> None:
    desk = new_context(browser, phone=False)
    page = desk.new_page()
    sign_in(page, live_server, CLINICIAN)
    page.goto(f"{live_server}/couples/{seeded.couple_id}")
    page.get_by_role("link", name="Note due: write it").first.click()  # the latest session
    expect(page.get_by_label("Format")).to_have_value("dap")
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_role("heading", name="Session note", level=1)).to_be_visible()

    # Remove the boundary-adherence line: the report's values are there, one goes.
    prefill = page.locator("#prefill")
    line = prefill.locator(".prefill-line", has_text="Phones stay open").filter(has_text="kept")
    expect(line).to_have_count(1)
    line.get_by_role("button").click()
    expect(page.get_by_text("Line removed from the note.")).to_be_visible()
    expect(prefill.locator(".prefill-line", has_text="kept 2, crossed 1")).to_have_count(0)

    page.get_by_label("Assessment").fill("Trust is growing on ordinary days.")
    # Adding a plan item saves the typed assessment first (nothing lost by leaving the page).
    page.get_by_label("New plan item").fill("Evening check-in, weekly, both")
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_text("Evening check-in, weekly, both")).to_be_visible()
    expect(page.get_by_label("Assessment")).to_have_value("Trust is growing on ordinary days.")

    page.get_by_role("link", name="Make it an assignment").click()
    page.get_by_label("Exercise").select_option(label="Stage 2: Evening check-in (yours)")
    page.get_by_label("Weekly, on chosen days").check()
    weekday = date.today().strftime("%A")
    page.get_by_label(weekday, exact=True).check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned: Evening check-in.")).to_be_visible()
    expect(page.get_by_text("Became an assignment")).to_be_visible()

    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    expect(page.get_by_label("Assessment")).to_have_count(0)  # read-only now
    expect(page.get_by_text("Trust is growing on ordinary days.")).to_be_visible()

    with app.app_context():
        note = db.session.scalar(select(SessionNote).where(SessionNote.appointment_id.is_not(None)))
        assert note.signed_at is not None
        assert note.sections["assessment"] == "Trust is growing on ordinary days."
        assert db.session.scalar(select(Assignment).where(Assignment.schedule == "weekly"))
        couple_label = db.session.get(Couple, seeded.couple_id).label

    phone = new_context(browser, phone=True)
    partner = phone.new_page()
    sign_in(partner, live_server, INJURED)
    partner.goto(f"{live_server}/today")
    expect(partner.get_by_text("Evening check-in").first).to_be_visible()

    page.goto(f"{live_server}/couples/{seeded.couple_id}/report/preview?audience=clinician")
    expect(page.get_by_role("heading", name="Last session's plan")).to_be_visible()
    expect(page.get_by_text("Evening check-in, weekly, both")).to_be_visible()
    assert couple_label in page.content()
    phone.close()
    desk.close()
