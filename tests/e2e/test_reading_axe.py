"""axe-core finds no critical or serious violation on the pages this work changed, on a
390 px phone and a 1280 px desk (axe-core ships inside the axe-playwright-python package)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import factories

from .conftest import DEFAULT_TIMEOUT_MS
from .test_chart_reading import CLINICIAN_EMAIL, INJURED_EMAIL, Seeded, seeded  # noqa: F401

pytestmark = pytest.mark.browser
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")


def _serious(page: Page) -> list[str]:
    results = axe_playwright.Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_reading_pages_have_no_serious_axe_violations(
    browser: Browser,
    live_server: str,
    seeded: Seeded,  # noqa: F811
    width: int,
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    found: list[str] = []
    try:
        _sign_in(page, live_server, INJURED_EMAIL)
        page.get_by_role("link", name="Daily check-in").first.click()
        expect(page.get_by_role("heading", name="Daily check-in", level=1)).to_be_visible()
        found += _serious(page)
        if width < 500:
            page.get_by_role("button", name="Menu").click()  # the open menu too
            found += _serious(page)
        for path in ("/checkins", "/answers", "/answers?q=nothing-like-this"):
            page.goto(f"{live_server}{path}")
            found += _serious(page)
        page.context.clear_cookies()
        _sign_in(page, live_server, CLINICIAN_EMAIL)
        couple = seeded.couple_id
        for path in (
            f"/couples/{couple}/insights",
            f"/couples/{couple}/responses",
            f"/couples/{couple}/report",
            f"/couples/{couple}/report/preview?audience=couple",
            f"/couples/{couple}/audit",
            "/library/",
            "/library/?q=check",
        ):
            page.goto(f"{live_server}{path}")
            found += _serious(page)
    finally:
        context.close()
    assert not found, "\n".join(found)
