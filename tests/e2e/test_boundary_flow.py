"""Both partners log today's boundaries on their phones, in a real browser, one tap each; the
clinician sees the crossing on the caseload and, on the couple's insights page, the crossing
with its note and the flag that the partners' reports differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import select

from practice.db import db
from practice.models import BoundaryLog, utcnow
from practice.timefmt import local_today, practice_zone
from tests import factories

pytestmark = pytest.mark.browser

CLINICIAN_EMAIL = "clinician@clinic.test"
INJURED_EMAIL = "injured@client.test"
INVOLVED_EMAIL = "involved@client.test"
COUPLE_LABEL = "Couple B"
NO_CONTACT = "No contact with the other person."
PHONES = "Phones stay face up in the evening."
CROSSING_NOTE = "I left my phone face down during dinner on Tuesday evening."


@dataclass
class Seeded:
    couple_id: int
    injured_partner_id: int
    involved_partner_id: int
    no_contact_id: int
    phones_id: int
    today: date  # the practice's today, the day the taps are logged for


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A clinician and a couple (both partners joined) with two active daily boundaries."""
    with app.app_context():
        clinician = factories.make_user(db.session, CLINICIAN_EMAIL, "clinician", "Dr Bell")
        couple = factories.make_couple(
            db.session, clinician, COUPLE_LABEL, INJURED_EMAIL, INVOLVED_EMAIL, stage=2
        )
        no_contact = factories.make_boundary(db.session, couple, NO_CONTACT)
        phones = factories.make_boundary(db.session, couple, PHONES, days_ago=9)
        db.session.commit()
        return Seeded(
            couple_id=couple.id,
            injured_partner_id=couple.partner("injured").id,
            involved_partner_id=couple.partner("involved").id,
            no_contact_id=no_contact.id,
            phones_id=phones.id,
            today=local_today(practice_zone(), utcnow()),
        )


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(f"{base_url}/login")


