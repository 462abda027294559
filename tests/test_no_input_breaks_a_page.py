"""No input breaks a page (issue 16): each rule is built once and tested here through HTTP, on
SQLite and PostgreSQL. Exercise Markdown emits no images; everything but Mend's own files is
no-store."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

import pytest
from flask import Flask
from sqlalchemy import select

from practice.db import db
from practice.exercises.definitions import KINDS
from practice.models import Couple, Response
from tests.factories import SIMPLE_EXERCISE, World, make_assignment, make_template

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


# Every question kind round-trips through a draft ---------------------------------------------

# What a partner types for each kind, and how the reopened page must show it.
TYPED = {
    "short_text": ("Łódź & “quotes”", r'name="f_short_text"[^>]*value="Łódź &amp; “quotes”"'),
    "long_text": ("Two\r\nlines", r'name="f_long_text"[^>]*>\r\nTwo\r\nlines</textarea>'),
    "scale": ("7", r'<input checked[^>]*name="f_scale"[^>]*value="7"'),
    "single_choice": ("Tense", r'<input checked[^>]*name="f_single_choice"[^>]*value="Tense"'),
    "multi_choice": (
        ["Walk", "Rest"],
        r'<input checked[^>]*name="f_multi_choice"[^>]*value="Rest"',
    ),
    "yes_no": ("no", r'<input checked[^>]*name="f_yes_no"[^>]*value="no"'),
    "date": ("2026-11-30", r'name="f_date"[^>]*value="2026-11-30"'),
    "number": ("2.5", r'name="f_number"[^>]*value="2.5"'),
}
OPTIONS = {"single_choice": ["Calm", "Tense"], "multi_choice": ["Walk", "Talk", "Rest"]}


def _every_kind(answered_by: str) -> dict:
    fields = [{"key": "reason", "label": "Why", "kind": "short_text", "required": True}]
    for kind in KINDS:
        field = {"key": kind, "label": kind.replace("_", " "), "kind": kind}
        if kind in ("scale", "number"):
            field.update(min=0, max=10)
        if kind in OPTIONS:
            field["options"] = OPTIONS[kind]
        fields.append(field)
    return {**SIMPLE_EXERCISE, "answered_by": answered_by, "fields": fields}


def _revision(html: str) -> str:
    return re.search(r'name="revision"[^>]*value="(\d+)"', html).group(1)


def _assert_shown(html: str) -> None:
    for kind, (_typed, shown) in TYPED.items():
        assert re.search(shown, html), f"{kind} is not shown as typed"
    assert re.search(r'<input checked[^>]*name="f_multi_choice"[^>]*value="Walk"', html)


@pytest.mark.parametrize("draft", ["save", "autosave", "failed send"])
@pytest.mark.parametrize("answered_by", ["each", "together"])
def test_every_question_kind_round_trips_through_a_draft(
    app: Flask, world: World, as_user, draft: str, answered_by: str
) -> None:
    assert set(TYPED) == set(KINDS), "a new kind of question needs its round trip here"
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, **_every_kind(answered_by))
        assignment = make_assignment(db.session, couple, template, answered_by=answered_by).id
        db.session.commit()
    url = f"/tasks/{assignment}/{TODAY}"
    typed = {f"f_{kind}": value for kind, (value, _shown) in TYPED.items()}
    for email in ("ia@client.test", "va@client.test"):
        partner = as_user(email)
        page = partner.get(url)
        assert page.status_code == 200
        revision = _revision(page.get_data(as_text=True))
        if answered_by == "each" or email == "ia@client.test":
            posted = {**typed, "revision": revision}
            if draft == "autosave":
                saved = partner.submit(url + "/autosave", posted)
                assert saved.status_code == 200, saved.get_data(as_text=True)
            elif draft == "save":
                assert partner.submit(url, {**posted, "action": "save"}).status_code == 302
            else:  # the required reason is missing: nothing is sent, the words are kept
                assert partner.submit(url, {**posted, "action": "submit"}).status_code == 400
        # Reopened later (in a joint answer, by the other partner too), every value is there.
        reopened = partner.get(url)
        assert reopened.status_code == 200, email
        html = reopened.get_data(as_text=True)
        _assert_shown(html)
        if answered_by == "each" or email == "va@client.test":
            sent = partner.submit(
                url,
                {**typed, "f_reason": "because", "action": "submit", "revision": _revision(html)},
            )
            assert sent.status_code == 302, sent.get_data(as_text=True)
            answer = partner.get(sent.headers["Location"]).get_data(as_text=True)
            for text in ("Łódź", "Tense", "Walk", "Rest", "2.5", "7", "because"):
                assert text in answer, (email, text)
    with app.app_context():
        sent = db.session.scalars(
            select(Response).where(Response.assignment_id == assignment)
        ).all()
        assert {r.status for r in sent} == {"submitted"}
        assert len(sent) == (2 if answered_by == "each" else 1)
        for response in sent:
            assert response.answers["number"] == 2.5 and response.answers["scale"] == 7
            assert response.answers["yes_no"] is False and response.answers["date"] == "2026-11-30"
            assert response.answers["multi_choice"] == ["Walk", "Rest"]
