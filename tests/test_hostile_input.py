"""Hostile input: stored XSS in every field people write, oversized bodies, and forged,
tampered or replayed account links."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import db
from practice.mail import outbox
from practice.models import Assignment, Boundary, Couple, Response, User, utcnow
from tests.conftest import MendClient, sign_in
from tests.factories import World

TODAY = date.today()
SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'


def hostile(tag: str) -> str:
    """What an attacker types, with a tag saying which field it went into."""
    return f"{tag}{SCRIPT}{IMAGE}"


def shown(tag: str) -> str:
    """The same text as an escaping page must carry it."""
    return str(escape(hostile(tag)))


def assert_escaped(html: str, *tags: str) -> None:
    """No payload runs on this page, and each tagged text is there, escaped."""
    assert "<script>alert" not in html and "<img src=x" not in html
    for tag in tags:
        assert shown(tag) in html, f"{tag} is not shown escaped"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with the spacing removed (lines wrap anywhere in long words)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


def in_pdf(text: str, tag: str) -> bool:
    return re.sub(r"\s+", "", hostile(tag)) in text


@dataclass
class Hostile:
    new_couple: int
    boundary: int
    response: int
    assignment: int


@pytest.fixture
def attack(app: Flask, world: World, as_user) -> Hostile:
    """Every writable text field filled with script and markup, through the real forms."""
    clinician = as_user("a@clinic.test")
    ok = clinician.submit(
        "/couples/new",
        {
            "label": hostile("label"),
            "started_on": (TODAY - timedelta(days=3)).isoformat(),
            "stage": "1",
            "injured_name": hostile("injured"),
            "injured_email": "robin@example.com",
            "involved_name": hostile("involved"),
            "involved_email": "alex@example.com",
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    start = (utcnow() + timedelta(days=3)).replace(hour=14, minute=30)
    ok = clinician.submit(
        f"/appointments/{world.appointment_a}/edit",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "50",
            "agenda_note": hostile("agenda"),
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    ok = clinician.submit(
        f"/couples/{world.couple_a}/assign",
        {
            "template_id": str(world.template_a),
            "answered_by": "each",
            "visibility": "shared",
            "schedule": "daily",
            "start_on": TODAY.isoformat(),
            "note": hostile("assignment"),
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    ok = clinician.submit(
        f"/couples/{world.couple_a}/boundaries",
        {
            "text": hostile("boundary"),
            "consequence": hostile("consequence"),
            "check_period": "daily",
            "agreed_in_session": "y",
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    with app.app_context():
        boundary = db.session.scalar(
            select(Boundary.id)
            .where(Boundary.couple_id == world.couple_a)
            .order_by(Boundary.id.desc())
        )
        assignment = db.session.scalar(select(Assignment.id).order_by(Assignment.id.desc()))
        new_couple = db.session.scalar(select(Couple.id).where(Couple.label == hostile("label")))
    partner = as_user("va@client.test")
    ok = partner.submit(
        f"/boundaries/{boundary}/log",
        {"day": TODAY.isoformat(), "status": "crossed", "note": hostile("lognote")},
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    ok = partner.submit(
        f"/tasks/{assignment}/{TODAY.isoformat()}",
        {
            "f_answer_1": hostile("checkin"),
            "f_mood": "6",
            "action": "submit",
            "revision": "0",
            "visibility": "shared",
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    ok = partner.submit(
        f"/tasks/{world.assignment_a}/{TODAY.isoformat()}",
        {
            "f_answer_1": hostile("answer"),
            "f_mood": "4",
            "action": "submit",
            "revision": "0",
            "visibility": "shared",
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    with app.app_context():
        response = db.session.scalar(
            select(Response.id).where(
                Response.assignment_id == world.assignment_a, Response.slot == "involved"
            )
        )
    ok = clinician.submit(
        f"/responses/{response}", {"reviewed": "y", "comment": hostile("comment")}
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    ok = as_user("admin@clinic.test").submit(
        "/admin/users",
        {"email": "newcomer@example.com", "display_name": hostile("staff"), "role": "clinician"},
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    with app.app_context():
        # Staff names are typed by admins (above); the existing clinician gets one too so it
        # reaches the pages and the report that show a clinician's name.
        db.session.get(User, world.clinician_a).display_name = hostile("clinician")
        db.session.commit()
    return Hostile(new_couple, boundary, response, assignment)


def test_what_clinicians_write_and_partners_send_is_escaped_on_every_page(
    world: World, attack: Hostile, as_user, app: Flask
) -> None:
    a = world.couple_a
    pages = {
        "a@clinic.test": {
            "/couples/": ["label"],
            f"/couples/{attack.new_couple}": ["label", "injured", "involved"],
            f"/couples/{a}": ["agenda"],
            f"/appointments/{world.appointment_a}/edit": ["agenda"],
            f"/assignments/{attack.assignment}": ["assignment"],
            f"/couples/{a}/boundaries": ["boundary", "consequence"],
            f"/boundaries/{attack.boundary}/history": ["boundary", "consequence"],
            f"/couples/{a}/insights": ["boundary", "lognote"],
            f"/couples/{a}/responses": ["checkin", "answer"],
            f"/responses/{attack.response}": ["answer", "comment"],
            f"/couples/{a}/report/preview?period=14": [
                "agenda",
                "boundary",
                "lognote",
                "checkin",
                "answer",
                "clinician",
            ],
            f"/couples/{attack.new_couple}/report/preview?period=14": ["label", "clinician"],
        },
        "va@client.test": {
            "/today": ["assignment"],
            "/home": ["clinician"],
            "/boundaries": ["boundary", "lognote"],
            f"/boundaries/{attack.boundary}": ["boundary", "consequence"],
            f"/answers/{attack.response}": ["answer"],
            "/answers": [],
            "/checkins": [],
        },
        "ia@client.test": {"/today": ["assignment"], "/boundaries": ["boundary"]},
        "admin@clinic.test": {"/admin/users": ["injured", "involved", "staff", "clinician"]},
    }
    for email, urls in pages.items():
        browser = as_user(email)
        for url, tags in urls.items():
            page = browser.get(url)
            assert page.status_code == 200, url
            assert_escaped(page.get_data(as_text=True), *tags)
    # The invited partner's welcome page greets them by the name the clinician typed.
    message = [m for m in outbox(app) if m.to == "robin@example.com"][-1]
    link = re.search(r"http://mend\.test(/welcome/\S+)", message.body).group(1)
    assert_escaped(app.test_client().get(link).get_data(as_text=True), "injured")


def test_the_pdf_prints_hostile_text_as_text(world: World, attack: Hostile, as_user) -> None:
    clinician = as_user("a@clinic.test")

    def report(couple_id: int, audience: str) -> str:
        made = clinician.submit(
            f"/couples/{couple_id}/report", {"period": "14", "audience": audience}
        )
        assert made.status_code == 302
        return pdf_text(clinician.get(made.headers["Location"]).data)

    # Were any of it read as HTML, the script and image would vanish from the text.
    full = report(world.couple_a, "clinician")
    for tag in ("agenda", "boundary", "lognote", "checkin", "answer", "clinician"):
        assert in_pdf(full, tag), tag
    copy = report(world.couple_a, "couple")
    for tag in ("boundary", "checkin", "answer", "clinician"):
        assert in_pdf(copy, tag), tag
    assert not in_pdf(copy, "agenda")  # the clinician's own note stays out of the couple's copy
    assert in_pdf(report(attack.new_couple, "clinician"), "label")


def test_an_oversized_body_is_refused_with_a_plain_page(app: Flask, world: World, as_user) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    partner = as_user("va@client.test")
    url = f"/tasks/{world.assignment_a}/{TODAY.isoformat()}"
    big = {"f_answer_1": "x" * (65 * 1024), "f_mood": "5", "action": "save", "revision": "0"}
    response = partner.submit(url, big)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That was too much to send at once" in page and "Traceback" not in page
    # A multipart upload is refused the same way, and the app keeps serving afterwards.
    upload = partner.post(
        url,
        data={"csrf_token": partner.csrf_token(), "file": (io.BytesIO(b"x" * 70_000), "a.txt")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 413
    assert partner.get("/today").status_code == 200
    with app.app_context():
        assert (
            db.session.scalars(
                select(Response).where(
                    Response.assignment_id == world.assignment_a, Response.slot == "involved"
                )
            ).all()
            == []
        )


# Account links ------------------------------------------------------------------------------


def _reset_link(app: Flask, client: MendClient, email: str) -> str:
    client.submit("/forgot-password", {"email": email})
    message = [m for m in outbox(app) if m.to == email][-1]
    return re.search(r"http://mend\.test(/set-password/\S+)", message.body).group(1)


def _invitation_link(app: Flask, as_user) -> str:
    as_user("a@clinic.test").submit(
        "/couples/new",
        {
            "label": "Couple Links",
            "started_on": TODAY.isoformat(),
            "stage": "1",
            "injured_name": "Robin",
            "injured_email": "robin@example.com",
            "involved_name": "Alex",
            "involved_email": "alex@example.com",
        },
    )
    message = [m for m in outbox(app) if m.to == "robin@example.com"][-1]
    return re.search(r"http://mend\.test(/welcome/\S+)", message.body).group(1)


def _tamper(link: str) -> str:
    prefix, token = link.rsplit("/", 1)
    middle = len(token) // 2
    swapped = "A" if token[middle] != "A" else "B"
    return f"{prefix}/{token[:middle]}{swapped}{token[middle + 1 :]}"


PASSWORD = "a fresh and lengthy passphrase for mend"


@pytest.mark.parametrize("kind", ["reset", "invitation"])
def test_forged_tampered_and_cross_purpose_links_are_refused(
    app: Flask, world: World, as_user, kind: str
) -> None:
    if kind == "reset":
        link, other = _reset_link(app, app.test_client(), "a@clinic.test"), "/welcome/"
        email = "a@clinic.test"
    else:
        link, other = _invitation_link(app, as_user), "/set-password/"
        email = "robin@example.com"
    prefix = link.rsplit("/", 1)[0]
    forged = [
        f"{prefix}/forged.token",
        f"{prefix}/WzEsIm5vbmNlIl0.c2lnbmF0dXJl",  # [1, "nonce"] with a made-up signature
        _tamper(link),
        other + link.rsplit("/", 1)[1],  # a real token at the other kind of link
    ]
    for bad in forged:
        browser = app.test_client()
        page = browser.get(bad)
        assert page.status_code == 400, bad
        assert "This link is not valid." in page.get_data(as_text=True)
        posted = browser.submit(bad, {"password": PASSWORD, "confirm": PASSWORD})
        assert posted.status_code == 400 and "Traceback" not in posted.get_data(as_text=True)
    assert sign_in(app.test_client(), email, PASSWORD).status_code != 302
    assert app.test_client().get(link).status_code == 200  # the real link still works


@pytest.mark.parametrize("kind", ["reset", "invitation"])
def test_a_used_link_cannot_be_replayed(app: Flask, world: World, as_user, kind: str) -> None:
    if kind == "reset":
        link = _reset_link(app, app.test_client(), "a@clinic.test")
        email = "a@clinic.test"
    else:
        link = _invitation_link(app, as_user)
        email = "robin@example.com"
    first = app.test_client()
    assert first.submit(link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    attacker = app.test_client()
    replay = attacker.submit(
        link,
        {"password": "an attacker's chosen passphrase"}
        | {"confirm": "an attacker's chosen passphrase"},
    )
    assert replay.status_code == 400
    assert "This link has already been used." in replay.get_data(as_text=True)
    assert sign_in(app.test_client(), email, "an attacker's chosen passphrase").status_code != 302
    assert sign_in(app.test_client(), email, PASSWORD).status_code == 302
