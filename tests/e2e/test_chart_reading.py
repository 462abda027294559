"""Charts read on a phone and a desk, in a real browser: every chart text at least 12 CSS px
at any width, inside the drawing and clear of other text; questionnaire bands named in a key
under the chart, shaded light to dark by how concerning they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from practice.db import db
from practice.exercises.definitions import parse_definition
from practice.exercises.services import sync_library
from practice.measures.instruments import CSI4
from practice.measures.library import measure_slug
from practice.measures.services import record_submission
from practice.models import ExerciseTemplate, Response, utcnow
from practice.timefmt import local_today, practice_zone
from tests import factories

from .conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser

CLINICIAN_EMAIL = "clinician@clinic.test"
INJURED_EMAIL = "injured@example.com"


@dataclass
class Seeded:
    couple_id: int


def _respond(assignment, partner, day: date, answers: dict, visibility: str) -> Response:
    template = db.session.get(ExerciseTemplate, assignment.template_id)
    response = Response(
        assignment_id=assignment.id,
        occurrence_on=day,
        slot=partner.role,
        partner_id=partner.id,
        version_id=template.latest.id,
        answers=answers,
        status="submitted",
        revision=1,
        visibility=visibility,
        submitted_at=utcnow(),
    )
    db.session.add(response)
    db.session.flush()
    return response


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """Four weeks of shared daily check-ins from both partners and three CSI-4s each."""
    with app.app_context():
        sync_library(db.session)
        today = local_today(practice_zone(), utcnow())
        clinician = factories.make_user(db.session, CLINICIAN_EMAIL, "clinician", "Dr Lane")
        couple = factories.make_couple(
            db.session, clinician, "Couple L", INJURED_EMAIL, "involved@example.com", stage=3
        )
        slug = {t.slug: t for t in db.session.scalars(select(ExerciseTemplate)) if t.slug}
        checkin = factories.make_assignment(db.session, couple, slug["daily-check-in"], 40)
        for back in range(1, 40):
            for n, role in enumerate(("injured", "involved")):
                value = (back * (3 + n)) % 11
                answers = {
                    "trust": value,
                    "emotional_safety": 10 - value,
                    "connection": 5,
                    "distress": (value + 4) % 11,
                }
                _respond(
                    checkin, couple.partner(role), today - timedelta(days=back), answers, "shared"
                )
        csi = slug[measure_slug(CSI4)]
        definition = parse_definition(csi.latest.definition)
        measure = factories.make_assignment(
            db.session, couple, csi, 40, schedule="once", due_on=today, visibility="clinician"
        )
        for back, choice in ((25, 1), (12, 3), (2, 5)):
            for role in ("injured", "involved"):
                answers = {item.key: item.options[choice][0] for item in CSI4.items}
                day = today - timedelta(days=back)
                partner = couple.partner(role)
                response = _respond(measure, partner, day, answers, "clinician")
                record_submission(db.session, response, definition, partner, day)
        db.session.commit()
        return Seeded(couple.id)


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_be_visible()


CHART_TEXT = """() => [...document.querySelectorAll("svg.chart")]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const frame = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll("text")].map(t => {
      const r = t.getBoundingClientRect();
      const px = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
      return {text: t.textContent, px,
              left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    });
    return {label: svg.getAttribute("aria-label"), left: frame.left, right: frame.right,
            top: frame.top, bottom: frame.bottom, texts};
  })"""


def _assert_readable(page: Page, width: int) -> list:
    charts = page.evaluate(CHART_TEXT)
    assert charts, "no chart on the page"
    for chart in charts:
        texts = chart["texts"]
        for t in texts:
            assert t["px"] >= 12, (width, chart["label"], t)
            assert t["left"] >= chart["left"] - 0.5 and t["right"] <= chart["right"] + 0.5, (
                width,
                chart["label"],
                t,
            )
            assert t["top"] >= chart["top"] - 0.5 and t["bottom"] <= chart["bottom"] + 0.5, (
                width,
                chart["label"],
                t,
            )
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                overlap_x = min(a["right"], b["right"]) - max(a["left"], b["left"])
                overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (width, chart["label"], a, b)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    return charts


@pytest.mark.parametrize("width", [320, 390, 600, 768, 1280])
def test_check_in_charts_are_readable_at_any_width(
    browser: Browser, live_server: str, seeded: Seeded, width: int, artifacts_dir
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        _sign_in(page, live_server, INJURED_EMAIL)
        page.goto(f"{live_server}/checkins")
        charts = _assert_readable(page, width)
        assert len(charts) == 4  # one drawing per metric shows at each width, not two
        page.screenshot(path=str(artifacts_dir / f"checkin-charts-{width}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_clinician_trends_and_questionnaire_bands_are_readable(
    browser: Browser, live_server: str, seeded: Seeded, width: int, artifacts_dir
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        _sign_in(page, live_server, CLINICIAN_EMAIL)
        page.goto(
            f"{live_server}/couples/{seeded.couple_id}/insights?period=custom"
            f"&start={(date.today() - timedelta(days=30)).isoformat()}"
            f"&end={date.today().isoformat()}"
        )
        charts = _assert_readable(page, width)
        page.screenshot(path=str(artifacts_dir / f"insights-{width}.png"), full_page=True)
        csi = next(c for c in charts if c["label"] == "CSI-4")
        # The band names sit in a key under the chart, never over the lines.
        assert not any("distress" in t["text"] for t in csi["texts"])
        # One chart per partner and questionnaire: the first CSI-4 chart's key.
        key = page.locator(".chart-figure", has_text="CSI-4").first.locator(".band-key li")
        expect(key).to_have_count(2)
        # Listed light to dark: the least concerning band first, its shade the lightest.
        expect(key.nth(0)).to_contain_text("no notable distress")
        expect(key.nth(1)).to_contain_text("notable relationship distress")
        shades = key.locator("rect").evaluate_all("rs => rs.map(r => r.getAttribute('fill'))")
        light = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in shades]
        assert light == sorted(light, reverse=True), shades
    finally:
        context.close()
