"""Exports: a partner gets their own words and never their partner's; a clinician their couple."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from flask import Flask
from pypdf import PdfReader

from practice.db import db
from practice.models import Assignment, Boundary, BoundaryLog, Couple, MeasureScore, SafetyCheck
from tests.factories import World, make_response

TODAY = date.today()
MINE = ["Marigoldsong", "Draftlantern", "Kitchenwillow"]  # own answer, own draft, own log note
PARTNERS = ["Pelicanprivate", "Quokkashared", "Heronnote", "Ibissafety", "Lynxmeasure"]


@pytest.fixture
def words(app: Flask, world: World) -> World:
    """Couple A with unique words from each partner in every kind of record."""
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        assignment = db.session.get(Assignment, world.assignment_a)
        injured, involved = couple.partner("injured"), couple.partner("involved")
        mine = make_response(db.session, assignment, "injured", 2, {"answer_1": MINE[0], "mood": 4})
        mine.clinician_comment = "Commentcormorant"
        make_response(db.session, assignment, "injured", 3, {"answer_1": MINE[1]}, status="draft")
        make_response(db.session, assignment, "involved", 2, {"answer_1": PARTNERS[0], "mood": 3})
        make_response(
            db.session, assignment, "involved", 3, {"answer_1": PARTNERS[1]}, visibility="shared"
        )
        safety = make_response(db.session, assignment, "involved", 4, {"answer_1": PARTNERS[3]})
        measure = make_response(db.session, assignment, "involved", 5, {"answer_1": PARTNERS[4]})
        db.session.add_all(
            [
                BoundaryLog(
                    boundary_id=world.boundary_a,
                    partner_id=injured.id,
                    period_start=TODAY,
                    status="kept",
                    note=MINE[2],
                ),
                BoundaryLog(
                    boundary_id=world.boundary_a,
                    partner_id=involved.id,
                    period_start=TODAY,
                    status="crossed",
                    note=PARTNERS[2],
                ),
                SafetyCheck(
                    response_id=safety.id,
                    couple_id=couple.id,
                    partner_id=involved.id,
                    role="involved",
                    checked_on=TODAY,
                    worrying=True,
                    worries="Ibisworry",
                ),
                MeasureScore(
                    response_id=measure.id,
                    couple_id=couple.id,
                    partner_id=involved.id,
                    role="involved",
                    instrument="gad7",
                    administered_on=TODAY,
                    total=17,
                    band="Lynxband",
                    band_rank=3,
                ),
            ]
        )
        db.session.commit()
    return world


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_partner_downloads_their_own_words_and_none_of_their_partners(
    app: Flask, words: World, as_user
) -> None:
    browser = as_user("ia@client.test")
    settings = browser.get("/settings").get_data(as_text=True)
    assert "Download what I have written" in settings and "/settings/my-words.pdf" in settings

    response = browser.get("/settings/my-words.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert data["account"]["email"] == "ia@client.test"
    assert data["account"]["partner_role"] == "injured"
    for marker in MINE:
        assert marker in text
    for marker in [*PARTNERS, "Ibisworry", "Lynxband", "Commentcormorant"]:
        assert marker not in text
    assert {r["answered_as"] for r in data["responses"]} == {"injured"}
    assert {r["status"] for r in data["responses"]} == {"submitted", "draft"}
    assert [b["text"] for b in data["boundaries"]] == ["No contact with the other person."]

    pdf = browser.get("/settings/my-words.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert pdf.headers["Cache-Control"] == "no-store"
    pdf_text = _pdf_text(pdf.data)
    for marker in MINE:
        assert marker in pdf_text
    for marker in [*PARTNERS, "Ibisworry", "Lynxband", "Commentcormorant"]:
        assert marker not in pdf_text


def test_the_other_partner_gets_their_own_private_words(app: Flask, words: World, as_user) -> None:
    text = as_user("va@client.test").get("/settings/my-words.json").get_data(as_text=True)
    for marker in [*PARTNERS, "Lynxband"]:
        assert marker in text
    for marker in MINE:
        assert marker not in text


def test_a_joint_answer_is_in_both_partners_exports(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.answered_by = "together"
        make_response(db.session, assignment, "together", 2, {"answer_1": "Togetherthrush"})
        db.session.commit()
    for email in ("ia@client.test", "va@client.test"):
        assert "Togetherthrush" in as_user(email).get("/settings/my-words.json").get_data(
            as_text=True
        )


def test_a_partner_export_leaves_out_boundaries_they_never_agreed(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        db.session.add(
            Boundary(
                couple_id=couple.id,
                text="Osprey proposal",
                status="proposed",
                proposed_by_id=couple.partner("involved").id,
            )
        )
        db.session.commit()
    assert "Osprey" not in as_user("ia@client.test").get("/settings/my-words.json").get_data(
        as_text=True
    )
    assert "Osprey" in as_user("va@client.test").get("/settings/my-words.json").get_data(
        as_text=True
    )


def test_the_clinician_exports_the_whole_record(app: Flask, words: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    page = browser.get(f"/couples/{words.couple_a}").get_data(as_text=True)
    assert f"/couples/{words.couple_a}/export.json" in page
    response = browser.get(f"/couples/{words.couple_a}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    for marker in [MINE[0], MINE[2], *PARTNERS, "Ibisworry", "Lynxband", "Commentcormorant"]:
        assert marker in text
    assert MINE[1] not in text  # a draft is work in progress, not the clinician's to read
    data = json.loads(text)
    assert {p["role"] for p in data["partners"]} == {"injured", "involved"}
    assert data["appointments"][0]["agenda_note"] == "agenda note for the clinician only"
    assert [r["id"] for r in data["reports"]] == [words.report_a]
    assert data["boundaries"][0]["history"][0]["summary"] == "First proposal"


def test_a_clinician_cannot_export_another_clinicians_couple(
    app: Flask, words: World, as_user
) -> None:
    assert as_user("b@clinic.test").get(f"/couples/{words.couple_a}/export.json").status_code == 404
    assert (
        as_user("ia@client.test").get(f"/couples/{words.couple_a}/export.json").status_code == 403
    )


def test_the_cli_writes_the_same_record(app: Flask, words: World, tmp_path) -> None:
    out = tmp_path / "couple.json"
    result = app.test_cli_runner().invoke(
        args=["export-couple", "--couple", str(words.couple_a), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["couple"]["id"] == words.couple_a
    assert PARTNERS[0] in out.read_text()
    assert out.stat().st_mode & 0o077 == 0
    missing = app.test_cli_runner().invoke(
        args=["export-couple", "--couple", "999999", "--out", str(out)]
    )
    assert missing.exit_code != 0 and "There is no couple 999999" in missing.output
