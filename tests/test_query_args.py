"""Whole numbers in query strings and posted revisions: one beyond what the database holds is
not found (404) or refused, letters are a bad request (400), never a 500."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

import practice
from tests.factories import World

HUGE = "99999999999999999999"


def _urls(world: World) -> list[tuple[str, str]]:
    return [
        ("admin@clinic.test", f"/admin/audit?page={HUGE}"),
        ("admin@clinic.test", f"/admin/audit?user={HUGE}"),
        ("admin@clinic.test", f"/admin/audit?couple={HUGE}"),
        ("a@clinic.test", f"/couples/{world.couple_a}/audit?page={HUGE}"),
        ("a@clinic.test", f"/couples/{world.couple_a}/assign?template={HUGE}"),
        ("a@clinic.test", f"/couples/{world.couple_a}/responses?exercise={HUGE}&stage={HUGE}"),
        ("a@clinic.test", f"/library/?stage={HUGE}"),
        ("ia@client.test", f"/answers?page={HUGE}"),
        ("ia@client.test", f"/checkins?days={HUGE}"),
        ("ia@client.test", f"/support?after={HUGE}"),
    ]


def test_huge_numbers_in_query_strings_are_not_found(app: Flask, world: World, as_user) -> None:
    browsers: dict = {}
    for email, url in _urls(world):
        browser = browsers.setdefault(email, as_user(email))
        assert browser.get(url).status_code == 404, url
        assert browser.get(url.replace(HUGE, "twelve")).status_code == 400, url


def test_a_page_past_the_end_is_an_empty_page(app: Flask, world: World, as_user) -> None:
    browser = as_user("admin@clinic.test")
    assert browser.get("/admin/audit?page=2147483647").status_code == 200


def test_views_read_numbers_from_query_strings_through_query_int() -> None:
    """One place keeps query numbers in range; a view reading one itself could 500 again."""
    root = Path(practice.__file__).parent
    direct = re.compile(r"request\.(args|values)\.get\([^)]*type=int")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "inputs.py" and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"use practice.inputs.query_int in: {offenders}"


@pytest.mark.parametrize(("value", "status"), [("abc", 400), ("2147483648", 404), (HUGE, 404)])
def test_query_int_refuses_what_no_id_holds(app: Flask, value: str, status: int) -> None:
    from werkzeug.exceptions import HTTPException

    from practice.inputs import query_int

    with app.test_request_context(f"/?n={value}"), pytest.raises(HTTPException) as refused:
        query_int("n", 7)
    assert refused.value.code == status
    with app.test_request_context("/?n=2147483647"):
        assert query_int("n", 7) == 2147483647
    with app.test_request_context("/"):
        assert query_int("n", 7) == 7


@pytest.mark.parametrize("path", ["", "/autosave"])
def test_a_draft_revision_beyond_the_database_is_a_conflict_not_a_500(
    app: Flask, world: World, as_user, path: str
) -> None:
    from datetime import date

    browser = as_user("ia@client.test")
    url = f"/tasks/{world.assignment_a}/{date.today().isoformat()}{path}"
    draft = {"f_answer_1": "words", "f_mood": "5", "action": "save"}
    assert browser.submit(url, {**draft, "revision": "0"}).status_code < 400  # a draft to compare
    response = browser.submit(url, {**draft, "f_answer_1": "more words", "revision": HUGE})
    assert response.status_code == 409, response.status_code  # an older save, not a 500
