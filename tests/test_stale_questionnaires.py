"""Stale questionnaires close: a questionnaire's occurrence stays open until the next one is
due (or GRACE_DAYS, whichever is first), then counts as missed; a check-in beyond the backfill
window cannot be sent; Today says what closes when. Plain functions and HTTP."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select

from practice.db import db
from practice.exercises.schedule import (
    GRACE_DAYS,
    Rule,
    can_answer,
    occurrence_closes_on,
    occurrence_state,
    weekday_mask,
)
from practice.exercises.services import sync_library
from practice.measures.instruments import PHQ9
from practice.measures.library import measure_slug
from practice.models import Couple, ExerciseTemplate, MeasureScore
from practice.templating import format_day
from tests.factories import World, make_assignment

D = date.fromisoformat
TODAY = date.today()


def test_a_weekly_questionnaire_closes_when_the_next_is_due() -> None:
    monday = D("2026-11-02")
    weekly = Rule("weekly", monday, weekdays=weekday_mask([0]), closes_at_next=True)
    assert occurrence_closes_on(weekly, monday) == D("2026-11-09")
    assert can_answer(weekly, monday, D("2026-11-08"))
    assert not can_answer(weekly, monday, D("2026-11-09"))
    assert occurrence_state(weekly, monday, D("2026-11-08"), None) == "overdue"
    assert occurrence_state(weekly, monday, D("2026-11-09"), None) == "missed"
    # Twice a week: open only until the Thursday one is due.
    twice = Rule("weekly", monday, weekdays=weekday_mask([0, 3]), closes_at_next=True)
    assert occurrence_closes_on(twice, monday) == D("2026-11-05")
    # A daily questionnaire is open on its own day only.
    daily = Rule("daily", monday, closes_at_next=True)
    assert occurrence_closes_on(daily, monday) == D("2026-11-03")


def test_the_set_number_of_days_caps_a_questionnaire_and_a_check_in() -> None:
    monday = D("2026-11-02")
    # Every other week is not a rule Mend has; a pause stands in for a long gap.
    paused = Rule(
        "weekly",
        monday,
        weekdays=weekday_mask([0]),
        pauses=((D("2026-11-03"), D("2026-11-20")),),
        closes_at_next=True,
    )
    assert occurrence_closes_on(paused, monday) == monday + timedelta(days=GRACE_DAYS + 1)
    check_in = Rule("daily", monday)
    assert occurrence_closes_on(check_in, monday) == monday + timedelta(days=GRACE_DAYS + 1)
    once_questionnaire = Rule("once", monday, due_on=monday, closes_at_next=True)
    assert occurrence_state(once_questionnaire, monday, monday + timedelta(days=8), None) == (
        "missed"
    )
    once_exercise = Rule("once", monday, due_on=monday)
    assert occurrence_closes_on(once_exercise, monday) is None
    assert can_answer(once_exercise, monday, monday + timedelta(days=60))


def test_the_last_day_a_date_can_hold_does_not_break_the_rule() -> None:
    far = date.max
    assert occurrence_closes_on(Rule("daily", D("2026-11-02"), closes_at_next=True), far) == far
    assert not can_answer(Rule("daily", D("2026-11-02")), far, D("2026-11-09"))


def _weekly_phq9(app: Flask, world: World) -> int:
    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == measure_slug(PHQ9))
        )
        assignment = make_assignment(
            db.session,
            db.session.get(Couple, world.couple_a),
            template,
            days_ago=14,
            schedule="weekly",
            weekdays=weekday_mask([TODAY.weekday()]),
            visibility="clinician",
            answered_by="injured",
        )
        db.session.commit()
        return assignment.id


def _phq9_form() -> dict:
    form = {f"f_{item.key}": "Not at all" for item in PHQ9.scored_items}
    form["f_difficulty"] = "Not difficult at all"
    return form | {"action": "submit", "revision": "0"}


def test_two_phq9s_for_different_weeks_are_never_open_at_once(
    app: Flask, world: World, as_user
) -> None:
    assignment_id = _weekly_phq9(app, world)
    partner = as_user("ia@client.test")
    today = partner.get("/today").get_data(as_text=True)
    assert today.count(f"/tasks/{assignment_id}/") == 1
    assert f"/tasks/{assignment_id}/{TODAY.isoformat()}" in today
    last_week = (TODAY - timedelta(days=7)).isoformat()
    closed = partner.get(f"/tasks/{assignment_id}/{last_week}")
    assert closed.status_code == 409
    assert "can no longer be filled in" in closed.get_data(as_text=True)
    refused = partner.submit(f"/tasks/{assignment_id}/{last_week}", _phq9_form())
    assert refused.status_code == 409
    sent = partner.submit(f"/tasks/{assignment_id}/{TODAY.isoformat()}", _phq9_form())
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MeasureScore)) == 1


def test_late_check_ins_beyond_the_backfill_window_cannot_be_sent(
    app: Flask, world: World, as_user
) -> None:
    # world.assignment_a: a daily exercise for each partner that started days ago.
    with app.app_context():
        from practice.models import Assignment

        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.start_on = TODAY - timedelta(days=20)
        db.session.commit()
    partner = as_user("ia@client.test")
    too_old = (TODAY - timedelta(days=GRACE_DAYS + 1)).isoformat()
    oldest_open = (TODAY - timedelta(days=GRACE_DAYS)).isoformat()
    assert partner.get(f"/tasks/{world.assignment_a}/{too_old}").status_code == 409
    refused = partner.submit(
        f"/tasks/{world.assignment_a}/{too_old}", {"action": "submit", "revision": "0"}
    )
    assert refused.status_code == 409
    assert partner.get(f"/tasks/{world.assignment_a}/{oldest_open}").status_code == 200
    autosave = partner.submit(f"/tasks/{world.assignment_a}/{too_old}/autosave", {"revision": "0"})
    assert autosave.status_code == 409


def test_today_says_what_closes_when(app: Flask, world: World, as_user) -> None:
    assignment_id = _weekly_phq9(app, world)
    page = as_user("ia@client.test").get("/today").get_data(as_text=True)
    due = page.split(f"/tasks/{assignment_id}/{TODAY.isoformat()}")[1].split("</li>")[0]
    last_day = TODAY + timedelta(days=6)
    assert f"Open until the end of {format_day(last_day)}" in due
    overdue = page.split('id="overdue-h"')[1].split("</section>")[0]
    items = overdue.split("<li>")[1:]
    assert items, "the daily exercise from earlier days is still open"
    for item in items:
        day = date.fromisoformat(item.split(f"/tasks/{world.assignment_a}/")[1][:10])
        closes = format_day(day + timedelta(days=GRACE_DAYS))
        assert f"Open until the end of {closes}" in item  # a check-in's backfill window
