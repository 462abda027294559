"""A clinician schedules an appointment in a real browser, from sign-in to the couple page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from practice.db import db
from practice.models import Appointment
from practice.timefmt import format_datetime
from tests import factories

pytestmark = pytest.mark.browser

CLINICIAN_EMAIL = "clinician@clinic.test"
COUPLE_LABEL = "Couple K"
MOBILE_WIDTH = 390


@dataclass
class Seeded:
    clinician_id: int
    couple_id: int


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A clinician with one couple (both partners joined) and no appointments yet."""
    with app.app_context():
        clinician = factories.make_user(db.session, CLINICIAN_EMAIL, "clinician", "Dr Kay")
        couple = factories.make_couple(
            db.session, clinician, COUPLE_LABEL, "ik@client.test", "vk@client.test", stage=2
        )
        db.session.commit()
        return Seeded(clinician_id=clinician.id, couple_id=couple.id)


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_clinician_schedules_an_appointment(
    app: Flask,
    live_server: str,
    page: Page,
    seeded: Seeded,
    backend: str,
    artifacts_dir: Path,
) -> None:
    zone = ZoneInfo(app.config["TIMEZONE"])
    local_start = (datetime.now(zone) + timedelta(days=3)).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    starts_at_utc = local_start.astimezone(UTC)
    shown_as = format_datetime(starts_at_utc, zone)

    sign_in(page, live_server, CLINICIAN_EMAIL)
    expect(page).to_have_url(f"{live_server}/couples/")
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()

    page.get_by_role("link", name=COUPLE_LABEL, exact=True).click()
    expect(page).to_have_url(f"{live_server}/couples/{seeded.couple_id}")
    expect(page.get_by_role("heading", name=COUPLE_LABEL, level=1)).to_be_visible()

    appointments = page.get_by_role("region", name="Appointments")
    expect(appointments.get_by_text("No upcoming appointments.")).to_be_visible()
    appointments.get_by_text("Schedule an appointment", exact=True).click()
    page.get_by_label("Date and time").fill(local_start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_role("button", name="Schedule", exact=True).click()

    expect(page).to_have_url(f"{live_server}/couples/{seeded.couple_id}")
    expect(page.get_by_role("status")).to_contain_text(f"Appointment scheduled for {shown_as}.")
    listed = appointments.get_by_role("listitem").filter(has_text=shown_as)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(re.compile(r"\b60 min\b"))
    expect(appointments.get_by_text("No upcoming appointments.")).to_have_count(0)

    page.set_viewport_size({"width": MOBILE_WIDTH, "height": 844})
    page.screenshot(
        path=str(artifacts_dir / f"couple-page-{MOBILE_WIDTH}px-{backend}.png"), full_page=True
    )

    with app.app_context():
        stored = db.session.scalars(
            select(Appointment).where(
                Appointment.couple_id == seeded.couple_id,
                Appointment.starts_at == starts_at_utc,
            )
        ).all()
        assert len(stored) == 1, f"expected one appointment at {starts_at_utc}, found {stored}"
        assert stored[0].duration_minutes == 60
        assert stored[0].cancelled_at is None
