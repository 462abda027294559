"""A partner fills in a worksheet on a phone, in a real browser: autosave, a sign-in that ends
mid-answer (with and without JavaScript), sending it, and what the other partner may read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import func, select

from practice.auth.sessions import end_all_sessions
from practice.db import db
from practice.models import ParkedDraft, Response, utcnow
from practice.timefmt import local_today, practice_zone
from tests import factories

from .conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser

CLINICIAN_EMAIL = "clinician@clinic.test"
INJURED_EMAIL = "injured@example.com"
INVOLVED_EMAIL = "involved@example.com"
TEMPLATE_TITLE = "A week in a few words"
LONG_TEXT_LABEL = "What stood out this week?"
SCALE_LEGEND = "How are you today?"
VISIBILITY_LEGEND = "When you send it, who can read it?"
PHONE = {"width": 390, "height": 844}
SAVED = re.compile(r"^Draft saved at \d{1,2}:\d{2}")
# Autosave ticks every 4 s; after signing in again one tick refreshes the form token and the
# next one saves, so "saved again" takes two ticks and a little more: 8 s on an idle machine.
# The wait ends as soon as the text appears; the bound only allows for a machine with both cores
# busy, where timers and pages run late.
RESAVE_TIMEOUT_MS = 30_000


@dataclass
class Seeded:
    injured_user_id: int
    involved_user_id: int
    assignment_id: int
    day: str  # the practice's today, as in /tasks/<assignment_id>/<day>

    @property
    def worksheet_path(self) -> str:
        return f"/tasks/{self.assignment_id}/{self.day}"


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A clinician, a couple (both partners joined) and a daily exercise that starts today."""
    with app.app_context():
        clinician = factories.make_user(db.session, CLINICIAN_EMAIL, "clinician", "Dr Lane")
        couple = factories.make_couple(
            db.session, clinician, "Couple L", INJURED_EMAIL, INVOLVED_EMAIL, stage=2
        )
        template = factories.make_template(db.session, clinician, title=TEMPLATE_TITLE)
        assignment = factories.make_assignment(
            db.session, couple, template, days_ago=0, visibility="shared"
        )
        # "Today" is the practice's day, which need not be this machine's.
        assignment.start_on = local_today(practice_zone(), utcnow())
        db.session.commit()
        return Seeded(
            injured_user_id=couple.partner("injured").user_id,
            involved_user_id=couple.partner("involved").user_id,
            assignment_id=assignment.id,
            day=assignment.start_on.isoformat(),
        )


def phone_context(browser: Browser, *, javascript: bool = True) -> BrowserContext:
    """A fresh phone-sized browser profile (no cookies)."""
    context = browser.new_context(
        locale="en-GB",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """The injured partner's phone."""
    context = phone_context(browser)
    yield context
    context.close()


@pytest.fixture
def other_phone(browser: Browser) -> Iterator[BrowserContext]:
    """The involved partner's phone."""
    context = phone_context(browser)
    yield context
    context.close()


@pytest.fixture
def phone_without_js(browser: Browser) -> Iterator[BrowserContext]:
    """The injured partner's phone, with JavaScript switched off."""
    context = phone_context(browser, javascript=False)
    yield context
    context.close()


def fill_sign_in(page: Page, email: str) -> None:
    """Fill in and send the sign-in form already on the page."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in from the sign-in page; a partner lands on Today."""
    page.goto(f"{base_url}/login")
    fill_sign_in(page, email)
    expect(page).to_have_url(f"{base_url}/today")
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()


def open_todays_task(page: Page, base_url: str, seeded: Seeded) -> None:
    """Follow today's task from the Today page to its worksheet."""
    due = page.get_by_role("region", name="Due today")
    due.get_by_role("link", name=TEMPLATE_TITLE).click()
    expect(page).to_have_url(f"{base_url}{seeded.worksheet_path}")
    expect(page.get_by_role("heading", name=TEMPLATE_TITLE, level=1)).to_be_visible()


def long_text(page: Page) -> Locator:
    return page.get_by_label(LONG_TEXT_LABEL)


def scale_option(page: Page, value: str) -> Locator:
    return page.get_by_role("group", name=SCALE_LEGEND).get_by_label(value, exact=True)


def visibility_option(page: Page, name: str) -> Locator:
    return page.get_by_role("group", name=VISIBILITY_LEGEND).get_by_label(name, exact=True)


def end_sessions(app: Flask, user_id: int) -> None:
    """The sign-in ends on the server (as after a timeout); the browser keeps its cookie."""
    with app.app_context():
        end_all_sessions(db.session, user_id)
        db.session.commit()


def response_id_from(page: Page, base_url: str) -> int:
    """The id of the answer page the browser landed on after sending."""
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/answers/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def responses_for(app: Flask, seeded: Seeded) -> list[Response]:
    """The stored responses (drafts and sent) to today's occurrence, detached for reading."""
    with app.app_context():
        rows = db.session.scalars(
            select(Response).where(
                Response.assignment_id == seeded.assignment_id,
                Response.occurrence_on == date.fromisoformat(seeded.day),
            )
        ).all()
        db.session.expunge_all()
        return list(rows)


def send_after_autosave(page: Page) -> None:
    """Wait for autosave to settle (a click on a choice marks the page dirty), then send.

    Pressing Send while an autosave is still on its way gets a false "saved more recently in
    another window" conflict (409), so a test that does not wait for the save is flaky.
    """
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=RESAVE_TIMEOUT_MS)
    page.get_by_role("button", name="Send").click()


