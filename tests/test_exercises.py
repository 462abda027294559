"""The exercise library and the form builder, over HTTP; versioning and the built-in library."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from practice.db import db
from practice.exercises.library import LIBRARY
from practice.exercises.services import copy_template, sync_library
from practice.measures.library import builtin_definitions
from practice.models import Couple, ExerciseTemplate, Response, TemplateVersion, User
from tests.factories import World, make_assignment, make_response


def _template(app: Flask, template_id: int) -> ExerciseTemplate:
    with app.app_context():
        template = db.session.get(ExerciseTemplate, template_id)
        template.versions  # noqa: B018 (load before the session closes)
        return template


def _sync(app: Flask) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()


def test_library_lists_builtins_and_own_exercises_only(app: Flask, world: World, as_user) -> None:
    _sync(app)
    html = as_user("a@clinic.test").get("/library/").get_data(as_text=True)
    assert "Daily check-in" in html and "Accountability letter" in html
    assert "Dr A&#39;s reflection" in html
    assert "Dr B&#39;s reflection" not in html
    stage_three = as_user("a@clinic.test").get("/library/?stage=3").get_data(as_text=True)
    assert "Dr A&#39;s reflection" not in stage_three  # it is a stage 2 exercise


def test_detail_renders_markdown_safely_and_previews_the_form(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    edit = browser.submit(
        f"/library/{world.template_a}/edit",
        {
            "title": "Dr A's reflection",
            "stage": "2",
            "purpose": "**Why** this matters <script>alert(1)</script>",
            "instructions": "- one\n- two\n\n[x](javascript:alert(1))",
            "answered_by": "each",
            "visibility": "shared",
            "recurrence": "",
        },
    )
    assert edit.status_code == 302
    html = browser.get(f"/library/{world.template_a}").get_data(as_text=True)
    assert "<strong>Why</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert "<li>one</li>" in html
    assert 'name="f_answer_1"' in html and 'name="f_mood"' in html  # the preview form


def test_new_exercise_then_build_its_fields(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    response = browser.submit(
        "/library/new",
        {
            "title": "Evening wind-down",
            "stage": "7",
            "answered_by": "involved",
            "visibility": "clinician",
            "recurrence": "daily",
            "first_label": "What did you do to repair today?",
            "first_kind": "long_text",
        },
    )
    assert response.status_code == 302
    template_id = int(response.headers["Location"].split("/")[2])
    add = browser.submit(
        f"/library/{template_id}/fields/new",
        {
            "key": "effort",
            "label": "How much effort",
            "kind": "scale",
            "min": "1",
            "max": "5",
            "min_label": "a little",
            "max_label": "a lot",
            "tracked": "y",
            "required": "y",
        },
    )
    assert add.status_code == 302
    browser.submit(f"/library/{template_id}/fields/effort/move", {"direction": "up"})
    template = _template(app, template_id)
    fields = template.latest.definition["fields"]
    assert [f["key"] for f in fields] == ["effort", "answer_1"]
    assert fields[0]["tracked"] is True and fields[0]["max"] == 5
    assert len(template.versions) == 1  # no answers yet: edited in place
    browser.submit(f"/library/{template_id}/fields/answer_1/delete", {})
    assert [f["key"] for f in _template(app, template_id).latest.definition["fields"]] == ["effort"]


def test_builder_refuses_bad_fields_with_messages_and_changes_nothing(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    before = _template(app, world.template_a).latest.definition
    cases = [
        ({"key": "mood", "label": "Again", "kind": "long_text"}, "already a field"),
        (
            {"key": "pick", "label": "Pick", "kind": "single_choice", "options": ""},
            "at least one option",
        ),
        ({"key": "s", "label": "S", "kind": "scale", "min": "9", "max": "1"}, "lower to a higher"),
        ({"key": "Bad Key", "label": "S", "kind": "long_text"}, "the key must start"),
    ]
    for form, message in cases:
        response = browser.submit(f"/library/{world.template_a}/fields/new", form)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert _template(app, world.template_a).latest.definition == before


def test_editing_an_answered_exercise_makes_a_new_version_and_old_answers_keep_theirs(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    old_version = _template(app, world.template_a).latest.id
    response = browser.submit(
        f"/library/{world.template_a}/fields/answer_1/edit",
        {"key": "answer_1", "label": "What mattered most this week?", "kind": "long_text"},
    )
    assert response.status_code == 302
    template = _template(app, world.template_a)
    assert [v.number for v in template.versions] == [1, 2]
    assert template.latest.definition["fields"][0]["label"] == "What mattered most this week?"
    # A second edit changes version 2 in place: it has no answers yet.
    browser.submit(f"/library/{world.template_a}/fields/mood/move", {"direction": "up"})
    assert len(_template(app, world.template_a).versions) == 2
    with app.app_context():
        answered = db.session.get(Response, world.response_a)
        assert answered.version_id == old_version
    html = browser.get(f"/responses/{world.response_a}").get_data(as_text=True)
    assert "What stood out this week?" in html  # rendered against the version it answered
    assert "What mattered most this week?" not in html


def test_builtins_are_read_only_and_copies_are_editable(app: Flask, world: World, as_user) -> None:
    _sync(app)
    with app.app_context():
        builtin_id = db.session.scalar(
            select(ExerciseTemplate.id).where(ExerciseTemplate.slug == "daily-check-in")
        )
    browser = as_user("a@clinic.test")
    assert browser.get(f"/library/{builtin_id}/edit").status_code == 403
    copied = browser.submit(f"/library/{builtin_id}/copy", {})
    assert copied.status_code == 302
    copy_id = int(copied.headers["Location"].split("/")[2])
    copy = _template(app, copy_id)
    assert copy.owner_id == world.clinician_a and copy.copied_from_id == builtin_id
    assert copy.title.endswith("(my copy)")
    assert browser.get(f"/library/{copy_id}/edit").status_code == 200
    # Another clinician sees neither the copy nor can edit it.
    assert as_user("b@clinic.test").get(f"/library/{copy_id}").status_code == 404


def test_archiving_stops_new_assignments_and_keeps_answers_readable(
    app: Flask, world: World, as_user
) -> None:
    browser = as_user("a@clinic.test")
    assert browser.submit(f"/library/{world.template_a}/archive", {}).status_code == 302
    assert "Dr A&#39;s reflection" not in browser.get("/library/").get_data(as_text=True)
    assert "Dr A&#39;s reflection" in browser.get("/library/?archived=1").get_data(as_text=True)
    response = browser.submit(
        f"/couples/{world.couple_a}/assign",
        {
            "template_id": str(world.template_a),
            "answered_by": "each",
            "visibility": "shared",
            "schedule": "once",
            "start_on": "2099-01-01",
            "due_on": "2099-01-05",
        },
    )
    assert response.status_code == 400
    assert browser.get(f"/responses/{world.response_a}").status_code == 200


def test_library_sync_adds_upgrades_and_leaves_clinicians_copies_alone(
    app: Flask, world: World, monkeypatch
) -> None:
    with app.app_context():
        first = sync_library(db.session)
        total = len(LIBRARY) + len(builtin_definitions())
        assert first == {"added": total, "upgraded": 0, "unchanged": 0}
        again = sync_library(db.session)
        assert again == {"added": 0, "upgraded": 0, "unchanged": total}
        builtin = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "daily-check-in")
        )
        clinician = db.session.get(User, world.clinician_a)
        mine = copy_template(db.session, builtin, clinician)
        couple = db.session.get(Couple, world.couple_a)
        answered = make_assignment(db.session, couple, builtin)
        make_response(db.session, answered, "injured", answers={"trust": 5})
        db.session.commit()
        changed = [dict(e) for e in LIBRARY]
        entry = next(e for e in changed if e["slug"] == "daily-check-in")
        entry["revision"] = entry.get("revision", 1) + 1
        entry["title"] = "Daily check-in (revised)"
        monkeypatch.setattr("practice.exercises.library.LIBRARY", tuple(changed))
        result = sync_library(db.session)
        db.session.commit()
        assert result["upgraded"] == 1
        db.session.refresh(builtin)
        assert builtin.title == "Daily check-in (revised)"
        assert len(builtin.versions) == 2  # it had an answer, so a new version
        db.session.refresh(mine)
        assert mine.title != "Daily check-in (revised)"
        count = db.session.scalar(select(func.count()).select_from(TemplateVersion))
        assert count >= len(LIBRARY) + 1