def open_boundaries(page: Page, base_url: str) -> None:
    """Follow the main navigation to the partner's Boundaries screen (on a phone the menu
    is behind its Menu button)."""
    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Boundaries").tap()
    expect(page).to_have_url(f"{base_url}/boundaries")
    expect(page.get_by_role("heading", name="Boundaries", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Today", level=2)).to_be_visible()


def boundary_item(page: Page, text: str) -> Locator:
    """The list item of one of today's boundaries: its text, its three taps and its note."""
    group = page.get_by_role("group", name=f"How did it go: {text}", exact=True)
    item = page.get_by_role("listitem").filter(has=group)
    expect(item).to_have_count(1)
    return item


def tap(page: Page, base_url: str, text: str, button: str, *, day: date) -> Locator:
    """One tap on a boundary's button; the page comes back for that day. Returns the item."""
    boundary_item(page, text).get_by_role("button", name=button, exact=True).tap()
    expect(page).to_have_url(f"{base_url}/boundaries?day={day.isoformat()}")
    return boundary_item(page, text)


def flag_item(flags: Locator, title: str) -> Locator:
    """The flag with this title in the Needs attention section."""
    title_text = flags.page.get_by_text(title, exact=True)
    return flags.get_by_role("listitem").filter(has=title_text)


def test_partners_log_boundaries_and_the_clinician_sees_the_crossing(
    app: Flask,
    live_server: str,
    contexts: dict[str, BrowserContext],
    seeded: Seeded,
    backend: str,
    artifacts_dir: Path,
) -> None:
    today = seeded.today
    shown_day = f"{today:%a} {today.day} {today:%b}"  # as the insights flags print a day

    # The involved partner, on a phone: kept the first, crossed the second, with a note.
    involved = contexts["involved"].new_page()
    sign_in(involved, live_server, INVOLVED_EMAIL)
    open_boundaries(involved, live_server)
    for text in (NO_CONTACT, PHONES):
        item = boundary_item(involved, text)
        for name in ("Kept", "I crossed this", "Not applicable"):
            expect(item.get_by_role("button", name=name, exact=True)).to_be_visible()
        expect(item.get_by_role("button", name="I believe this was crossed")).to_have_count(0)
        expect(item.get_by_text("You noted:")).to_have_count(0)

    item = tap(involved, live_server, NO_CONTACT, "Kept", day=today)
    expect(involved.get_by_role("status")).to_contain_text("Noted as kept.")
    expect(item).to_contain_text("You noted: kept")
    expect(item.get_by_role("button", name="Kept", exact=True)).to_have_class("button tap chosen")

    item = boundary_item(involved, PHONES)
    note = item.get_by_label("Note (optional)")
    expect(note).to_be_hidden()
    item.get_by_text("Add a note", exact=True).tap()
    expect(note).to_be_visible()
    note.fill(CROSSING_NOTE)
    item = tap(involved, live_server, PHONES, "I crossed this", day=today)
    expect(involved.get_by_role("status")).to_contain_text("Noted as crossed.")
    expect(item).to_contain_text(f"You noted: crossed · “{CROSSING_NOTE}”")
    expect(item.get_by_role("button", name="I crossed this")).to_have_class("button tap chosen")
    expect(boundary_item(involved, NO_CONTACT)).to_contain_text("You noted: kept")
    involved.screenshot(
        path=str(artifacts_dir / f"boundaries-involved-390px-{backend}.png"), full_page=True
    )

    # The injured partner, on another phone: kept, both times (so the second one differs).
    injured = contexts["injured"].new_page()
    sign_in(injured, live_server, INJURED_EMAIL)
    open_boundaries(injured, live_server)
    for text in (NO_CONTACT, PHONES):
        item = boundary_item(injured, text)
        expect(item.get_by_role("button", name="I believe this was crossed")).to_be_visible()
        expect(item.get_by_role("button", name="I crossed this")).to_have_count(0)
        expect(item.get_by_text("You noted:")).to_have_count(0)  # not the other partner's
    for text in (NO_CONTACT, PHONES):
        item = tap(injured, live_server, text, "Kept", day=today)
        expect(injured.get_by_role("status")).to_contain_text("Noted as kept.")
        expect(item).to_contain_text("You noted: kept")
    for text in (NO_CONTACT, PHONES):
        expect(boundary_item(injured, text)).to_contain_text("You noted: kept")
    expect(injured.get_by_text(CROSSING_NOTE)).to_have_count(0)
    injured.screenshot(
        path=str(artifacts_dir / f"boundaries-injured-390px-{backend}.png"), full_page=True
    )

    # The involved partner's own reports are unchanged by the injured partner's.
    involved.reload()
    expect(boundary_item(involved, NO_CONTACT)).to_contain_text("You noted: kept")
    expect(boundary_item(involved, PHONES)).to_contain_text(
        f"You noted: crossed · “{CROSSING_NOTE}”"
    )

    # The clinician, at a desk: the caseload flags the crossing; insights shows why.
    clinician = contexts["clinician"].new_page()
    sign_in(clinician, live_server, CLINICIAN_EMAIL)
    expect(clinician).to_have_url(f"{live_server}/couples/")
    row = clinician.get_by_role("row").filter(
        has=clinician.get_by_role("link", name=COUPLE_LABEL, exact=True)
    )
    expect(row).to_have_count(1)
    attention = row.get_by_role("cell").last
    expect(attention).to_have_text("1 crossing this week")
    attention.get_by_role("link", name="1 crossing this week", exact=True).click()

    expect(clinician).to_have_url(f"{live_server}/couples/{seeded.couple_id}/insights")
    expect(
        clinician.get_by_role("heading", name=f"How things are going: {COUPLE_LABEL}", level=1)
    ).to_be_visible()
    flags = clinician.get_by_role("region", name="Needs attention")
    expect(flags.get_by_role("heading", name="Needs attention", level=2)).to_have_attribute(
        "id", "flags-h"
    )

    crossing = flag_item(flags, f"Boundary crossed: {PHONES}")
    expect(crossing).to_have_count(1)
    expect(crossing.locator(".evidence > li")).to_have_text(
        [f"{shown_day}: reported by the involved partner ({CROSSING_NOTE})"]
    )
    differ = flag_item(flags, f"The partners' reports differ: {PHONES}")
    expect(differ).to_have_count(1)
    expect(differ.locator(".evidence > li")).to_have_text(
        [f"{shown_day}: one reported kept, the other crossed"]
    )
    # Both kept the first boundary: nothing about it needs attention.
    expect(flags.get_by_text(f"Boundary crossed: {NO_CONTACT}")).to_have_count(0)
    expect(flags.get_by_text(f"The partners' reports differ: {NO_CONTACT}")).to_have_count(0)
    clinician.screenshot(
        path=str(artifacts_dir / f"insights-desktop-{backend}.png"), full_page=True
    )

    with app.app_context():
        logs = db.session.scalars(select(BoundaryLog).order_by(BoundaryLog.id)).all()
        assert len(logs) == 4, f"expected 4 boundary logs, found {logs}"
        found = {(entry.partner_id, entry.boundary_id): entry for entry in logs}
        assert len(found) == 4, "each partner logs each boundary once"
        assert all(entry.period_start == today for entry in logs)
        for partner_id in (seeded.injured_partner_id, seeded.involved_partner_id):
            assert sum(entry.partner_id == partner_id for entry in logs) == 2
        expected = {
            (seeded.involved_partner_id, seeded.no_contact_id): ("kept", None),
            (seeded.involved_partner_id, seeded.phones_id): ("crossed", CROSSING_NOTE),
            (seeded.injured_partner_id, seeded.no_contact_id): ("kept", None),
            (seeded.injured_partner_id, seeded.phones_id): ("kept", None),
        }
        assert {key: (e.status, e.note) for key, e in found.items()} == expected
