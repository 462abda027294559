"""Questionnaires and safety checks over HTTP: scored privately, flagged first, never shown to
the other partner anywhere."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select

from practice.db import db
from practice.exercises.services import sync_library
from practice.mail import outbox
from practice.measures.instruments import PHQ9
from practice.measures.library import SAFETY_SLUG, measure_slug
from practice.models import (
    Assignment,
    Couple,
    ExerciseTemplate,
    MeasureScore,
    SafetyCheck,
    utcnow,
)
from tests.factories import World, make_assignment

TODAY = date.today()


def _assign(app: Flask, world: World, slug: str) -> int:
    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(select(ExerciseTemplate).where(ExerciseTemplate.slug == slug))
        assignment = make_assignment(
            db.session,
            db.session.get(Couple, world.couple_a),
            template,
            days_ago=0,
            schedule="once",
            due_on=TODAY + timedelta(days=3),
            visibility="clinician",
        )
        db.session.commit()
        return assignment.id


def _url(assignment_id: int) -> str:
    return f"/tasks/{assignment_id}/{(TODAY + timedelta(days=3)).isoformat()}"


def _phq9_form(item9: str) -> dict:
    form = {f"f_{item.key}": "Several days" for item in PHQ9.scored_items}
    form["f_phq9"] = item9
    form["f_difficulty"] = "Somewhat difficult"
    return form | {"action": "submit", "revision": "0"}


def test_phq9_item_nine_shows_crisis_resources_and_flags_first(
    app: Flask, world: World, as_user
) -> None:
    assignment = _assign(app, world, measure_slug(PHQ9))
    client = as_user("va@client.test")
    response = client.submit(_url(assignment), _phq9_form("More than half the days"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/support")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Samaritans" in page and 'href="tel:116123"' in page and 'href="sms:988"' in page
    with app.app_context():
        row = db.session.scalar(select(MeasureScore))
        assert (row.total, row.band, row.self_harm_item, row.role) == (
            10,
            "moderate",
            2,
            "involved",
        )
    html = (
        as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights").get_data(as_text=True)
    )
    flags = html.split('id="flags-h"')[1].split("</section>")[0]
    first = flags.split('<li class="flag')[1]
    assert "Thoughts of self-harm reported by the involved partner" in first
    assert "item 9 answered 2 of 3" in first


def test_phq9_without_item_nine_goes_to_the_answer(app: Flask, world: World, as_user) -> None:
    assignment = _assign(app, world, measure_slug(PHQ9))
    response = as_user("va@client.test").submit(_url(assignment), _phq9_form("Not at all"))
    assert "/answers/" in response.headers["Location"]


def test_missing_questionnaire_items_are_named(app: Flask, world: World, as_user) -> None:
    assignment = _assign(app, world, measure_slug(PHQ9))
    form = _phq9_form("Not at all")
    del form["f_phq4"]
    response = as_user("va@client.test").submit(_url(assignment), form)
    assert response.status_code == 400
    assert "Please choose one." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(MeasureScore)) is None


def _safety_form(**answers) -> dict:
    form = {
        "f_afraid": "no",
        "f_threatened": "no",
        "f_pressured": "no",
        "f_hurt": "no",
        "f_safe_at_home": "yes",
        "f_anything_else": "",
    }
    form.update({f"f_{k}": v for k, v in answers.items()})
    return form | {"action": "submit", "revision": "0"}


def test_a_worrying_safety_answer_is_the_first_flag(app: Flask, world: World, as_user) -> None:
    assignment = _assign(app, world, SAFETY_SLUG)
    words = "He took my car keys so I could not leave."
    as_user("ia@client.test").submit(
        _url(assignment), _safety_form(afraid="yes", pressured="yes", anything_else=words)
    )
    with app.app_context():
        check = db.session.scalar(select(SafetyCheck))
        assert check.worrying and check.worries == "afraid,pressured"
    # A crossing exists too: the safety concern still comes first.
    as_user("va@client.test").submit(
        f"/boundaries/{world.boundary_a}/log", {"day": TODAY.isoformat(), "status": "crossed"}
    )
    html = (
        as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights").get_data(as_text=True)
    )
    flags = html.split('id="flags-h"')[1].split("</section>")[0]
    assert flags.index("Safety concern from the injured partner") < flags.index("Boundary crossed")
    assert "feels afraid of their partner" in flags


def test_safety_answers_and_scores_never_reach_the_other_partner(
    app: Flask, world: World, as_user
) -> None:
    safety = _assign(app, world, SAFETY_SLUG)
    phq = _assign(app, world, measure_slug(PHQ9))
    marker = "MARKER-safety-words-7f3a"
    injured = as_user("ia@client.test")
    injured.submit(_url(safety), _safety_form(hurt="yes", anything_else=marker))
    injured.submit(_url(phq), _phq9_form("Not at all"))
    with app.app_context():
        score_row = db.session.scalar(select(MeasureScore))
        ids = [r.response_id for r in db.session.scalars(select(SafetyCheck))] + [
            score_row.response_id
        ]
    partner = as_user("va@client.test")
    pages = ["/today", "/answers", "/home", "/boundaries", "/checkins", "/settings"]
    pages += [f"/answers/{i}" for i in ids]
    for page in pages:
        html = partner.get(page).get_data(as_text=True)
        assert marker not in html, page
        assert "Several days" not in html, page
        assert "physically hurt" not in html or page == "/today", page
    for response_id in ids:
        assert partner.get(f"/answers/{response_id}").status_code == 404
        assert (
            partner.submit(
                f"/answers/{response_id}/visibility", {"visibility": "shared"}
            ).status_code
            == 404
        )
    # The author cannot share them either: the visibility is fixed by the template.
    injured.submit(f"/answers/{ids[0]}/visibility", {"visibility": "shared"})
    assert partner.get(f"/answers/{ids[0]}").status_code == 404
    clinician = as_user("a@clinic.test").get(f"/responses/{ids[0]}").get_data(as_text=True)
    assert marker in clinician


def test_a_new_couple_is_offered_the_safety_check(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
    as_user("a@clinic.test").submit(
        "/couples/new",
        {
            "label": "Couple New",
            "started_on": TODAY.isoformat(),
            "stage": "1",
            "injured_name": "Robin",
            "injured_email": "robin@example.com",
            "involved_name": "Alex",
            "involved_email": "alex@example.com",
        },
    )
    with app.app_context():
        couple = db.session.scalar(select(Couple).where(Couple.label == "Couple New"))
        offered = db.session.scalars(
            select(Assignment).where(Assignment.couple_id == couple.id)
        ).all()
        # The PCL-5 is offered to the injured partner at intake too (issue 19).
        assert [(a.template.slug, a.answered_by, a.visibility) for a in offered] == [
            (SAFETY_SLUG, "each", "clinician"),
            ("measure-pcl5", "injured", "clinician"),
        ]
    assert len(outbox(app)) == 2  # the invitations


def test_a_copy_of_the_safety_check_cannot_be_made_shareable(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
        safety_id = db.session.scalar(
            select(ExerciseTemplate.id).where(ExerciseTemplate.slug == SAFETY_SLUG)
        )
    clinician = as_user("a@clinic.test")
    copied = clinician.submit(f"/library/{safety_id}/copy", {})
    copy_id = int(copied.headers["Location"].split("/")[2])
    response = clinician.submit(
        f"/library/{copy_id}/edit",
        {
            "title": "My safety check",
            "stage": "1",
            "answered_by": "each",
            "visibility": "shared",
            "recurrence": "",
        },
    )
    assert response.status_code == 400
    assert "stay private to the clinician, always" in response.get_data(as_text=True)


def test_a_safety_concern_leads_the_caseload_and_the_couple_page(
    app: Flask, world: World, as_user
) -> None:
    assignment = _assign(app, world, SAFETY_SLUG)
    as_user("va@client.test").submit(_url(assignment), _safety_form(threatened="yes"))
    clinician = as_user("a@clinic.test")
    with app.app_context():
        from practice.models import User
        from tests.factories import make_couple

        other = make_couple(
            db.session,
            db.session.get(User, world.clinician_a),
            "Aardvark",
            "x1@client.test",
            "x2@client.test",
        )
        other.status = "active"
        db.session.commit()
    caseload = clinician.get("/couples/").get_data(as_text=True)
    assert caseload.index("Couple A") < caseload.index("Aardvark")
    assert "Safety concern" in caseload
    page = clinician.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert "needs your attention before anything else" in page
    # The partners never see that banner or the concern.
    assert "Safety concern" not in as_user("ia@client.test").get("/home").get_data(as_text=True)


def test_a_partners_latest_check_and_latest_phq9_decide_the_concern(
    app: Flask, world: World
) -> None:
    """safety_concerns reads only each partner's newest safety check and newest PHQ-9."""
    from practice.couples.services import caseload, safety_concerns
    from tests.factories import make_response

    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        other = db.session.get(Couple, world.couple_b)
        assignment = db.session.get(Assignment, world.assignment_a)
        today = date.today()

        def check(days_ago: int, worrying: bool, answered_days_ago: int | None = None) -> None:
            answered = days_ago if answered_days_ago is None else answered_days_ago
            response = make_response(db.session, assignment, "injured", days_ago=answered)
            db.session.add(
                SafetyCheck(
                    response_id=response.id,
                    couple_id=couple.id,
                    partner_id=couple.partner("injured").id,
                    role="injured",
                    checked_on=today - timedelta(days=days_ago),
                    worrying=worrying,
                )
            )

        def phq9(days_ago: int, item: int) -> None:
            response = make_response(db.session, assignment, "involved", days_ago=days_ago)
            db.session.add(
                MeasureScore(
                    response_id=response.id,
                    couple_id=couple.id,
                    partner_id=couple.partner("involved").id,
                    role="involved",
                    instrument="phq9",
                    administered_on=today - timedelta(days=days_ago),
                    total=10,
                    band="moderate",
                    band_rank=2,
                    self_harm_item=item,
                )
            )

        check(6, worrying=True)
        check(5, worrying=False)  # the newer check is calm
        phq9(6, 0)
        db.session.flush()
        assert safety_concerns(db.session, [couple.id, other.id]) == set()
        phq9(4, 2)  # the newest PHQ-9 has item 9 above 0
        db.session.flush()
        assert safety_concerns(db.session, [couple.id, other.id]) == {couple.id}
        check(3, worrying=True)
        phq9(2, 0)
        db.session.flush()
        assert safety_concerns(db.session, [couple.id]) == {couple.id}
        assert safety_concerns(db.session, [other.id]) == set()
        assert safety_concerns(db.session, []) == set()
        # Two checks on one day: the one written last decides.
        check(1, worrying=True, answered_days_ago=10)
        db.session.flush()
        assert safety_concerns(db.session, [couple.id]) == {couple.id}
        check(1, worrying=False, answered_days_ago=11)
        db.session.flush()
        assert safety_concerns(db.session, [couple.id]) == set()
        check(0, worrying=True, answered_days_ago=12)
        db.session.flush()
        # The caseload asks the same rule of each couple in its one query.
        rows = caseload(db.session, couple.clinician, utcnow())
        assert {r.couple_id for r in rows if r.safety_concern} == {couple.id}
