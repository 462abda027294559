"""Browser fixtures: the real Mend app served on a loopback port, and Debian's Chromium.

The server wraps the `app` fixture from tests/conftest.py, so every test gets a clean database
migrated to head, on SQLite and (when PRACTICE_TEST_DATABASE_URL is set) on PostgreSQL.
Chromium is the system one (`apt-get install -y chromium`); Playwright never downloads a browser.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from werkzeug.serving import make_server

CHROMIUM_CANDIDATES = (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
# Every wait in these tests is for a condition (an element, a URL, a response); this is only how
# long to keep waiting before calling it a failure. Generous, because on a machine with both
# cores busy a page can take seconds, and a tight bound turned slowness into failures.
DEFAULT_TIMEOUT_MS = 30_000
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


def chromium_executable() -> Path:
    """The system Chromium binary; fails the run, visibly, when it is not installed."""
    for candidate in CHROMIUM_CANDIDATES:
        if candidate.exists():
            return candidate
    pytest.fail(
        "Browser tests need Debian's Chromium, which is not installed "
        f"(looked for {', '.join(str(c) for c in CHROMIUM_CANDIDATES)}). "
        "Install it with: apt-get install -y chromium",
        pytrace=False,
    )


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served by a threaded Werkzeug server on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="mend-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    """Playwright's sync API, started once for the session."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Headless system Chromium, shared by the session."""
    executable = chromium_executable()
    browser = playwright_instance.chromium.launch(
        executable_path=str(executable), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) for one test."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A tab in the test's browser profile."""
    return context.new_page()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ at the repository root (gitignored), for screenshots people look at."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def new_context(browser: Browser, *, phone: bool) -> BrowserContext:
    """A fresh browser profile: a touch phone 390 px wide, or a desktop window."""
    if phone:
        context = browser.new_context(
            locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True
        )
    else:
        context = browser.new_context(locale="en-GB", viewport=DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture
def contexts(browser: Browser) -> Iterator[dict[str, BrowserContext]]:
    """One browser profile per person: each partner on a phone, the clinician at a desk."""
    made = {
        "injured": new_context(browser, phone=True),
        "involved": new_context(browser, phone=True),
        "clinician": new_context(browser, phone=False),
    }
    yield made
    for context in made.values():
        context.close()
