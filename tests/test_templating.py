"""The pages' links: built once and remembered, and still right wherever Mend is mounted."""

from __future__ import annotations

from flask import Flask

from practice.templating import remembered_links
from tests.factories import World


def test_remembered_links_follow_the_path_mend_is_served_under(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    page = f"/couples/{world.couple_a}"
    plain = browser.get(page).text
    mounted = browser.get(page, environ_overrides={"SCRIPT_NAME": "/mend"}).text
    again = browser.get(page).text

    assert f'href="/couples/{world.couple_a}/insights"' in plain
    assert f'href="/mend/couples/{world.couple_a}/insights"' in mounted
    assert f'href="/couples/{world.couple_a}/insights"' not in mounted
    assert 'href="/mend/' not in again


def test_remembered_links_match_flasks_and_pass_through_what_they_cannot_keep(
    app: Flask,
) -> None:
    url_for = remembered_links(app)
    with app.test_request_context("/"):
        for _ in range(2):  # built, then remembered
            assert url_for("couples.detail", couple_id=7) == app.url_for(
                "couples.detail", couple_id=7
            )
        # A list for a query string cannot be a key; an anchor or an external link is built
        # by Flask each time.
        assert url_for("couples.dashboard", tag=["a", "b"]) == "/couples/?tag=a&tag=b"
        assert url_for("couples.detail", couple_id=7, _anchor="exercises").endswith(
            "/couples/7#exercises"
        )
        assert url_for("couples.detail", couple_id=7, _external=True).startswith("http://")
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/mend"}):
        assert url_for("couples.detail", couple_id=7) == "/mend/couples/7"
