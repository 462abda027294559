"""No input breaks a page (issue 16): each rule is built once and tested here through HTTP, on
SQLite and PostgreSQL. Exercise Markdown emits no images; everything but Mend's own files is
no-store."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

import pytest
from flask import Flask

from practice.db import db
from practice.models import Couple
from tests.factories import World

TODAY = date.today()


# Markdown emits no images ----------------------------------------------------------------------


def test_exercise_markdown_shows_an_images_alt_text_and_fetches_nothing(
    world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    edit = browser.submit(
        f"/library/{world.template_a}/edit",
        {
            "title": "Dr A's reflection",
            "stage": "2",
            "purpose": "Why ![remote](http://tracker.example/why.png) matters.",
            "instructions": "See ![a <b>tracking</b> pixel](http://tracker.example/p.png), "
            "![by reference][pic] and ![local](/static/mend.css).\n\n"
            "[pic]: https://tracker.example/ref.png",
            "answered_by": "each",
            "visibility": "shared",
            "recurrence": "",
        },
    )
    assert edit.status_code == 302
    for url in (f"/library/{world.template_a}", f"/tasks/{world.assignment_a}/{TODAY}"):
        who = "a@clinic.test" if url.startswith("/library") else "va@client.test"
        html = as_user(who).get(url).get_data(as_text=True)
        assert "<img" not in html and "tracker.example" not in html, url
        assert "a &lt;b&gt;tracking&lt;/b&gt; pixel" in html, url
        assert "by reference" in html and "local" in html, url


# No-store on everything that carries a token or a person's data --------------------------------


def test_tokens_keep_alive_and_every_page_are_no_store_but_static_files_may_be_cached(
    app: Flask, world: World, as_user, client
) -> None:
    partner = as_user("va@client.test")
    token = partner.get("/csrf-token")
    assert token.status_code == 200 and token.is_json
    alive = partner.get("/keep-alive")
    assert alive.status_code == 200 and alive.is_json
    saved = partner.submit(
        f"/tasks/{world.assignment_a}/{TODAY}/autosave",
        {"f_answer_1": "words", "f_mood": "5", "revision": "0"},
    )
    assert saved.status_code == 200 and saved.is_json
    words = partner.get("/settings/my-words.json")
    for response in (token, alive, saved, words, partner.get("/today"), client.get("/nowhere")):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    static = client.get("/static/mend.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


# Ids beyond what a column holds are a 404 ------------------------------------------------------

OTHER_VALUES = {"day": TODAY.isoformat(), "token": "x", "key": "answer_1", "action": "pause"}


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648", "-1", "007", "٣"])
def test_every_int_route_answers_404_for_ids_no_column_holds(
    app: Flask, world: World, as_user, value: str
) -> None:
    """Huge, negative, zero-padded and non-ASCII numbers match no route, whoever asks."""
    browsers = {
        "anonymous": app.test_client(),
        "clinician": as_user("a@clinic.test"),
        "partner": as_user("va@client.test"),
    }
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) > 40
    for rule in rules:
        path = re.sub(r"<int:\w+>", value, rule.rule)
        path = re.sub(r"<(\w+)>", lambda m: OTHER_VALUES[m.group(1)], path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, browser in browsers.items():
                answer = browser.open(path, method=method)
                assert answer.status_code in (404, 405), (who, method, path)


# Downloads are named per RFC 6266 ---------------------------------------------------------------


def _saved_name(header: str) -> str:
    """The file name a browser saves, from the filename* parameter; the header itself must be
    one a server may send (Latin-1; here plain ASCII) and its fallback free of quotes."""
    header.encode("ascii")
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    assert "\\" not in fallback and not re.search(r"[\x00-\x1f\x7f]", fallback)
    assert header.count('"') == 2
    return unquote(re.search(r"filename\*=UTF-8''([^;\s]+)$", header).group(1), errors="strict")


@pytest.mark.parametrize(
    "label", ["Łódź-12", "König & İşik", 'The "Quiet"; Ones\\ 100%', "Tab\there"]
)
def test_every_download_is_named_safely_whatever_the_label(
    app: Flask, world: World, as_user, label: str
) -> None:
    with app.app_context():
        db.session.get(Couple, world.couple_a).label = label
        db.session.commit()
    clinician = as_user("a@clinic.test")
    partner = as_user("ia@client.test")
    report = clinician.get(f"/reports/{world.report_a}")
    assert report.status_code == 200
    name = _saved_name(report.headers["Content-Disposition"])
    assert name.startswith(f"mend-{label.replace(' ', '-')}-") and name.endswith(".pdf")
    for browser, url, ending in (
        (clinician, f"/couples/{world.couple_a}/export.json", ".json"),
        (partner, "/settings/my-words.json", ".json"),
        (partner, "/settings/my-words.pdf", ".pdf"),
    ):
        answer = browser.get(url)
        assert answer.status_code == 200, url
        assert _saved_name(answer.headers["Content-Disposition"]).endswith(ending), url
