"""Partners fill in worksheets: Today, drafts, revisions, submit once, bad input, privacy."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from practice.auth.sessions import end_all_sessions
from practice.db import db
from practice.models import Assignment, Couple, ParkedDraft, Response, User
from tests.factories import PASSWORD, World, make_assignment, make_response, make_template

TODAY = date.today()


def _url(world: World, days_ago: int = 0) -> str:
    return f"/tasks/{world.assignment_a}/{(TODAY - timedelta(days=days_ago)).isoformat()}"


def _responses(app: Flask, **where) -> list[Response]:
    with app.app_context():
        query = select(Response)
        for key, value in where.items():
            query = query.where(getattr(Response, key) == value)
        return db.session.scalars(query).all()


def _revision(html: str) -> str:
    return re.search(r'name="revision" type="hidden" value="(\d+)"', html).group(1)


GOOD = {"f_answer_1": "We walked and talked without phones.", "f_mood": "6"}


def test_today_lists_due_overdue_and_upcoming(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, title="Weekly letter")
        make_assignment(
            db.session,
            couple,
            template,
            days_ago=0,
            schedule="once",
            due_on=TODAY + timedelta(days=4),
        )
        db.session.commit()
    html = as_user("ia@client.test").get("/today").get_data(as_text=True)
    due, rest = html.split('id="due-h"')[1].split('id="overdue-h"')
    assert "Dr A&#39;s reflection" in due and _url(world) in due
    overdue, upcoming = rest.split('id="week-h"')
    assert _url(world, 2) in overdue and _url(world, 3) in overdue
    assert _url(world, 1) not in overdue  # yesterday's is already sent
    assert "Weekly letter" in upcoming and "every day, next on" in upcoming
    assert upcoming.count("Dr A&#39;s reflection") == 1  # one line, not one per day


def test_a_draft_stays_on_the_version_it_was_written_on(app: Flask, world: World, as_user) -> None:
    partner = as_user("va@client.test")
    partner.submit(_url(world), {**GOOD, "action": "save", "revision": "0"})
    # The clinician rewords a question the draft answers: the template gets a new version.
    as_user("a@clinic.test").submit(
        f"/library/{world.template_a}/fields/answer_1/edit",
        {"key": "answer_1", "label": "What mattered most this week?", "kind": "long_text"},
    )
    draft = partner.get(_url(world)).get_data(as_text=True)
    assert "We walked and talked without phones." in draft
    assert "What stood out this week?" in draft and "What mattered most" not in draft
    unanswered = partner.get(_url(world, 2)).get_data(as_text=True)  # still open, no draft
    assert "What mattered most this week?" in unanswered
    assert "What stood out this week?" not in unanswered


def test_saving_a_draft_then_sending_makes_one_response(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    page = browser.get(_url(world)).get_data(as_text=True)
    assert _revision(page) == "0"
    saved = browser.submit(_url(world), {**GOOD, "action": "save", "revision": "0"})
    assert saved.status_code == 302
    page = browser.get(_url(world)).get_data(as_text=True)
    assert "We walked and talked without phones." in page and _revision(page) == "1"
    sent = browser.submit(
        _url(world), {**GOOD, "action": "submit", "revision": "1", "visibility": "shared"}
    )
    assert sent.status_code == 302 and "/answers/" in sent.headers["Location"]
    # Replaying the same POST (double click, back button) sends nothing new.
    replay = browser.submit(
        _url(world), {**GOOD, "action": "submit", "revision": "1", "visibility": "shared"}
    )
    assert replay.status_code == 302 and replay.headers["Location"] == sent.headers["Location"]
    rows = _responses(app, assignment_id=world.assignment_a, slot="involved")
    assert len(rows) == 1
    assert rows[0].status == "submitted" and rows[0].answers == {
        "answer_1": "We walked and talked without phones.",
        "mood": 6,
    }
    assert rows[0].visibility == "shared"


@pytest.mark.parametrize(
    "form, message",
    [
        ({"f_answer_1": "x" * 201, "f_mood": "5"}, "Please keep this to 200 characters"),
        ({"f_answer_1": "fine", "f_mood": "11"}, "Please choose a number from 0 to 10."),
        ({"f_answer_1": "fine", "f_mood": "-1"}, "Please choose a number from 0 to 10."),
        ({"f_answer_1": "fine", "f_mood": "lots"}, "Please choose a number from 0 to 10."),
        ({"f_answer_1": "", "f_mood": "5"}, "Please write something here."),
        ({"f_answer_1": "fine"}, "Please choose a number from 0 to 10."),
    ],
)
def test_bad_answers_are_explained_and_the_words_are_kept(
    app: Flask, world: World, as_user, form: dict, message: str
) -> None:
    browser = as_user("va@client.test")
    response = browser.submit(_url(world), {**form, "action": "submit", "revision": "0"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if form["f_answer_1"]:
        assert form["f_answer_1"] in html  # still in the form
    rows = _responses(app, assignment_id=world.assignment_a, slot="involved")
    assert len(rows) == 1 and rows[0].status == "draft"  # kept as a draft, nothing sent
    assert rows[0].answers["answer_1"] == form["f_answer_1"]


def test_fields_the_template_does_not_have_are_refused(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    response = browser.submit(
        _url(world), {**GOOD, "f_injected": "x", "action": "submit", "revision": "0"}
    )
    assert response.status_code == 400
    assert "doesn&#39;t have" in response.get_data(as_text=True)
    assert _responses(app, assignment_id=world.assignment_a, slot="involved") == []


def test_choice_and_date_fields_check_their_values(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(
            db.session,
            None,
            fields=[
                {
                    "key": "pick",
                    "label": "Pick",
                    "kind": "single_choice",
                    "options": ["A", "B"],
                    "required": True,
                },
                {"key": "many", "label": "Many", "kind": "multi_choice", "options": ["X", "Y"]},
                {"key": "when", "label": "When", "kind": "date"},
                {"key": "count", "label": "Count", "kind": "number", "min": 0, "max": 20},
                {"key": "sure", "label": "Sure?", "kind": "yes_no"},
            ],
        )
        assignment_id = make_assignment(db.session, couple, template, days_ago=0).id
        db.session.commit()
    url = f"/tasks/{assignment_id}/{TODAY.isoformat()}"
    browser = as_user("ia@client.test")
    bad = browser.submit(
        url,
        {
            "f_pick": "C",
            "f_many": ["X", "Z"],
            "f_when": "31/02/2026",
            "f_count": "99",
            "f_sure": "maybe",
            "action": "submit",
            "revision": "0",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for message in (
        "Please choose one of the options.",
        "Please give a date, such as",
        "Please give a number from 0 to 20.",
        "Please choose yes or no.",
    ):
        assert message in html, message
    assert "&#39;Z&#39; is not a valid choice" in html or "not a valid choice" in html
    revision = _revision(html)
    good = browser.submit(
        url,
        {
            "f_pick": "B",
            "f_many": ["X", "Y"],
            "f_when": "2026-12-03",
            "f_count": "2.5",
            "f_sure": "yes",
            "action": "submit",
            "revision": revision,
        },
    )
    assert good.status_code == 302
    (row,) = _responses(app, assignment_id=assignment_id)
    assert row.answers == {
        "pick": "B",
        "many": ["X", "Y"],
        "when": "2026-12-03",
        "count": 2.5,
        "sure": True,
    }
    page = browser.get(good.headers["Location"]).get_data(as_text=True)
    assert "3 Dec 2026" in page and "X, Y" in page and ">Yes<" in page


def test_an_older_save_never_overwrites_a_newer_one(app: Flask, world: World, as_user) -> None:
    first_tab = as_user("va@client.test")
    first_tab.submit(_url(world), {"f_answer_1": "version one", "action": "save", "revision": "0"})
    # A second tab saves on top of revision 1.
    first_tab.submit(_url(world), {"f_answer_1": "version two", "action": "save", "revision": "1"})
    # The first tab, still holding revision 1, saves late: refused, nothing lost.
    stale = first_tab.submit(
        _url(world), {"f_answer_1": "stale words from tab one", "action": "save", "revision": "1"}
    )
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "saved more recently in another window" in html
    assert "stale words from tab one" in html and "version two" in html
    (row,) = _responses(app, assignment_id=world.assignment_a, slot="involved")
    assert row.answers["answer_1"] == "version two" and row.revision == 2


def test_autosave_uses_revisions_too(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    url = _url(world) + "/autosave"
    ok = browser.submit(url, {"f_answer_1": "typed", "revision": "0"})
    assert ok.status_code == 200 and ok.get_json()["revision"] == 1
    stale = browser.submit(url, {"f_answer_1": "older", "revision": "0"})
    assert stale.status_code == 409 and stale.get_json()["error"] == "conflict"
    unknown = browser.submit(url, {"f_nope": "x", "revision": "1"})
    assert unknown.status_code == 400
    (row,) = _responses(app, assignment_id=world.assignment_a, slot="involved")
    assert row.answers["answer_1"] == "typed"


def test_answering_for_the_other_partner_is_not_possible(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, answered_by="injured", visibility="clinician")
        only_injured = make_assignment(
            db.session, couple, template, days_ago=0, answered_by="injured", visibility="clinician"
        ).id
        db.session.commit()
    url = f"/tasks/{only_injured}/{TODAY.isoformat()}"
    involved = as_user("va@client.test")
    assert involved.get(url).status_code == 404
    assert involved.submit(url, {**GOOD, "action": "submit", "revision": "0"}).status_code == 404
    assert _responses(app, assignment_id=only_injured) == []
    assert as_user("ia@client.test").get(url).status_code == 200


@pytest.mark.parametrize("status, message", [("paused", "paused"), ("stopped", "stopped")])
def test_paused_or_stopped_assignments_cannot_be_answered(
    app: Flask, world: World, as_user, status: str, message: str
) -> None:
    with app.app_context():
        db.session.get(Assignment, world.assignment_a).status = status
        db.session.commit()
    browser = as_user("va@client.test")
    response = browser.submit(_url(world), {**GOOD, "action": "submit", "revision": "0"})
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert _responses(app, assignment_id=world.assignment_a, slot="involved") == []


def test_days_that_are_not_occurrences_or_not_dates_are_404(world: World, as_user) -> None:
    browser = as_user("va@client.test")
    assert browser.get(f"/tasks/{world.assignment_a}/not-a-date").status_code == 404
    assert browser.get(_url(world, 10)).status_code == 404  # before it started
    tomorrow = f"/tasks/{world.assignment_a}/{(TODAY + timedelta(days=1)).isoformat()}"
    assert browser.get(tomorrow).status_code == 409  # not open yet


def _author(html: str) -> str:
    return re.search(r'name="author" type="hidden" value="([^"]+)"', html).group(1)


def test_words_posted_after_the_session_ended_are_kept_for_after_sign_in(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("va@client.test")
    author = _author(browser.get(_url(world)).get_data(as_text=True))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "va@client.test"))
        end_all_sessions(db.session, user_id)
        db.session.commit()
    words = "Words I wrote while my sign-in ran out."
    response = browser.submit(
        _url(world),
        {"f_answer_1": words, "action": "submit", "revision": "0", "author": author},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParkedDraft)) == 1
    login_page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "your words are safe" in login_page
    next_value = re.search(r'name="next" type="hidden" value="([^"]+)"', login_page).group(1)
    back = browser.submit(
        "/login", {"email": "va@client.test", "password": PASSWORD, "next": next_value}
    )
    assert back.headers["Location"] == _url(world)
    page = browser.get(_url(world)).get_data(as_text=True)
    assert "We kept what you wrote" in page and words in page
    sent = browser.submit(
        _url(world), {"f_answer_1": words, "f_mood": "4", "action": "submit", "revision": "0"}
    )
    assert sent.status_code == 302
    (row,) = _responses(app, assignment_id=world.assignment_a, slot="involved")
    assert row.status == "submitted" and row.answers["answer_1"] == words
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParkedDraft)) == 0


def test_parked_words_go_back_to_their_author_only(app: Flask, world: World, as_user) -> None:
    """On a shared device, words one partner posted after their sign-in ended are never
    filled into the other partner's worksheet."""
    shared_device = as_user("va@client.test")
    author = _author(shared_device.get(_url(world)).get_data(as_text=True))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "va@client.test"))
        end_all_sessions(db.session, user_id)
        db.session.commit()
    shared_device.submit(
        _url(world), {"f_answer_1": "planted private words", "action": "save", "author": author}
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParkedDraft)) == 1
    from tests.conftest import sign_in

    sign_in(shared_device, "ia@client.test")  # the other partner, same browser
    assert "planted private words" not in shared_device.get(_url(world)).get_data(as_text=True)
    # Words posted without a valid author note are not kept for anyone.
    anonymous = app.test_client()
    anonymous.submit(_url(world), {"f_answer_1": "no author", "action": "save", "author": "x"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParkedDraft)) == 1


