"""Reading and answering on a phone and a desk, in a real browser: keyboard focus never hides
behind the sticky Save/Send bar, 0-10 scales keep their end labels under their ends, and the
phone header is one compact row with a menu button."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from practice.db import db
from practice.exercises.library import library_by_slug
from practice.models import utcnow
from practice.timefmt import local_today, practice_zone
from tests import factories

from .conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser

INJURED_EMAIL = "injured@example.com"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 900}}


@dataclass
class Seeded:
    worksheet_path: str


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A couple at stage 3 with the library's daily check-in (four 0-10 scales) due today."""
    with app.app_context():
        clinician = factories.make_user(db.session, "clinician@clinic.test", "clinician", "Dr Lane")
        couple = factories.make_couple(
            db.session, clinician, "Couple L", INJURED_EMAIL, "involved@example.com", stage=3
        )
        entry = library_by_slug()["daily-check-in"]
        template = factories.make_template(db.session, clinician, **entry)
        assignment = factories.make_assignment(db.session, couple, template, days_ago=0)
        assignment.start_on = local_today(practice_zone(), utcnow())
        db.session.commit()
        return Seeded(f"/tasks/{assignment.id}/{assignment.start_on.isoformat()}")


def _context(browser: Browser, size: str) -> BrowserContext:
    phone = size == "phone"
    context = browser.new_context(
        locale="en-GB", viewport=WIDTHS[size], is_mobile=phone, has_touch=phone
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture(params=["phone", "desk"])
def signed_in(request, browser: Browser, live_server: str, seeded: Seeded) -> Iterator[Page]:
    """The injured partner signed in, at 390 px on a phone or 1280 px on a desk."""
    context = _context(browser, request.param)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(INJURED_EMAIL)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    yield page
    context.close()


FOCUSED_BOX = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const target = el.closest("label.option") || el;
  const r = target.getBoundingClientRect();
  const bar = document.querySelector(".sticky-actions").getBoundingClientRect();
  const text = el.textContent.trim();
  return {tag: el.tagName, name: el.tagName === "BUTTON" ? text : (el.name || text),
          inBar: !!el.closest(".sticky-actions"),
          top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          barTop: bar.top, vw: window.innerWidth, vh: window.innerHeight};
}"""


def test_tabbing_through_a_check_in_never_hides_focus_behind_the_bar(
    signed_in: Page, live_server: str, seeded: Seeded
) -> None:
    page = signed_in
    page.goto(f"{live_server}{seeded.worksheet_path}")
    expect(page.get_by_role("heading", name="Daily check-in", level=1)).to_be_visible()
    seen = []
    for _ in range(80):
        page.keyboard.press("Tab")
        box = page.evaluate(FOCUSED_BOX)
        if box is None:
            continue
        seen.append(box["name"])
        # The whole control (a scale point's label box, a text box, a button) is in view ...
        assert box["top"] >= 0 and box["bottom"] <= box["vh"], box
        assert box["left"] >= 0 and box["right"] <= box["vw"], box
        # ... and, unless it is in the bar itself, above the bar.
        if not box["inBar"]:
            assert box["bottom"] <= box["barTop"], box
        if box["name"] == "Send":
            break
    # The walk reached every part of the check-in, the bar's buttons last.
    for name in ("f_trust", "f_distress", "f_need_now", "visibility", "Save draft", "Send"):
        assert name in seen, (name, seen)


ENDS = """() => [...document.querySelectorAll(".choice-group.scale")].map(group => {
  const options = [...group.querySelectorAll(".option")].map(o => o.getBoundingClientRect());
  const min = group.querySelector(".scale-end-min").getBoundingClientRect();
  const max = group.querySelector(".scale-end-max").getBoundingClientRect();
  return {tops: options.map(o => Math.round(o.top)), widths: options.map(o => o.width),
          first: options[0], last: options[options.length - 1], min, max,
          minText: group.querySelector(".scale-end-min").textContent,
          maxText: group.querySelector(".scale-end-max").textContent};
})"""


@pytest.mark.parametrize("width", [360, 390, 768, 1280])
def test_scale_end_labels_line_up_with_their_ends(
    browser: Browser, live_server: str, seeded: Seeded, width: int, artifacts_dir
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill(INJURED_EMAIL)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
        page.goto(f"{live_server}{seeded.worksheet_path}")
        scales = page.evaluate(ENDS)
        page.screenshot(path=str(artifacts_dir / f"check-in-{width}.png"), full_page=True)
        assert len(scales) == 4
        for scale in scales:
            assert len(set(scale["tops"])) == 1, scale["tops"]  # all 11 points in one row
            assert min(scale["widths"]) >= 24, scale["widths"]  # WCAG 2.5.8 target size
            # "0: ..." starts at the 0's left edge, "10: ..." ends at the 10's right edge,
            # both just below the row.
            assert abs(scale["min"]["left"] - scale["first"]["left"]) <= 1, scale
            assert abs(scale["max"]["right"] - scale["last"]["right"]) <= 1, scale
            assert 0 <= scale["min"]["top"] - scale["first"]["bottom"] <= 16, scale
            assert 0 <= scale["max"]["top"] - scale["last"]["bottom"] <= 16, scale
            assert scale["minText"].startswith("0") and scale["maxText"].startswith("10")
        # Screen readers hear the end's meaning with the end's number.
        expect(page.get_by_role("radio", name=re.compile(r"^10\W+Overwhelmed$"))).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


def test_phone_header_is_one_row_with_a_menu_button(signed_in: Page) -> None:
    page = signed_in
    header = page.locator(".site-header")
    menu = page.get_by_role("button", name="Menu")
    if page.viewport_size["width"] > 400:
        expect(menu).to_be_hidden()
        expect(page.get_by_role("link", name="Check-ins")).to_be_visible()
        return
    assert header.bounding_box()["height"] <= 64
    expect(page.get_by_role("link", name="Check-ins")).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Check-ins").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("check-ins")
    assert page.locator(".site-header").bounding_box()["height"] <= 64
