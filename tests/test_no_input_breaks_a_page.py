"""No input breaks a page (issue 16): each rule is built once and tested here through HTTP, on
SQLite and PostgreSQL. Exercise Markdown emits no images; everything but Mend's own files is
no-store."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from markupsafe import escape
from sqlalchemy import select

import practice
from practice.db import db
from practice.exercises.definitions import KINDS, parse_definition
from practice.exercises.library import LIBRARY
from practice.forms import MendForm
from practice.inputs import REFUSED
from practice.models import Couple, Response
from practice.worksheets.forms import build_form
from tests.factories import PASSWORD, SIMPLE_EXERCISE, World, make_assignment, make_template

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

OTHER_VALUES = {
    "day": TODAY.isoformat(),
    "token": "x",
    "key": "answer_1",
    "action": "pause",
    "language": "es",
}


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


# Control characters are refused in every text input, in one base form ------------------------

REFUSED_SHOWN = str(escape(str(REFUSED)))  # a lazy string counts as markup to escape()
NUL = "\x00"


def _form_cases(world: World) -> list[tuple[str | None, str, dict, str | None]]:
    """(who, url, form values with a control character, the words shown again)."""
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    return [
        (None, "/login", {"email": f"a{NUL}@clinic.test", "password": PASSWORD}, "a@clinic.test"),
        (None, "/forgot-password", {"email": f"a@clinic.test{NUL}"}, "a@clinic.test"),
        (None, "/login", {"email": "a@clinic.test", "password": PASSWORD + NUL}, None),
        (
            "a@clinic.test",
            "/couples/new",
            {
                "label": f"Couple{NUL} Zed\x1b",
                "started_on": TODAY.isoformat(),
                "stage": "1",
                "injured_name": "Robin",
                "injured_email": "robin@example.com",
                "involved_name": "Alex",
                "involved_email": "alex@example.com",
            },
            "Couple Zed",
        ),
        (
            "a@clinic.test",
            f"/couples/{world.couple_a}/boundaries",
            {"text": "No\x07 calls\tafter ten", "check_period": "daily", "agreed_in_session": "y"},
            "No calls\tafter ten",
        ),
        (
            "a@clinic.test",
            f"/appointments/{world.appointment_a}/edit",
            {
                "starts_at": f"{tomorrow}T14:30",
                "duration_minutes": "50",
                "agenda_note": "Talk\x7f about\r\nthe week",
            },
            "Talk about\r\nthe week",
        ),
        (
            "a@clinic.test",
            f"/responses/{world.response_a}",
            {"reviewed": "y", "comment": f"Seen{NUL}"},
            "Seen",
        ),
        (
            "a@clinic.test",
            "/library/new",
            {
                "title": f"Evening{NUL}",
                "stage": "7",
                "answered_by": "involved",
                "visibility": "clinician",
                "recurrence": "",
                "first_label": "What helped?",
                "first_kind": "long_text",
            },
            "Evening",
        ),
        (
            "admin@clinic.test",
            "/admin/users",
            {"email": "new@example.com", "display_name": f"Dr{NUL} New", "role": "clinician"},
            "Dr New",
        ),
        (
            "va@client.test",
            f"/tasks/{world.assignment_a}/{TODAY}",
            {
                "f_answer_1": f"My{NUL} words\u0085 stay",
                "f_mood": "6",
                "action": "submit",
                "revision": "0",
            },
            "My words stay",
        ),
    ]


def test_a_control_character_in_any_text_is_refused_kindly_and_the_words_stay(
    app: Flask, world: World, as_user
) -> None:
    for who, url, values, shown in _form_cases(world):
        browser = app.test_client() if who is None else as_user(who)
        answer = browser.submit(url, values)
        html = answer.get_data(as_text=True)
        assert answer.status_code in (200, 400), (url, answer.status_code)
        assert REFUSED_SHOWN in html, url
        if shown is not None:
            assert str(escape(shown)) in html, url
        assert NUL not in html, url
    with app.app_context():
        # Nothing was made; the worksheet's words were kept as a draft, without the NUL.
        assert db.session.scalar(select(Couple).where(Couple.label.like("%Zed%"))) is None
        draft = db.session.scalar(
            select(Response).where(
                Response.assignment_id == world.assignment_a, Response.slot == "involved"
            )
        )
        assert draft.status == "draft" and draft.answers["answer_1"] == "My words stay"


def test_non_form_inputs_refuse_controls_and_numbers_no_column_holds(
    app: Flask, world: World, as_user
) -> None:
    partner = as_user("va@client.test")
    logged = partner.submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": TODAY.isoformat(), "status": "kept", "note": f"fine, mostly{NUL}"},
    )
    assert logged.status_code == 400
    page = logged.get_data(as_text=True)
    assert "characters Mend can" in page
    assert ">fine, mostly</textarea>" in page  # the note is still there, without the NUL
    saved = partner.submit(
        f"/tasks/{world.assignment_a}/{TODAY}/autosave",
        {"f_answer_1": f"typed{NUL}\x01 on", "f_mood": "5", "revision": "0"},
    )
    assert saved.status_code == 200
    with app.app_context():
        draft = db.session.scalar(
            select(Response).where(
                Response.assignment_id == world.assignment_a, Response.slot == "involved"
            )
        )
        assert draft.answers["answer_1"] == "typed on"
    clinician = as_user("a@clinic.test")
    admin = as_user("admin@clinic.test")
    huge = "99999999999999999999"
    for browser, url in (
        (clinician, f"/couples/{world.couple_a}/responses?exercise={{}}"),
        (clinician, f"/couples/{world.couple_a}/responses?stage={{}}"),
        (clinician, f"/couples/{world.couple_a}/assign?template={{}}"),
        (clinician, "/library/?stage={}"),
        (admin, "/admin/audit?user={}"),
        (admin, "/admin/audit?couple={}"),
        (admin, "/admin/audit?page={}"),
        (partner, "/answers?page={}"),
        (partner, "/checkins?days={}"),
        (partner, "/support?after={}"),
    ):
        assert browser.get(url.format(huge)).status_code == 404, url
        assert browser.get(url.format("x%00")).status_code == 400, url
        assert browser.get(url.format("")).status_code == 200, url


def test_every_form_in_mend_is_a_mend_form(app: Flask) -> None:
    """Forms inherit the one place that refuses control characters, the worksheet's too."""
    for module in pkgutil.walk_packages(practice.__path__, "practice."):
        importlib.import_module(module.name)
    found, waiting = [], list(FlaskForm.__subclasses__())
    while waiting:
        form = waiting.pop()
        waiting.extend(form.__subclasses__())
        if form.__module__.startswith("practice."):
            found.append(form)
    assert len(found) > 20
    strays = [f"{f.__module__}.{f.__qualname__}" for f in found if not issubclass(f, MendForm)]
    assert strays == []
    with app.test_request_context():
        for raw in LIBRARY[:3]:
            assert isinstance(build_form(parse_definition(raw), "injured"), MendForm)


def test_saving_a_draft_with_a_control_character_is_refused_and_the_words_stay(
    app: Flask, world: World, as_user
) -> None:
    partner = as_user("va@client.test")
    saved = partner.submit(
        f"/tasks/{world.assignment_a}/{TODAY}",
        {"f_answer_1": f"Half{NUL} written", "action": "save", "revision": "0"},
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 400 and REFUSED_SHOWN in html and "Half written" in html
    assert "Please choose" not in html  # a draft need not be complete: only this is said
    with app.app_context():
        assert (
            db.session.scalar(
                select(Response).where(
                    Response.assignment_id == world.assignment_a, Response.slot == "involved"
                )
            )
            is None
        )
