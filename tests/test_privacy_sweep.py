"""The privacy sweep: a unique marker in every private field, then everything the other partner
can reach (every client page in the URL map, both exports, the couple's copy of the report,
their emails) is fetched and searched. No marker may appear anywhere."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import db
from practice.exercises.services import sync_library
from practice.mail import outbox
from practice.measures.instruments import PHQ9
from practice.measures.library import SAFETY_SLUG, measure_slug
from practice.models import Couple, ExerciseTemplate, Message, Response
from tests.factories import World, make_assignment, make_response
from tests.test_access import ROUTES, _methods, _rules
from tests.test_safety import _assign, _phq9_form, _safety_form
from tests.test_safety import _url as _measure_url

TODAY = date.today()
MARKERS = {
    "private answer": "MARK-private-answer-4b1e",
    "draft": "MARK-unsent-draft-9c2d",
    "clinician comment": "MARK-clinician-comment-77aa",
    "agenda note": "MARK-agenda-note-3f0e",
    "boundary log note": "MARK-log-note-d41c",
    "stage reason": "MARK-stage-reason-a9b8",
    "safety answer": "MARK-safety-words-5e6f",
    "private message": "MARK-private-message-61c0",
    "clinician's private reply": "MARK-private-reply-0b7d",
}


# Numeric markers: every check-in anyone shares stays within 0..3; the injured partner's private
# check-in today says 10 on every scale. A chart point or a mean above 3 is that private record.
SHARED_MAX = 3
CHART_POINT = re.compile(r"<title>[^<]*, \d{1,2} \w{3}: (\d+(?:\.\d+)?)</title>")
MEAN_AND_CHANGE = re.compile(r"(?<![\d.])(\d+\.\d) \([+\-−±]")


def _numbers_from_private(text: str) -> list[str]:
    """Chart points and means in the text that only the private check-in can explain."""
    found = CHART_POINT.findall(text) + MEAN_AND_CHANGE.findall(text)
    return [number for number in found if float(number) > SHARED_MAX]


def _checkins(app: Flask, world: World) -> int:
    """A week of shared daily check-ins from both partners of couple A, all within 0..3."""
    with app.app_context():
        sync_library(db.session)
        couple = db.session.get(Couple, world.couple_a)
        template = db.session.scalar(
            select(ExerciseTemplate).where(ExerciseTemplate.slug == "daily-check-in")
        )
        checkin = make_assignment(db.session, couple, template, 7)
        for days_ago in range(1, 8):
            for role in ("injured", "involved"):
                low = (days_ago + len(role)) % (SHARED_MAX + 1)
                scales = {"trust": low, "emotional_safety": low, "connection": low}
                words = {**scales, "distress": low, "need_now": "shared words"}
                make_response(db.session, checkin, role, days_ago, words, visibility="shared")
        db.session.commit()
        return checkin.id


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _write_private_things(app: Flask, world: World, as_user) -> None:
    """The injured partner and the clinician write everything that is not the other's to read."""
    injured = as_user("ia@client.test")
    task = f"/tasks/{world.assignment_a}"
    today, yesterday = TODAY.isoformat(), (TODAY - timedelta(days=1)).isoformat()
    words = {"f_answer_1": MARKERS["private answer"], "f_mood": "4"}
    assert injured.submit(f"{task}/{today}", {**words, "action": "save", "revision": "0"})
    sent = injured.submit(
        f"{task}/{today}", {**words, "action": "submit", "revision": "1", "visibility": "clinician"}
    )
    assert sent.status_code == 302
    draft = {"f_answer_1": MARKERS["draft"], "action": "save", "revision": "0"}
    assert injured.submit(f"{task}/{yesterday}", draft).status_code == 302
    assert (
        injured.submit(
            f"/boundaries/{world.boundary_a}/log",
            {"day": today, "status": "kept", "note": MARKERS["boundary log note"]},
        ).status_code
        == 302
    )
    safety = _assign(app, world, SAFETY_SLUG)
    injured.submit(
        _measure_url(safety), _safety_form(afraid="yes", anything_else=MARKERS["safety answer"])
    )
    phq = _assign(app, world, measure_slug(PHQ9))
    injured.submit(_measure_url(phq), _phq9_form("Not at all"))

    checkin = _checkins(app, world)
    tens = {f"f_{key}": "10" for key in ("trust", "emotional_safety", "connection", "distress")}
    private = {**tens, "f_need_now": "only for my clinician", "action": "submit", "revision": "0"}
    private["visibility"] = "clinician"
    assert injured.submit(f"/tasks/{checkin}/{today}", private).status_code == 302

    sent = injured.submit(
        "/messages/private", {"body": MARKERS["private message"], "submit_key": "sweep-1"}
    )
    assert sent.status_code == 302

    clinician = as_user("a@clinic.test")
    reply = {"to": "injured", "body": MARKERS["clinician's private reply"], "submit_key": "s2"}
    assert clinician.submit(f"/couples/{world.couple_a}/messages", reply).status_code == 302
    with app.app_context():
        for message in db.session.scalars(select(Message).where(Message.thread == "injured")):
            message.for_session_at = message.created_at  # on the report's agenda too
        db.session.commit()
    with app.app_context():
        private_id = db.session.scalar(
            select(Response.id).where(
                Response.assignment_id == world.assignment_a,
                Response.slot == "injured",
                Response.occurrence_on == TODAY,
            )
        )
    assert (
        clinician.submit(
            f"/responses/{private_id}", {"reviewed": "y", "comment": MARKERS["clinician comment"]}
        ).status_code
        == 302
    )
    starts = (TODAY + timedelta(days=2)).strftime("%Y-%m-%dT11:00")
    assert (
        clinician.submit(
            f"/couples/{world.couple_a}/appointments/new",
            {"starts_at": starts, "duration_minutes": "50", "agenda_note": MARKERS["agenda note"]},
        ).status_code
        == 302
    )
    assert (
        clinician.submit(
            f"/couples/{world.couple_a}/stage", {"target": "3", "reason": MARKERS["stage reason"]}
        ).status_code
        == 302
    )


