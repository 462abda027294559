"""The crisis page on a 390 px phone: every helpline number is a link to call (or text) that is
large enough to tap, nothing scrolls sideways, and the page says nobody watches in real time."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from practice.db import db
from tests import factories
from tests.e2e.conftest import PHONE, new_context

pytestmark = pytest.mark.browser

EMAIL = "injured@client.test"
MIN_TARGET_PX = 44  # WCAG 2.5.5 (AAA) target size; the CSS aims higher


def test_crisis_numbers_are_big_tel_and_sms_links_on_a_phone(
    app: Flask, live_server: str, browser: Browser, artifacts_dir: Path, backend: str
) -> None:
    with app.app_context():
        clinician = factories.make_user(db.session, "c@clinic.test", "clinician", "Dr C")
        clinician.availability_note = "I read Mend on weekdays and reply within two working days."
        factories.make_couple(db.session, clinician, "Couple C", EMAIL, "involved@client.test")
        db.session.commit()
    context = new_context(browser, phone=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{live_server}/today")
        page.goto(f"{live_server}/support")
        expected = {
            "Call 999 (UK)": "tel:999",
            "Call 911 (US and Canada)": "tel:911",
            "Call 112 (EU)": "tel:112",
            "Call 116 123": "tel:116123",
            "Call 988": "tel:988",
            "Text 988": "sms:988",
        }
        for name, href in expected.items():
            link = page.get_by_role("link", name=name, exact=True)
            expect(link).to_have_attribute("href", href)
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box is not None
            assert box["height"] >= MIN_TARGET_PX and box["width"] >= MIN_TARGET_PX, (name, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
            size = link.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
            assert size >= 16, (name, size)
        expect(page.locator("main")).to_contain_text("Nobody watches Mend in real time.")
        expect(page.locator("#when-seen")).to_contain_text(
            "I read Mend on weekdays and reply within two working days."
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px wide)"
        page.screenshot(path=str(artifacts_dir / f"crisis-390px-{backend}.png"), full_page=True)
        # The account page on the same phone: readable, nothing sideways.
        page.goto(f"{live_server}/account")
        expect(page.get_by_role("heading", name="Where you're signed in")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out everywhere")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the account page scrolls sideways ({width}px wide)"
        page.screenshot(path=str(artifacts_dir / f"account-390px-{backend}.png"), full_page=True)
    finally:
        context.close()
