"""A queued report's status page looks again in place: the clinician sees "Ready." and the
download link appear without the page reloading under them (no <meta refresh>)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from redis import Redis
from redis.exceptions import RedisError

from practice.jobs.worker import run_worker
from tests import factories
from tests.factories import World

from .conftest import DEFAULT_TIMEOUT_MS, DESKTOP

pytestmark = pytest.mark.browser
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def queued_app(app: Flask) -> Iterator[Flask]:
    """The live server's app printing reports through the job queue, under its own names."""
    try:
        Redis.from_url(REDIS).ping()
    except RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    prefix = f"mendtest-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL=REDIS, QUEUE_PREFIX=prefix)
    yield app
    conn = Redis.from_url(REDIS)
    for key in conn.scan_iter(match=f"*{prefix}*"):
        conn.delete(key)
    for registry in ("rq:queues", "rq:workers"):
        mine = [m for m in conn.smembers(registry) if prefix.encode() in m]
        if mine:
            conn.srem(registry, *mine)


def test_the_status_page_shows_the_report_ready_without_reloading(
    browser: Browser, queued_app: Flask, live_server: str, world: World
) -> None:
    context = browser.new_context(locale="en-GB", viewport=DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill("a@clinic.test")
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server}/couples/{world.couple_a}/report")
        page.get_by_role("button", name="Print PDF").click()
        status = page.get_by_role("status")
        expect(status).to_contain_text("Queued.")
        page.evaluate("window.stillTheSamePage = true")
        assert run_worker(queued_app, burst=True) is True
        expect(status).to_contain_text("Ready.")
        expect(status.get_by_role("link", name="Download the PDF")).to_be_visible()
        assert page.evaluate("window.stillTheSamePage") is True  # updated in place
    finally:
        context.close()
