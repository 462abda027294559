"""A partner answers the PHQ-9 on a phone, in a real browser, and says item 9 applies: they see
crisis resources at once; the other partner sees nothing of it; the clinician sees the
self-harm flag first (above a boundary crossing) and the score in the Questionnaires table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import select

from practice.db import db
from practice.exercises.services import sync_library
from practice.measures.instruments import PHQ9
from practice.measures.library import measure_slug
from practice.models import BoundaryLog, ExerciseTemplate, MeasureScore, Response, utcnow
from practice.timefmt import local_today, practice_zone
from tests import factories
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser

CLINICIAN_EMAIL = "clinician@clinic.test"
INJURED_EMAIL = "injured@client.test"
INVOLVED_EMAIL = "involved@client.test"
INJURED_NAME = "Injured (injured partner)"  # as the insights page names the partner
COUPLE_LABEL = "Couple P"
BOUNDARY = "Phones stay face up in the evening."
PHQ9_TITLE = "Patient Health Questionnaire (PHQ-9)"
CRISIS_HEADING = "Thank you for telling us. You don't have to carry this alone."
SELF_HARM_FLAG = "Thoughts of self-harm reported by the injured partner (PHQ-9 item 9)"
CROSSING_FLAG = f"Boundary crossed: {BOUNDARY}"
ITEMS_1_TO_8 = "Several days"  # 1 point each
ITEM_9 = "More than half the days"  # 2 points
DIFFICULTY = "Somewhat difficult"  # not scored


@dataclass
class Seeded:
    couple_id: int
    injured_partner_id: int
    assignment_id: int
    boundary_id: int
    today: date  # the practice's today
    due: date  # the PHQ-9's due day, the occurrence in /tasks/<assignment_id>/<due>


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A clinician, a couple, an active boundary the involved partner crossed today, and the
    built-in PHQ-9 assigned once (due in 3 days), private to the clinician, for each partner."""
    with app.app_context():
        today = local_today(practice_zone(), utcnow())
        clinician = factories.make_user(db.session, CLINICIAN_EMAIL, "clinician", "Dr Moss")
        couple = factories.make_couple(
            db.session, clinician, COUPLE_LABEL, INJURED_EMAIL, INVOLVED_EMAIL, stage=2
        )
        boundary = factories.make_boundary(db.session, couple, BOUNDARY)
        db.session.add(
            BoundaryLog(
                boundary_id=boundary.id,
                partner_id=couple.partner("involved").id,
                period_start=today,
                status="crossed",
            )
        )
        sync_library(db.session)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == measure_slug(PHQ9))
        )
        assert template is not None and template.title == PHQ9_TITLE
        assignment = factories.make_assignment(
            db.session,
            couple,
            template,
            days_ago=0,
            schedule="once",
            due_on=today + timedelta(days=3),
            visibility="clinician",
            answered_by="each",
        )
        assignment.start_on = today  # the practice's today, which need not be this machine's
        db.session.commit()
        return Seeded(
            couple_id=couple.id,
            injured_partner_id=couple.partner("injured").id,
            assignment_id=assignment.id,
            boundary_id=boundary.id,
            today=today,
            due=assignment.due_on,
        )


def sign_in(page: Page, base_url: str, email: str, landing: str) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{landing}")


def legend_of(number: int | None, text: str) -> str:
    """A questionnaire item's legend: numbered, and marked required, when it is scored."""
    return f"{number}. {text} (required)" if number is not None else text


def answer_item(page: Page, legend: str, choice: str) -> None:
    """Click the label of one answer inside the item's fieldset; the radio becomes checked."""
    group = page.get_by_role("group", name=legend, exact=True)
    expect(group).to_have_count(1)
    group.locator("label.option").filter(
        has_text=re.compile(f"^\\s*{re.escape(choice)}\\s*$")
    ).click()
    expect(group.get_by_label(choice, exact=True)).to_be_checked()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px wide)"


def flag_item(flags: Locator, title: str) -> Locator:
    """The flag with this title in the Needs attention section."""
    return flags.locator("li.flag").filter(
        has=flags.page.locator("strong").get_by_text(title, exact=True)
    )


