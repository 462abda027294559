"""A partner sets up two-step sign-in on a phone, in a real browser: the QR code loads under the
page's CSP, nothing scrolls sideways at 390 px, and the next sign-in asks for a code."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from practice.db import db
from practice.models import User
from tests import factories
from tests.e2e.conftest import PHONE, new_context

pytestmark = pytest.mark.browser

EMAIL = "phone@client.test"


def _secret(app: Flask) -> str:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == EMAIL)).totp_secret


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_partner_sets_up_two_step_sign_in_on_a_phone(
    app: Flask, live_server: str, browser: Browser, artifacts_dir: Path, backend: str
) -> None:
    with app.app_context():
        clinician = factories.make_user(db.session, "dr@clinic.test", "clinician")
        factories.make_couple(db.session, clinician, "Couple T", EMAIL, "other@client.test")
        db.session.commit()
    context = new_context(browser, phone=True)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/settings")
    page.get_by_role("link", name="Set up two-step sign-in").click()
    page.get_by_role("button", name="Set up two-step sign-in").click()

    qr = page.get_by_role("img", name="QR code for adding Mend to an authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: SVG loaded
    _fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / f"two-step-setup-390px-{backend}.png"), full_page=True)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(_secret(app)).now())
    page.get_by_role("button", name="Switch on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Keep these recovery codes safe")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    _fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / f"two-step-codes-390px-{backend}.png"), full_page=True)

    page.get_by_role("button", name="Menu").click()  # a phone: Sign out is in the menu
    page.get_by_role("button", name="Sign out").click()
    with app.app_context():  # as if the next half-minute had come
        db.session.execute(update(User).where(User.email == EMAIL).values(totp_last_step=None))
        db.session.commit()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    _fits_the_phone(page)
    page.get_by_label("Code").fill(pyotp.TOTP(_secret(app)).at(time.time()))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/today")
    assert not violations
    context.close()