def test_autosave_survives_a_sign_in_that_ends_and_a_private_answer_stays_private(
    app: Flask,
    live_server: str,
    phone: BrowserContext,
    other_phone: BrowserContext,
    seeded: Seeded,
    backend: str,
    artifacts_dir: Path,
) -> None:
    first = "Saturday's walk by the river felt easy between us"
    more = " and we laughed about the dog"
    sentence = first + more

    page = phone.new_page()
    sign_in(page, live_server, INJURED_EMAIL)
    open_todays_task(page, live_server, seeded)
    status = page.locator("#save-status")

    long_text(page).fill(first)
    scale_option(page, "7").check()
    expect(status).to_have_text(SAVED)

    end_sessions(app, seeded.injured_user_id)
    long_text(page).press_sequentially(more)
    banner = page.locator("#autosave-banner")
    expect(banner).to_contain_text(
        "You were signed out, but your words are still here", timeout=RESAVE_TIMEOUT_MS
    )
    expect(status).to_have_text("Not saved yet: waiting for you to sign in again.")
    expect(long_text(page)).to_have_value(sentence)
    page.screenshot(
        path=str(artifacts_dir / f"worksheet-signed-out-{PHONE['width']}px-{backend}.png"),
        full_page=True,
    )

    with phone.expect_page() as new_tab:
        banner.get_by_role("link", name="Sign in again in a new tab").click()
    sign_in_page = new_tab.value
    expect(sign_in_page.get_by_role("heading", name="Sign in")).to_be_visible()
    fill_sign_in(sign_in_page, INJURED_EMAIL)
    expect(sign_in_page).to_have_url(f"{live_server}{seeded.worksheet_path}")
    sign_in_page.close()

    page.bring_to_front()
    expect(status).to_have_text(SAVED, timeout=RESAVE_TIMEOUT_MS)
    expect(banner).to_have_count(0)
    drafts = responses_for(app, seeded)
    assert [(r.status, r.answers.get("answer_1")) for r in drafts] == [("draft", sentence)]

    page.reload()
    expect(long_text(page)).to_have_value(sentence)
    expect(scale_option(page, "7")).to_be_checked()
    expect(status).to_contain_text("Draft saved")
    page.screenshot(
        path=str(artifacts_dir / f"worksheet-{PHONE['width']}px-{backend}.png"), full_page=True
    )

    visibility_option(page, "Only my clinician").check()
    send_after_autosave(page)
    response_id = response_id_from(page, live_server)
    expect(page.get_by_role("status")).to_contain_text("Sent. Thank you")
    expect(page.locator("section.answers")).to_contain_text(sentence)
    who_reads = page.locator("section", has=page.get_by_role("heading", name="Who can read this"))
    expect(who_reads).to_contain_text("Private to the clinician.")

    stored = responses_for(app, seeded)
    assert [(r.id, r.status, r.visibility) for r in stored] == [
        (response_id, "submitted", "clinician")
    ]

    other = other_phone.new_page()
    sign_in(other, live_server, INVOLVED_EMAIL)
    other.goto(f"{live_server}/answers")
    expect(other.get_by_role("heading", name="Answers", level=1)).to_be_visible()
    expect(other.locator("main")).not_to_contain_text(first)
    expect(other.get_by_role("link", name=TEMPLATE_TITLE)).to_have_count(0)
    reply = other.goto(f"{live_server}/answers/{response_id}")
    assert reply is not None and reply.status == 404
    expect(other.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    expect(other.locator("body")).not_to_contain_text(first)


def test_a_shared_answer_reaches_the_other_partner(
    app: Flask,
    live_server: str,
    phone: BrowserContext,
    other_phone: BrowserContext,
    seeded: Seeded,
) -> None:
    sentence = "I noticed you made tea for me on Tuesday without being asked"

    page = phone.new_page()
    sign_in(page, live_server, INJURED_EMAIL)
    open_todays_task(page, live_server, seeded)
    long_text(page).fill(sentence)
    scale_option(page, "6").check()
    visibility_option(page, "My partner and my clinician").check()
    send_after_autosave(page)
    response_id = response_id_from(page, live_server)
    expect(page.locator("section.answers")).to_contain_text(sentence)
    stored = responses_for(app, seeded)
    assert [(r.id, r.status, r.visibility) for r in stored] == [
        (response_id, "submitted", "shared")
    ]

    other = other_phone.new_page()
    sign_in(other, live_server, INVOLVED_EMAIL)
    other.goto(f"{live_server}/answers")
    listed = other.get_by_role("listitem").filter(has_text="From your partner")
    expect(listed).to_have_count(1)
    listed.get_by_role("link", name=TEMPLATE_TITLE).click()
    expect(other).to_have_url(f"{live_server}/answers/{response_id}")
    expect(other.get_by_text("Your partner's answer")).to_be_visible()
    expect(other.locator("section.answers")).to_contain_text(sentence)
    expect(other.locator("section.answers")).to_contain_text("6 on a scale from 0")


def test_without_javascript_words_posted_after_the_sign_in_ended_are_kept(
    app: Flask,
    live_server: str,
    phone_without_js: BrowserContext,
    seeded: Seeded,
) -> None:
    sentence = "Without scripts: I wrote this on the bus and the sign-in ran out"

    page = phone_without_js.new_page()
    sign_in(page, live_server, INJURED_EMAIL)
    open_todays_task(page, live_server, seeded)
    long_text(page).fill(sentence)
    scale_option(page, "4").check()

    end_sessions(app, seeded.injured_user_id)
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/login?next=")))
    assert parse_qs(urlsplit(page.url).query)["next"] == [seeded.worksheet_path]
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("your words are safe")
    assert responses_for(app, seeded) == [], "nothing may be saved without a sign-in"

    fill_sign_in(page, INJURED_EMAIL)
    expect(page).to_have_url(f"{live_server}{seeded.worksheet_path}")
    expect(page.get_by_text("We kept what you wrote before you were signed out")).to_be_visible()
    expect(long_text(page)).to_have_value(sentence)
    expect(scale_option(page, "4")).to_be_checked()

    page.get_by_role("button", name="Send").click()
    response_id = response_id_from(page, live_server)
    expect(page.locator("section.answers")).to_contain_text(sentence)
    expect(page.locator("section.answers")).to_contain_text("4 on a scale from 0")

    stored = responses_for(app, seeded)
    assert len(stored) == 1, f"expected one response for the occurrence, found {stored}"
    assert stored[0].id == response_id
    assert stored[0].status == "submitted"
    assert stored[0].answers.get("answer_1") == sentence
    with app.app_context():
        parked = db.session.scalar(select(func.count()).select_from(ParkedDraft))
    assert parked == 0, "the parked words are dropped once they are sent"