def test_phq9_item_nine_shows_crisis_resources_and_flags_first_for_the_clinician_only(
    app: Flask,
    live_server: str,
    contexts: dict[str, BrowserContext],
    seeded: Seeded,
    backend: str,
    artifacts_dir: Path,
) -> None:
    worksheet_path = f"/tasks/{seeded.assignment_id}/{seeded.due.isoformat()}"
    shown_day = f"{seeded.today:%a} {seeded.today.day} {seeded.today:%b}"

    # The injured partner, on a phone: opens the PHQ-9 from Today and answers every item.
    injured = contexts["injured"].new_page()
    sign_in(injured, live_server, INJURED_EMAIL, "/today")
    injured.locator("main").get_by_role("link", name=PHQ9_TITLE, exact=True).click()
    expect(injured).to_have_url(f"{live_server}{worksheet_path}")
    expect(injured.get_by_role("heading", name=PHQ9_TITLE, level=1)).to_be_visible()
    # A questionnaire is private to the clinician: there is no choice of who reads it.
    expect(injured.get_by_role("group", name="When you send it, who can read it?")).to_have_count(0)

    scored = PHQ9.scored_items
    assert [item.key for item in scored] == [f"phq{n}" for n in range(1, 10)]
    for number, item in enumerate(scored, start=1):
        answer_item(injured, legend_of(number, item.text), ITEM_9 if number == 9 else ITEMS_1_TO_8)
    difficulty = next(item for item in PHQ9.items if not item.scored)
    answer_item(injured, legend_of(None, difficulty.text), DIFFICULTY)
    injured.get_by_role("button", name="Send", exact=True).click()

    # At once: the crisis resources, not the answer page.
    expect(injured).to_have_url(re.compile(re.escape(f"{live_server}/support?after=") + r"\d+$"))
    crisis = injured.get_by_role("alert").filter(
        has=injured.get_by_role("heading", name=CRISIS_HEADING, level=1)
    )
    expect(crisis).to_have_count(1)
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("Samaritans")
    expect(crisis.get_by_role("link", name="Call 116 123")).to_have_attribute("href", "tel:116123")
    expect(crisis).to_contain_text("988")
    expect(crisis).to_contain_text("Your partner will not see your answers.")
    response_id = int(injured.url.rsplit("=", 1)[1])
    expect(crisis.get_by_role("link", name="See what you sent")).to_have_attribute(
        "href", f"/answers/{response_id}"
    )
    no_sideways_scroll(injured)
    injured.screenshot(
        path=str(artifacts_dir / f"phq9-crisis-{PHONE['width']}px-{backend}.png"), full_page=True
    )

    # The involved partner, on another phone: nothing of the PHQ-9 in their answers.
    involved = contexts["involved"].new_page()
    sign_in(involved, live_server, INVOLVED_EMAIL, "/today")
    involved.goto(f"{live_server}/answers")
    expect(involved.get_by_role("heading", name="Answers", level=1)).to_be_visible()
    main = involved.locator("main")
    for hidden in ("Patient Health Questionnaire", "PHQ-9", ITEM_9, ITEMS_1_TO_8, "moderate"):
        expect(main).not_to_contain_text(hidden)
    expect(involved.get_by_role("link", name=PHQ9_TITLE)).to_have_count(0)
    expect(involved.locator(f"a[href='/answers/{response_id}']")).to_have_count(0)
    reply = involved.goto(f"{live_server}/answers/{response_id}")
    assert reply is not None and reply.status == 404
    expect(involved.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    for hidden in (ITEM_9, ITEMS_1_TO_8, "moderate", "item 9"):
        expect(involved.locator("body")).not_to_contain_text(hidden)

    # The clinician, at a desk: the self-harm flag first, above the boundary crossing.
    clinician = contexts["clinician"].new_page()
    sign_in(clinician, live_server, CLINICIAN_EMAIL, "/couples/")
    clinician.goto(f"{live_server}/couples/{seeded.couple_id}/insights")
    expect(
        clinician.get_by_role("heading", name=f"How things are going: {COUPLE_LABEL}", level=1)
    ).to_be_visible()
    flags = clinician.get_by_role("region", name="Needs attention")
    expect(flags.get_by_role("heading", name="Needs attention", level=2)).to_have_attribute(
        "id", "flags-h"
    )
    all_flags = flags.locator("li.flag")
    first = all_flags.first
    expect(first.locator("strong")).to_have_text(SELF_HARM_FLAG)
    expect(first).to_have_class(re.compile(r"\bflag-safety\b"))
    expect(first.locator(".evidence > li")).to_have_text(
        [f"{shown_day}: item 9 answered 2 of 3; PHQ-9 total 10 (moderate)"]
    )
    expect(flag_item(flags, SELF_HARM_FLAG)).to_have_count(1)
    crossing = flag_item(flags, CROSSING_FLAG)
    expect(crossing).to_have_count(1)
    titles = all_flags.locator("> strong").all_inner_texts()
    assert titles.index(SELF_HARM_FLAG) == 0 < titles.index(CROSSING_FLAG), titles

    questionnaires = clinician.get_by_role("region", name="Questionnaires")
    rows = questionnaires.get_by_role("row").filter(
        has=clinician.get_by_role("rowheader", name="PHQ-9", exact=True)
    )
    expect(rows).to_have_count(1)  # only the injured partner has answered
    cells = rows.get_by_role("cell")
    expect(cells.nth(0)).to_have_text(INJURED_NAME)
    expect(cells.nth(1)).to_have_text(re.compile(r"^10\s"))
    expect(cells.nth(2)).to_have_text("moderate")
    # One chart per partner and questionnaire: only the injured partner answered.
    expect(questionnaires.locator("figcaption")).to_have_text(
        [re.compile(re.escape(PHQ9_TITLE) + r": .*\(injured partner\)")]
    )
    clinician.screenshot(
        path=str(artifacts_dir / f"phq9-insights-desktop-{backend}.png"), full_page=True
    )

    # In the database: one score, of the injured partner's response.
    with app.app_context():
        scores = db.session.scalars(select(MeasureScore)).all()
        assert len(scores) == 1, f"expected one PHQ-9 score, found {scores}"
        row = scores[0]
        assert (row.instrument, row.total, row.band, row.self_harm_item) == (
            "phq9",
            10,
            "moderate",
            2,
        )
        assert (row.response_id, row.partner_id, row.role) == (
            response_id,
            seeded.injured_partner_id,
            "injured",
        )
        assert row.administered_on == seeded.today
        response = db.session.get(Response, response_id)
        assert response is not None
        assert (response.status, response.visibility, response.slot) == (
            "submitted",
            "clinician",
            "injured",
        )
        assert response.answers["phq9"] == ITEM_9
        assert response.answers["difficulty"] == DIFFICULTY
        logs = db.session.scalars(select(BoundaryLog)).all()
        assert [(log.boundary_id, log.status) for log in logs] == [(seeded.boundary_id, "crossed")]