def test_a_stale_form_token_keeps_the_words(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    response = browser.post(
        _url(world),
        data={
            "csrf_token": "stale",
            "f_answer_1": "my careful words",
            "action": "submit",
            "revision": "0",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "my careful words" in html and "please press the button again" in html


# Who sees what --------------------------------------------------------------------------------


def _send(browser, world: World, words: str, visibility: str) -> str:
    response = browser.submit(
        _url(world),
        {
            "f_answer_1": words,
            "f_mood": "5",
            "action": "submit",
            "revision": "0",
            "visibility": visibility,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_private_answers_never_reach_the_partner(app: Flask, world: World, as_user) -> None:
    location = _send(as_user("ia@client.test"), world, "kept for Dr A only", "clinician")
    partner = as_user("va@client.test")
    assert "kept for Dr A only" not in partner.get("/answers").get_data(as_text=True)
    assert partner.get(location).status_code == 404
    assert partner.get(f"/answers/{world.response_a}").status_code == 404  # world's private one
    assert "kept for Dr A only" in as_user("a@clinic.test").get(
        f"/couples/{world.couple_a}/responses"
    ).get_data(as_text=True)


def test_shared_answers_reach_the_partner(app: Flask, world: World, as_user) -> None:
    location = _send(as_user("ia@client.test"), world, "this one is for both of us", "shared")
    partner = as_user("va@client.test")
    assert "Dr A&#39;s reflection" in partner.get("/answers").get_data(as_text=True)
    page = partner.get(location).get_data(as_text=True)
    assert "this one is for both of us" in page and "Your partner's answer" in page


def test_mutual_answers_open_only_once_both_have_answered(
    app: Flask, world: World, as_user
) -> None:
    location = _send(as_user("ia@client.test"), world, "mutual words", "mutual")
    partner = as_user("va@client.test")
    assert partner.get(location).status_code == 404
    _send(partner, world, "my mutual reply", "mutual")
    assert "mutual words" in partner.get(location).get_data(as_text=True)


def test_drafts_are_never_shown_to_the_partner_or_the_clinician(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        draft = make_response(
            db.session,
            assignment,
            "injured",
            days_ago=0,
            status="draft",
            visibility="shared",
            answers={"answer_1": "an unfinished draft"},
        )
        db.session.commit()
        draft_id = draft.id
    assert as_user("va@client.test").get(f"/answers/{draft_id}").status_code == 404
    clinician = as_user("a@clinic.test")
    assert clinician.get(f"/responses/{draft_id}").status_code == 404
    assert "an unfinished draft" not in clinician.get(
        f"/couples/{world.couple_a}/responses"
    ).get_data(as_text=True)


def test_changing_who_can_read_an_answer(app: Flask, world: World, as_user) -> None:
    injured = as_user("ia@client.test")
    partner = as_user("va@client.test")
    assert partner.get(f"/answers/{world.response_a}").status_code == 404
    injured.submit(f"/answers/{world.response_a}/visibility", {"visibility": "shared"})
    assert partner.get(f"/answers/{world.response_a}").status_code == 200
    # Only the author may change it.
    assert (
        partner.submit(
            f"/answers/{world.response_a}/visibility", {"visibility": "clinician"}
        ).status_code
        == 404
    )
    injured.submit(f"/answers/{world.response_a}/visibility", {"visibility": "clinician"})
    assert partner.get(f"/answers/{world.response_a}").status_code == 404


def test_joint_answers_are_written_together(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(
            db.session,
            None,
            answered_by="together",
            visibility="shared",
            fields=[
                {
                    "key": "question",
                    "label": "Your question",
                    "kind": "long_text",
                    "for": "injured",
                    "required": True,
                },
                {
                    "key": "answer",
                    "label": "Your answer",
                    "kind": "long_text",
                    "for": "involved",
                    "required": True,
                },
                {
                    "key": "needs_session",
                    "label": "Needs the session",
                    "kind": "multi_choice",
                    "options": ["Yes"],
                },
            ],
        )
        joint = make_assignment(
            db.session,
            couple,
            template,
            days_ago=0,
            answered_by="together",
            schedule="once",
            due_on=TODAY + timedelta(days=3),
        ).id
        db.session.commit()
    url = f"/tasks/{joint}/{(TODAY + timedelta(days=3)).isoformat()}"
    injured, involved = as_user("ia@client.test"), as_user("va@client.test")
    injured_page = injured.get(url).get_data(as_text=True)
    assert 'name="f_question"' in injured_page and 'name="f_answer"' not in injured_page
    early = injured.submit(
        url, {"f_question": "Where were you on Fridays?", "action": "submit", "revision": "0"}
    )
    assert early.status_code == 400
    assert "Your partner&#39;s part isn&#39;t filled in yet" in early.get_data(as_text=True)
    page = involved.get(url).get_data(as_text=True)
    assert "Where were you on Fridays?" in page and 'name="f_question"' not in page
    sent = involved.submit(
        url,
        {
            "f_answer": "At the gym, and I should have said so.",
            "f_needs_session": ["Yes"],
            "action": "submit",
            "revision": _revision(page),
        },
    )
    assert sent.status_code == 302
    (row,) = _responses(app, assignment_id=joint)
    assert row.slot == "together" and row.status == "submitted"
    assert row.answers["question"] == "Where were you on Fridays?"
    assert row.answers["answer"].startswith("At the gym")
    assert injured.get(sent.headers["Location"]).status_code == 200


def test_both_partners_typing_a_joint_answer_do_not_conflict(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(
            db.session,
            None,
            answered_by="together",
            visibility="shared",
            fields=[
                {"key": "question", "label": "Q", "kind": "long_text", "for": "injured"},
                {"key": "answer", "label": "A", "kind": "long_text", "for": "involved"},
            ],
        )
        joint = make_assignment(db.session, couple, template, days_ago=0, answered_by="together").id
        db.session.commit()
    url = f"/tasks/{joint}/{TODAY.isoformat()}/autosave"
    injured, involved = as_user("ia@client.test"), as_user("va@client.test")
    assert (
        injured.submit(url, {"f_question": "Where were you?", "revision": "0"}).status_code == 200
    )
    # The involved partner's page still holds revision 0: their own part saves all the same.
    assert involved.submit(url, {"f_answer": "At work.", "revision": "0"}).status_code == 200
    (row,) = _responses(app, assignment_id=joint)
    assert row.answers == {"question": "Where were you?", "answer": "At work."}


def test_sending_after_a_pause_shows_the_words_back(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    browser.get(_url(world))
    as_user("a@clinic.test").submit(f"/assignments/{world.assignment_a}/pause", {})
    response = browser.submit(
        _url(world),
        {
            "f_answer_1": "words written before the pause",
            "f_mood": "5",
            "action": "submit",
            "revision": "0",
        },
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "paused" in html and "words written before the pause" in html


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        ("scale", 7),
        ("scale", None),
        ("yes_no", "no"),
        ("single_choice", 'Tom & "Jerry" <b>'),
        ("multi_choice", ["a < b", 'Tom & "Jerry" <b>']),
        ("multi_choice", None),
    ],
)
def test_choice_options_render_exactly_as_wtforms_options(
    app: Flask, kind: str, answer, required: bool
) -> None:
    """The option_input macro over choice_options matches WTForms' own option widgets, byte
    for byte, for every kind of choice a worksheet has."""
    from practice.exercises.definitions import parse_definition
    from practice.worksheets.forms import PREFIX, build_form

    field = {"key": "pick", "label": "Pick", "kind": kind, "required": required}
    if kind == "scale":
        field.update({"min": 0, "max": 10})
    if kind in ("single_choice", "multi_choice"):
        field["options"] = ["a < b", 'Tom & "Jerry" <b>', "plain"]
    definition = parse_definition(
        {
            "title": "Choices",
            "stage": 2,
            "purpose": "Rendering.",
            "instructions": "Choose.",
            "answered_by": "each",
            "visibility": "shared",
            "fields": [field],
        }
    )
    fast = app.jinja_env.from_string(
        '{% from "_macros/forms.html" import option_input %}'
        "{% for o in choice_options(f) %}"
        "{{ option_input(f, o, loop.index0, type) }}|{{ o.label }}\n"
        "{% endfor %}"
    )
    wtforms = app.jinja_env.from_string(
        "{% for option in f %}{{ option() }}|{{ option.label.text }}\n{% endfor %}"
    )
    with app.test_request_context():
        answers = {"pick": answer} if answer is not None else None
        form = build_form(definition, "injured", answers=answers)
        f = form[PREFIX + "pick"]
        type_ = "checkbox" if kind == "multi_choice" else "radio"
        expected = wtforms.render(f=f)
        assert 'type="' + type_ + '"' in expected
        assert fast.render(f=f, type=type_) == expected


def test_a_worksheet_form_follows_its_definition_when_it_is_edited_in_place(
    app: Flask, world: World, as_user
) -> None:
    """Form classes are kept per parsed definition: an exercise edited in place (no answers
    yet) is drawn with its new fields at once."""
    partner = as_user("va@client.test")
    assert "What stood out this week?" in partner.get(_url(world)).get_data(as_text=True)
    with app.app_context():
        db.session.query(Response).delete()
        db.session.commit()
    as_user("a@clinic.test").submit(
        f"/library/{world.template_a}/fields/answer_1/edit",
        {"key": "answer_1", "label": "What mattered most this week?", "kind": "long_text"},
    )
    page = partner.get(_url(world)).get_data(as_text=True)
    assert "What mattered most this week?" in page and "What stood out" not in page


def test_author_notes_are_signed_as_itsdangerous_signs_them() -> None:
    """A worksheet open in a browser across an upgrade still knows its author: the note is
    the one itsdangerous's default signer makes, and a changed one is refused."""
    from itsdangerous import URLSafeSerializer

    from practice.worksheets.services import author_of, author_token

    day = date(2026, 11, 26)
    token = author_token("k" * 40, 7, 3, day)
    assert token == URLSafeSerializer("k" * 40, salt="worksheet-author").dumps(
        [7, 3, day.isoformat()]
    )
    assert author_of("k" * 40, token, 3, day) == 7
    body, signature = token.rsplit(".", 1)
    changed = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    assert author_of("k" * 40, f"{body}.{changed}", 3, day) is None
    assert author_of("k" * 40, token, 4, day) is None
