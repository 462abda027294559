"""Outcomes: the PCL-5, clinically significant change, practice-set thresholds, FHIR export."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from flask import Flask
from sqlalchemy import select

from practice.analytics.outcomes import (
    ThresholdError,
    change_category,
    effective_threshold,
    reliable_change_value,
)
from practice.db import db
from practice.exercises.services import sync_library
from practice.measures.instruments import CSI4, GAD7, PHQ9, ScoringError, score
from practice.measures.library import measure_slug
from practice.measures.pcl5 import PCL5
from practice.models import (
    Assignment,
    Couple,
    ExerciseTemplate,
    MeasureScore,
    PracticeThreshold,
)
from tests.factories import World, make_assignment, make_response

TODAY = date.today()


# --- Jacobson & Truax (1991), hand-computed -------------------------------------------------


def test_reliable_change_value_by_hand() -> None:
    # 1.96 x 5 x sqrt(2 x (1 - 0.84)) = 9.8 x sqrt(0.32) = 9.8 x 0.565685 = 5.5437
    assert reliable_change_value(5, 0.84) == pytest.approx(5.5437, abs=1e-4)
    # 1.96 x 4 x sqrt(2 x 0.5) = 7.84
    assert reliable_change_value(4, 0.5) == pytest.approx(7.84)


@pytest.mark.parametrize("sd, r", [(0, 0.8), (-1, 0.8), (5, 0), (5, 1), (5, 1.2), (math.nan, 0.5)])
def test_reliable_change_value_refuses_impossible_figures(sd: float, r: float) -> None:
    with pytest.raises(ThresholdError):
        reliable_change_value(sd, r)


@pytest.mark.parametrize(
    "first, latest, expected",
    [
        (18, 7, "recovered"),  # -11 >= 6, and 18 (clinical, >= 10) to 7 (below 10)
        (18, 12, "improved"),  # -6 is reliable but 12 is still >= 10
        (9, 3, "improved"),  # reliable, but it started below the cutoff: nothing to cross
        (14, 9, "no reliable change"),  # crossed the cutoff, but -5 < 6
        (7, 13, "deteriorated"),
        (10, 4, "recovered"),  # 10 is in the clinical range (>= 10); 4 is not
    ],
)
def test_change_category_phq9_by_hand(first: int, latest: int, expected: str) -> None:
    got = change_category(first, latest, 6, higher_is_better=False, cutoff=PHQ9.cutoff)
    assert got == expected


def test_change_category_where_higher_is_better_and_without_threshold_or_cutoff() -> None:
    # CSI-4 with a practice-set value 5.5437: 10 -> 16 is +6 (reliable) and crosses 13.5.
    rc = reliable_change_value(5, 0.84)
    assert change_category(10, 16, rc, higher_is_better=True, cutoff=13.5) == "recovered"
    assert change_category(10, 13, rc, higher_is_better=True, cutoff=13.5) == "no reliable change"
    assert change_category(16, 10, rc, higher_is_better=True, cutoff=13.5) == "deteriorated"
    assert change_category(10, 16, None, higher_is_better=True, cutoff=13.5) is None
    assert change_category(20, 8, 6, higher_is_better=False, cutoff=None) == "improved"


def test_published_value_wins_and_practice_value_carries_its_citation() -> None:
    assert effective_threshold(6, "IAPT", (5, 0.8, "X")).value == 6
    t = effective_threshold(None, "none on file", (5, 0.84, "Smith 2020, J Test 1:1"))
    assert t.practice_set and t.value == pytest.approx(5.5437, abs=1e-4)
    assert t.source.startswith("practice-set, from Smith 2020, J Test 1:1")
    assert effective_threshold(None, "none on file", None).value is None


# --- the PCL-5 ------------------------------------------------------------------------------


def _pcl(values: list[int]) -> dict[str, str]:
    labels = {v: label for label, v in PCL5.items[0].options}
    return {item.key: labels[v] for item, v in zip(PCL5.items, values, strict=True)}


@pytest.mark.parametrize(
    "values, total, band",
    [
        ([0] * 20, 0, "below the provisional cut-point"),
        ([2] * 15 + [0] * 5, 30, "below the provisional cut-point"),
        ([2] * 15 + [1] + [0] * 4, 31, "in the provisional cut-point range"),
        ([2] * 15 + [3] + [0] * 4, 33, "in the provisional cut-point range"),
        ([2] * 17 + [0] * 3, 34, "above the provisional cut-point"),
        ([4] * 20, 80, "above the provisional cut-point"),
    ],
)
def test_pcl5_scoring(values: list[int], total: int, band: str) -> None:
    result = score(PCL5, _pcl(values))
    assert (result.total, result.band) == (total, band)


def test_pcl5_wording_is_the_vas() -> None:
    assert len(PCL5.items) == 20 and (PCL5.minimum, PCL5.maximum) == (0, 80)
    assert PCL5.items[0].text == (
        "Repeated, disturbing, and unwanted memories of the stressful experience?"
    )
    assert PCL5.items[19].text == "Trouble falling or staying asleep?"
    assert "In the past month, how much were you bothered by:" in PCL5.stem
    assert "provisional" in PCL5.score_note and PCL5.loinc_total is None


def test_pcl5_with_a_blank_item_is_not_scored() -> None:
    answers = _pcl([1] * 20)
    answers["pcl7"] = ""
    with pytest.raises(ScoringError, match="Avoiding external reminders"):
        score(PCL5, answers)


def _pcl5_assignment(app: Flask, world: World, answered_by: str = "injured") -> int:
    with app.app_context():
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == measure_slug(PCL5))
        )
        assignment = make_assignment(
            db.session,
            db.session.get(Couple, world.couple_a),
            template,
            days_ago=0,
            schedule="once",
            due_on=TODAY + timedelta(days=3),
            visibility="clinician",
            answered_by=answered_by,
        )
        db.session.commit()
        return assignment.id


def _task(assignment_id: int) -> str:
    return f"/tasks/{assignment_id}/{(TODAY + timedelta(days=3)).isoformat()}"


def test_pcl5_over_http_blank_refused_then_scored_and_private(
    app: Flask, world: World, as_user
) -> None:
    assignment = _pcl5_assignment(app, world)
    injured = as_user("ia@client.test")
    page = injured.get(_task(assignment)).get_data(as_text=True)
    assert "Repeated, disturbing, and unwanted memories" in page
    form = {f"f_{k}": v for k, v in _pcl([2] * 20).items()}
    form["f_pcl20"] = ""
    response = injured.submit(_task(assignment), form | {"action": "submit", "revision": "0"})
    assert response.status_code == 400
    assert "Trouble falling or staying asleep" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(MeasureScore)) is None
    form["f_pcl20"] = "Moderately"
    response = injured.submit(_task(assignment), form | {"action": "submit", "revision": "1"})
    assert response.status_code == 302
    # Answering twice for one occurrence keeps one answer and one score.
    again = injured.submit(_task(assignment), form | {"action": "submit", "revision": "1"})
    assert again.status_code < 500
    with app.app_context():
        rows = db.session.scalars(select(MeasureScore)).all()
        assert [(r.instrument, r.total, r.band, r.role) for r in rows] == [
            ("pcl5", 40, "above the provisional cut-point", "injured")
        ]
    involved = as_user("va@client.test")
    assert involved.get(_task(assignment)).status_code in (403, 404)
    mine = involved.get("/settings/my-questionnaires.fhir.json").get_data(as_text=True)
    assert "pcl" not in mine.lower()
    insights = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights")
    html = insights.get_data(as_text=True)
    assert "PCL-5" in html and "provisional" in html


def test_new_couple_offers_the_pcl5_to_the_injured_partner(app: Flask, as_user, world) -> None:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
    clinician = as_user("a@clinic.test")
    response = clinician.submit(
        "/couples/new",
        {
            "label": "Couple P",
            "started_on": TODAY.isoformat(),
            "stage": "1",
            "injured_name": "Iris",
            "injured_email": "iris@example.com",
            "involved_name": "Vic",
            "involved_email": "vic@example.com",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        rows = db.session.execute(
            select(Assignment.answered_by, ExerciseTemplate.slug)
            .join(ExerciseTemplate)
            .join(Couple, Couple.id == Assignment.couple_id)
            .where(Couple.label == "Couple P")
        ).all()
    assert ("injured", "measure-pcl5") in rows


# --- recovered on the dashboard and report; practice-set thresholds -------------------------


def _scores(app: Flask, world: World, instrument: str, role: str, totals, band="x") -> None:
    with app.app_context():
        sync_library(db.session)
        couple = db.session.get(Couple, world.couple_a)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == f"measure-{instrument}")
        )
        assignment = make_assignment(db.session, couple, template, days_ago=60)
        for days_ago, total in totals:
            response = make_response(db.session, assignment, role, days_ago=days_ago)
            db.session.add(
                MeasureScore(
                    response_id=response.id,
                    couple_id=couple.id,
                    partner_id=couple.partner(role).id,
                    role=role,
                    instrument=instrument,
                    administered_on=TODAY - timedelta(days=days_ago),
                    total=total,
                    band=band,
                    band_rank=0,
                )
            )
        db.session.commit()


def test_dashboard_shows_recovered_and_missing_threshold(app: Flask, world: World, as_user) -> None:
    _scores(app, world, "phq9", "injured", [(40, 18), (2, 7)])
    _scores(app, world, "csi4", "involved", [(40, 10), (2, 16)])
    html = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights")
    text = html.get_data(as_text=True)
    assert "<strong>recovered</strong>" in text
    assert "no threshold on file" in text  # the CSI-4 without a practice-set value


def test_admin_sets_a_practice_threshold_which_is_printed_with_its_citation(
    app: Flask, world: World, as_user
) -> None:
    _scores(app, world, "csi4", "involved", [(40, 10), (2, 16)])
    admin = as_user("admin@clinic.test")
    bad = admin.submit(
        "/admin/thresholds",
        {"instrument": "csi4", "reference_sd": "0", "reliability": "1.2", "citation": "Ibis 2019"},
    )
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "number above 0" in page and "between 0 and 1" in page and "Ibis 2019" in page
    missing = admin.submit(
        "/admin/thresholds",
        {"instrument": "csi4", "reference_sd": "5", "reliability": "0.84", "citation": " "},
    )
    assert missing.status_code == 400
    good = admin.submit(
        "/admin/thresholds",
        {"instrument": "csi4", "reference_sd": "5", "reliability": "0,84", "citation": "Ibis 2019"},
    )
    assert good.status_code == 302
    page = admin.get("/admin/thresholds").get_data(as_text=True)
    assert "5.54" in page and "practice-set, from Ibis 2019" in page
    text = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights").get_data(True)
    assert "<strong>recovered</strong>" in text and "practice-set, from Ibis 2019" in text
    assert (
        admin.submit("/admin/thresholds", {"instrument": "csi4", "clear": "y"}).status_code == 302
    )
    with app.app_context():
        history = db.session.scalars(select(PracticeThreshold).order_by(PracticeThreshold.id))
        assert [(r.reference_sd, r.citation) for r in history] == [(5, "Ibis 2019"), (None, "")]
    text = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights").get_data(True)
    assert "no threshold on file" in text
    assert as_user("a@clinic.test").get("/admin/thresholds").status_code == 403


def test_admin_cannot_set_a_value_for_a_published_instrument(
    app: Flask, world: World, as_user
) -> None:
    response = as_user("admin@clinic.test").submit(
        "/admin/thresholds",
        {"instrument": "phq9", "reference_sd": "5", "reliability": "0.8", "citation": "X"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(PracticeThreshold)) is None


# --- FHIR -----------------------------------------------------------------------------------


def _fhir_world(app: Flask, world: World) -> None:
    _scores(app, world, "phq9", "injured", [(40, 18), (2, 7)], band="moderately severe")
    _scores(app, world, "gad7", "involved", [(30, 12)], band="moderate")


def _validated(text: str) -> Bundle:
    return Bundle.model_validate(json.loads(text))


def test_couple_fhir_export_is_valid_r4_with_loinc(app: Flask, world: World, as_user) -> None:
    _fhir_world(app, world)
    response = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/questionnaires.fhir.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    bundle = _validated(response.get_data(as_text=True))
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    assert kinds.count("Questionnaire") == 2
    assert kinds.count("QuestionnaireResponse") == 3 and kinds.count("Observation") == 3
    observations = [
        e.resource for e in bundle.entry if e.resource.__resource_type__ == "Observation"
    ]
    codes = sorted(o.code.coding[0].code for o in observations)
    assert codes == ["44261-6", "44261-6", "70274-6"]
    assert sorted(o.valueInteger for o in observations) == [7, 12, 18]
    questionnaires = {
        e.resource.id: e.resource
        for e in bundle.entry
        if e.resource.__resource_type__ == "Questionnaire"
    }
    assert questionnaires["mend-phq9"].code[0].code == "44249-1"
    assert questionnaires["mend-gad7"].code[0].code == "69737-5"


def test_partner_fhir_export_has_only_their_own(app: Flask, world: World, as_user) -> None:
    _fhir_world(app, world)
    text = as_user("va@client.test").get("/settings/my-questionnaires.fhir.json").get_data(True)
    bundle = _validated(text)
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    assert kinds == ["Questionnaire", "QuestionnaireResponse", "Observation"]
    assert "phq" not in text.lower() and "injured partner" not in text


def test_fhir_export_refused_to_another_clinician(app: Flask, world: World, as_user) -> None:
    response = as_user("b@clinic.test").get(f"/couples/{world.couple_a}/questionnaires.fhir.json")
    assert response.status_code == 404


def test_fhir_cli(app: Flask, world: World, tmp_path) -> None:
    _fhir_world(app, world)
    out = tmp_path / "bundle.json"
    result = app.test_cli_runner().invoke(
        args=["export-fhir", "--couple", str(world.couple_a), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(_validated(out.read_text()).entry) == 8
    missing = app.test_cli_runner().invoke(
        args=["export-fhir", "--couple", "999999", "--out", str(out)]
    )
    assert missing.exit_code != 0 and "no couple 999999" in missing.output


def test_every_loinc_code_is_one_verified() -> None:
    assert (PHQ9.loinc_panel, PHQ9.loinc_total) == ("44249-1", "44261-6")
    assert (GAD7.loinc_panel, GAD7.loinc_total) == ("69737-5", "70274-6")
    assert CSI4.loinc_total is None and PCL5.loinc_panel is None


# --- measure schedules ----------------------------------------------------------------------


def test_every_n_weeks_and_derived_days_by_hand() -> None:
    from practice.exercises.schedule import Rule, RuleError, check_rule, describe, occurrences

    start = date(2026, 1, 5)  # a Monday
    rule = Rule("weeks", start, end_on=date(2026, 3, 1), every_weeks=2)
    got = occurrences(rule, date(2026, 1, 1), date(2026, 4, 1))
    assert got == [date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2), date(2026, 2, 16)]
    assert describe(rule).startswith("Every 2 weeks from 5 Jan 2026")
    with pytest.raises(RuleError, match="from 1 to 52"):
        check_rule(Rule("weeks", start, every_weeks=0))
    with pytest.raises(RuleError, match="end date is before"):
        check_rule(Rule("weeks", start, end_on=start - timedelta(days=1), every_weeks=2))
    derived = Rule("appts", start, days=(date(2025, 12, 30), date(2026, 1, 8)), days_before=2)
    assert occurrences(derived, date(2026, 1, 1), date(2026, 2, 1)) == [date(2026, 1, 8)]


def _assign_form(template_id: int, **changes) -> dict:
    form = {
        "template_id": str(template_id),
        "answered_by": "each",
        "visibility": "clinician",
        "schedule": "weeks",
        "start_on": TODAY.isoformat(),
        "every_weeks": "4",
        "days_before": "",
        "note": "",
    }
    return form | changes


def _phq9_template(app: Flask) -> int:
    with app.app_context():
        sync_library(db.session)
        db.session.commit()
        return db.session.scalar(
            select(ExerciseTemplate.id).where(ExerciseTemplate.slug == measure_slug(PHQ9))
        )


def test_schedule_every_n_weeks_over_http(app: Flask, world: World, as_user) -> None:
    template = _phq9_template(app)
    clinician = as_user("a@clinic.test")
    url = f"/couples/{world.couple_a}/assign"
    zero = clinician.submit(url, _assign_form(template, every_weeks="0"))
    assert zero.status_code == 400 and "From 1 to 52 weeks" in zero.get_data(as_text=True)
    backwards = clinician.submit(
        url, _assign_form(template, end_on=(TODAY - timedelta(days=1)).isoformat())
    )
    assert backwards.status_code == 400
    assert "end date is before the start date" in backwards.get_data(as_text=True)
    assert clinician.submit(url, _assign_form(template)).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Assignment).where(Assignment.schedule == "weeks"))
        assert (row.every_weeks, row.start_on) == (4, TODAY)


def test_schedule_before_each_appointment(app: Flask, world: World, as_user) -> None:
    from practice.assignments.services import rule_of
    from practice.exercises.schedule import occurrence_state, occurrences
    from practice.models import Appointment

    template = _phq9_template(app)
    clinician = as_user("a@clinic.test")
    form = _assign_form(template, schedule="appts", every_weeks="", days_before="2")
    assert clinician.submit(f"/couples/{world.couple_a}/assign", form).status_code == 302
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.schedule == "appts"))
        appointments = db.session.scalars(
            select(Appointment).where(
                Appointment.couple_id == world.couple_a, Appointment.cancelled_at.is_(None)
            )
        ).all()
        rule = rule_of(assignment)
        days = occurrences(rule, TODAY, TODAY + timedelta(days=400))
        from practice.timefmt import practice_zone

        expected = sorted(
            {
                a.starts_at.astimezone(practice_zone()).date() - timedelta(days=2)
                for a in appointments
            }
        )
        assert days == [d for d in expected if d >= TODAY]
        # Past its grace days, an unanswered occurrence is missed.
        assert occurrence_state(rule, TODAY - timedelta(days=10), TODAY, None) == "missed"


def test_demo_shows_recovered_pcl5_history_and_no_invented_csi4_threshold(app: Flask) -> None:
    from practice.demo import CLINICIAN_EMAIL, DEMO_PASSWORD, load_demo
    from tests.conftest import sign_in

    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        willow = db.session.scalar(select(Couple.id).where(Couple.label == "Willow"))
        totals = db.session.scalars(
            select(MeasureScore.total)
            .where(MeasureScore.instrument == "pcl5")
            .order_by(MeasureScore.administered_on)
        ).all()
    assert totals == [54, 43, 29]
    client = app.test_client()
    sign_in(client, CLINICIAN_EMAIL, DEMO_PASSWORD)
    html = client.get(f"/couples/{willow}/insights").get_data(as_text=True)
    assert "<strong>recovered</strong>" in html  # the PHQ-9, 14 to 6
    assert "PCL-5" in html and "practice-set, from" not in html
    assert "no threshold on file" in html  # the CSI-4: nothing published on file, none invented


def test_reminders_count_a_questionnaire_due_before_an_appointment(
    app: Flask, world: World
) -> None:
    from datetime import UTC, datetime, time

    from practice.assignments.services import AssignmentChoice, assign
    from practice.models import Appointment, User
    from practice.reminders import things_to_do
    from practice.timefmt import practice_zone

    template_id = _phq9_template(app)
    with app.app_context():
        zone = practice_zone()
        appointment = db.session.get(Appointment, world.appointment_a)
        appointment.starts_at = datetime.combine(TODAY + timedelta(days=2), time(12), tzinfo=UTC)
        appointment.cancelled_at = None
        couple = db.session.get(Couple, world.couple_a)
        partner = couple.partner("involved")
        before = things_to_do(db.session, partner, TODAY, zone)
        choice = AssignmentChoice(
            answered_by="involved",
            visibility="clinician",
            schedule="appts",
            start_on=TODAY,
            days_before=2,
        )
        clinician = db.session.get(User, world.clinician_a)
        assign(
            db.session,
            couple,
            db.session.get(ExerciseTemplate, template_id),
            clinician,
            choice,
            TODAY,
        )
        db.session.commit()
        assert things_to_do(db.session, partner, TODAY, zone) == before + 1
        assert things_to_do(db.session, partner, TODAY + timedelta(days=1), zone) <= before
