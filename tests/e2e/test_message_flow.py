"""Messages on a phone: a partner writes privately to the clinician, the other partner sees
nothing of it, the clinician replies, and the reply appears without a reload (JavaScript on)
and after one (JavaScript off)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from practice.db import db
from tests import factories
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, PHONE, new_context
from tests.e2e.test_boundary_flow import sign_in

pytestmark = pytest.mark.browser

CLINICIAN_EMAIL = "clinician@clinic.test"
INJURED_EMAIL = "injured@client.test"
INVOLVED_EMAIL = "involved@client.test"
PRIVATE_WORDS = "I checked the old messages again last night and I feel ashamed."
REPLY = "Thank you for telling me. We'll make room for this on Thursday."


@dataclass
class Seeded:
    couple_id: int


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    with app.app_context():
        clinician = factories.make_user(db.session, CLINICIAN_EMAIL, "clinician", "Dr Bell")
        couple = factories.make_couple(
            db.session, clinician, "Couple M", INJURED_EMAIL, INVOLVED_EMAIL, stage=3
        )
        db.session.commit()
        return Seeded(couple.id)


def test_a_private_message_and_its_reply_on_a_phone(
    live_server: str, browser: Browser, seeded: Seeded, artifacts_dir: Path
) -> None:
    injured_context = new_context(browser, phone=True)
    involved_context = new_context(browser, phone=True)
    clinician_context = new_context(browser, phone=False)
    no_script = browser.new_context(
        locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    no_script.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        injured = injured_context.new_page()
        injured.clock.install()
        sign_in(injured, live_server, INJURED_EMAIL)
        injured.get_by_role("button", name="Menu").tap()  # a phone: the menu folds away
        injured.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").tap()
        injured.get_by_role("link", name="Just you and Dr Bell").tap()
        expect(injured.get_by_text("Messages are not watched around the clock.")).to_be_visible()
        injured.get_by_label("Your message").fill(PRIVATE_WORDS)
        injured.get_by_role("button", name="Send").tap()
        expect(injured.get_by_text(PRIVATE_WORDS)).to_be_visible()
        injured.screenshot(path=str(artifacts_dir / "messages-private-390.png"), full_page=True)
        width = injured.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the conversation scrolls sideways on a phone"

        involved = involved_context.new_page()
        sign_in(involved, live_server, INVOLVED_EMAIL)
        for path in ("/messages", "/messages/private", "/messages/together"):
            involved.goto(f"{live_server}{path}")
            expect(involved.locator("body")).not_to_contain_text("ashamed")
        # No unread badge anywhere in the header (the menu, or its button on a phone).
        expect(involved.locator(".site-header")).not_to_contain_text("1")

        clinician = clinician_context.new_page()
        sign_in(clinician, live_server, CLINICIAN_EMAIL)
        clinician.goto(f"{live_server}/couples/{seeded.couple_id}/messages/injured")
        expect(clinician.get_by_text(PRIVATE_WORDS)).to_be_visible()
        clinician.get_by_label("Your message").fill(REPLY)
        clinician.get_by_role("button", name="Send").click()
        expect(clinician.get_by_text(REPLY)).to_be_visible()

        # JavaScript on: the reply arrives on the open page at the next check, no reload.
        expect(injured.get_by_text(REPLY)).to_have_count(0)
        injured.clock.run_for(30_000)
        expect(injured.get_by_text(REPLY)).to_be_visible()
        injured.screenshot(path=str(artifacts_dir / "messages-reply-390.png"), full_page=True)

        # JavaScript off: the same conversation, complete after a reload.
        plain = no_script.new_page()
        sign_in(plain, live_server, INJURED_EMAIL)
        plain.goto(f"{live_server}/messages/private")
        expect(plain.get_by_text(REPLY)).to_be_visible()
        expect(plain.get_by_text(PRIVATE_WORDS)).to_be_visible()
    finally:
        for context in (injured_context, involved_context, clinician_context, no_script):
            context.close()