def _client_urls(app: Flask, world: World) -> list[str]:
    """Every client page in the URL map (GET), with the ids of couple A."""
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in _rules(app):
            route = ROUTES[rule.endpoint]
            if "client" not in route.roles or "GET" not in _methods(rule):
                continue
            urls.append(url_for(rule.endpoint, **route.args(world)))
    return urls


@pytest.mark.parametrize("reader", ["va@client.test", "ib@client.test"])
def test_no_private_marker_reaches_the_other_partner_anywhere(
    app: Flask, world: World, as_user, reader: str
) -> None:
    _write_private_things(app, world, as_user)
    # The markers are really there, for the people who may read them (so the sweep can fail).
    clinician = as_user("a@clinic.test")
    export = clinician.get(f"/couples/{world.couple_a}/export.json").get_data(as_text=True)
    for name in (
        "private answer",
        "clinician comment",
        "agenda note",
        "stage reason",
        "safety answer",
        "boundary log note",
        "private message",
        "clinician's private reply",
    ):
        assert MARKERS[name] in export, name
    dashboard = clinician.get(f"/couples/{world.couple_a}/insights?period=14")
    assert _numbers_from_private(dashboard.get_data(as_text=True)), "the tens reach the clinician"

    browser = as_user(reader)
    seen: dict[str, str] = {}
    urls = _client_urls(app, world)
    assert len(urls) >= 10
    for url in urls:
        response = browser.get(url)
        is_pdf = response.mimetype == "application/pdf" and response.status_code == 200
        seen[url] = _pdf_text(response.data) if is_pdf else response.get_data(as_text=True)
    # The reader's own exports, as JSON and as a PDF.
    seen["my-words.json"] = browser.get("/settings/my-words.json").get_data(as_text=True)
    pdf = browser.get("/settings/my-words.pdf")
    assert pdf.status_code == 200
    seen["my-words.pdf"] = _pdf_text(pdf.data)
    # The couple's copy of the report, as the clinician hands it over.
    made = clinician.submit(f"/couples/{world.couple_a}/report", {"audience": "couple"})
    copy = clinician.get(made.headers["Location"])
    assert copy.status_code == 200
    seen["couple's report"] = _pdf_text(copy.data)
    for period in ("last", "14"):
        preview = clinician.get(
            f"/couples/{world.couple_a}/report/preview?audience=couple&period={period}"
        )
        assert preview.status_code == 200
        seen[f"couple's report preview ({period})"] = preview.get_data(as_text=True)
    # Every email the reader is sent.
    outbox(app).clear()
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    for message in outbox(app):
        if message.to == reader:
            seen[f"email {message.subject}"] = message.body

    for where, text in seen.items():
        for name, marker in MARKERS.items():
            assert marker not in text, f"{name} reached {reader} in {where}"
        assert "Several days" not in text, f"questionnaire answers reached {reader} in {where}"
        leaked = _numbers_from_private(text)
        assert not leaked, f"values of a private check-in ({leaked}) reached {reader} in {where}"
