"""axe-core on every page of every role: no critical or serious violation, on a 390 px phone (in
Spanish, so translated pages are checked too) and a 1280 px desk (in English).

The pages are the access walk's: every GET route each reader may open, with the World's ids
(tests/pseudo.py `pages_of`), plus a 404 and a 403 page. A route added to Mend is in the walk
(tests/test_access.py fails otherwise), so a new page is checked here without a change.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page

from tests import factories, pseudo
from tests.factories import World

from .conftest import DEFAULT_TIMEOUT_MS, DESKTOP, PHONE

pytestmark = pytest.mark.browser
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

WIDTHS = {"390": (PHONE, "es-ES"), "1280": (DESKTOP, "en-GB")}


def _serious(page: Page) -> list[str]:
    results = axe_playwright.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} [{', '.join(n['target'][0] for n in v['nodes'])}]"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


# Markup does not depend on the database: one backend is enough for what axe reads.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("reader", list(pseudo.READERS))
def test_every_page_has_no_serious_axe_violations(
    browser: Browser, live_server: str, app: Flask, world: World, reader: str, width: str
) -> None:
    viewport, locale = WIDTHS[width]
    language = locale.split("-")[0]
    context = browser.new_context(
        locale=locale, viewport=viewport, extra_http_headers={"Accept-Language": language}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    checked = 0
    try:
        email = pseudo.READERS[reader]
        if email:
            page.goto(f"{live_server}/login")
            page.locator("input[name=email]").fill(email)
            page.locator("input[name=password]").fill(factories.PASSWORD)
            page.locator("form button[type=submit]").first.click()
            page.wait_for_load_state()
            assert "/login" not in page.url, f"{email} could not sign in"
        for endpoint, url in pseudo.pages_of(app, world, reader):
            # Files, feeds and JSON are not pages; a browser would download them.
            head = context.request.get(f"{live_server}{url}", max_redirects=0)
            if "text/html" not in head.headers.get("content-type", "") or head.status >= 500:
                assert head.status < 500, (url, head.status)
                continue
            page.goto(f"{live_server}{url}")
            checked += 1
            problems = _serious(page)
            if problems:
                found[f"{endpoint} {url}"] = problems
    finally:
        context.close()
    assert checked >= 3, checked
    assert not found, "\n".join(f"{where}: {'; '.join(p)}" for where, p in found.items())
