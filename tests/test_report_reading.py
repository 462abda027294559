"""The pre-session report as people read it: a styled preview (on a phone too), answers in the
order of the dates shown with their questions, questionnaires as score and band, and a couple's
copy in words chosen for the couple, disagreements only when the clinician includes them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from practice.db import db
from practice.exercises.services import sync_library
from practice.measures.instruments import PHQ9
from practice.measures.library import measure_slug
from practice.models import BoundaryLog, Couple, ExerciseTemplate, MeasureScore
from tests.factories import World, make_assignment, make_response, make_template

TODAY = date.today()


def _seed(app: Flask, world: World) -> None:
    """Three answers sent out of their days' order, a PHQ-9 score, and boundary reports that
    differ (one partner kept, the other crossed, on two days)."""
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(
            db.session,
            couple.clinician,
            title="Evening notes",
            fields=[
                {"key": "mood", "label": "Mood", "kind": "scale", "min": 0, "max": 10},
                {"key": "noticed", "label": "What did you notice today?", "kind": "long_text"},
            ],
        )
        assignment = make_assignment(db.session, couple, template, days_ago=6)
        now = datetime.now(UTC)
        # Sent at moments that are not in the order of their days.
        for days_ago, sent_hours_ago, words in (
            (3, 1, "THIRD"),
            (1, 30, "FIRST"),
            (2, 70, "SECOND"),
        ):
            response = make_response(
                db.session,
                assignment,
                "injured",
                days_ago,
                {"mood": 5, "noticed": f"{words} words"},
                visibility="shared",
            )
            response.submitted_at = now - timedelta(hours=sent_hours_ago)
        sync_library(db.session)
        phq9 = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == measure_slug(PHQ9))
        )
        measure = make_assignment(
            db.session, couple, phq9, 6, schedule="once", due_on=TODAY, visibility="clinician"
        )
        phq = make_response(db.session, measure, "involved", 1, {"phq1": "Several days"})
        db.session.add(
            MeasureScore(
                response_id=phq.id,
                couple_id=couple.id,
                partner_id=couple.partner("involved").id,
                role="involved",
                instrument="phq9",
                administered_on=TODAY - timedelta(days=1),
                total=12,
                band="moderate",
                band_rank=2,
                self_harm_item=0,
            )
        )
        for days_ago in (2, 3):
            for role, status in (("injured", "crossed"), ("involved", "kept")):
                db.session.add(
                    BoundaryLog(
                        boundary_id=world.boundary_a,
                        partner_id=couple.partner(role).id,
                        period_start=TODAY - timedelta(days=days_ago),
                        status=status,
                    )
                )
        db.session.commit()


def _preview(as_user, world: World, **args) -> str:
    query = "&".join(
        f"{k}={v}"
        for k, v in {
            "period": "custom",
            "start": (TODAY - timedelta(days=6)).isoformat(),
            "end": TODAY.isoformat(),
            **args,
        }.items()
    )
    response = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/report/preview?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_preview_is_styled_and_laid_out_for_phones(app: Flask, world: World, as_user) -> None:
    page = _preview(as_user, world)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert "&#34;" not in style and "&quot;" not in style and '"DejaVu Sans"' in style
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media screen" in style and "max-width: 40rem" in style


def test_answers_are_in_the_order_of_their_dates_with_questions_and_scores(
    app: Flask, world: World, as_user
) -> None:
    _seed(app, world)
    page = _preview(as_user, world)
    section = page.split("Answers since the last session")[1]
    days = re.findall(r"· (\w{3} \d{1,2} \w{3} \d{4})", section)
    parsed = [datetime.strptime(d, "%a %d %b %Y").date() for d in days]
    assert parsed and parsed == sorted(parsed, reverse=True), days
    # Each written excerpt comes with its question.
    assert section.count("What did you notice today?") == 3
    # A questionnaire shows as its score and band, not "(no written answer)".
    assert "Score 12 of 27: moderate" in section


def test_couples_copy_is_written_for_the_couple(app: Flask, world: World, as_user) -> None:
    _seed(app, world)
    clinician = _preview(as_user, world, audience="clinician")
    assert "The partners&#39; reports differ" in clinician and ">high<" in clinician.lower()
    couple = _preview(as_user, world, audience="couple")
    for word in (
        "HIGH",
        "MEDIUM",
        "LOW",
        "high",
        "medium",
        "severity",
        "The partners&#39; reports differ",
    ):
        assert not re.search(rf"\b{word}\b", couple.split("<body>")[1]), word
    assert "Things to talk about together" in couple
    assert "A boundary that was hard to keep" in couple
    # Disagreements are left out unless the clinician includes them.
    assert "remember some days differently" not in couple
    included = _preview(as_user, world, audience="couple", differences="include")
    assert "You each remember some days differently" in included


def test_prepare_page_offers_the_disagreement_choice(world: World, as_user) -> None:
    page = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/report").get_data(as_text=True)
    assert 'name="differences"' in page and "Leave out" in page
