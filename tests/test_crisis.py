"""The crisis page (/support): every number a link to call (or text, where the service offers
it), when the clinician will see the answer from their availability note, and that nobody
watches in real time."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import update

from practice.db import db
from practice.measures.crisis import crisis_lines
from practice.models import User
from practice.twofactor.services import save_practice_settings
from tests.factories import World

LINK = re.compile(r'<a class="button crisis-link" href="([^"]+)">([^<]+)</a>')


def test_the_setting_is_read_into_lines_and_actions() -> None:
    lines = crisis_lines(
        "Emergency. | call 999 (UK) | call 911\n"
        "\n"
        "Lifeline, call or text. | call  98 8 | text 988 | any time\n"
        "Just words, no numbers.\n"
        "Odd | ring 12345 | call 12a"
    )
    assert [line.text for line in lines] == [
        "Emergency.",
        "Lifeline, call or text. any time",
        "Just words, no numbers.",
        "Odd ring 12345 call 12a",
    ]
    emergency = lines[0].actions
    assert [(a.href, a.label) for a in emergency] == [
        ("tel:999", "Call 999 (UK)"),
        ("tel:911", "Call 911"),
    ]
    assert [(a.href, a.label) for a in lines[1].actions] == [
        ("tel:988", "Call 98 8"),
        ("sms:988", "Text 988"),
    ]
    assert lines[2].actions == () and lines[3].actions == ()


def test_every_default_number_is_a_link(app: Flask, world: World, as_user) -> None:
    page = as_user("ia@client.test").get("/support").get_data(as_text=True)
    links = LINK.findall(page)
    assert links == [
        ("tel:999", "Call 999 (UK)"),
        ("tel:911", "Call 911 (US and Canada)"),
        ("tel:112", "Call 112 (EU)"),
        ("tel:116123", "Call 116 123"),
        ("tel:988", "Call 988"),
        ("sms:988", "Text 988"),
    ]
    assert "Nobody watches Mend in real time." in page
    assert "Your clinician will see your answer the next time they open Mend." in page


def test_the_clinicians_availability_note_says_when(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        save_practice_settings(
            db.session,
            require_two_factor_staff=False,
            availability_note="The team reads Mend on weekdays.",
        )
        db.session.commit()
    page = as_user("ia@client.test").get("/support").get_data(as_text=True)
    assert (
        "“<bdi>The team reads Mend on weekdays.</bdi>”" in page
    )  # the practice's note, as a fallback
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.id == world.clinician_a)
            .values(availability_note="I read messages on weekdays, within two working days.")
        )
        db.session.commit()
    page = as_user("ia@client.test").get("/support").get_data(as_text=True)
    assert "“<bdi>I read messages on weekdays, within two working days.</bdi>”" in page
    assert "The team reads" not in page
    # The other couple's clinician has no note of their own: the practice's is shown.
    other = as_user("ib@client.test").get("/support").get_data(as_text=True)
    assert "“<bdi>The team reads Mend on weekdays.</bdi>”" in other


def test_without_any_note_the_page_still_says_when(app: Flask, world: World, as_user) -> None:
    page = as_user("ib@client.test").get("/support").get_data(as_text=True)
    assert "the next time they open Mend." in page
    assert "About when they are around" not in page


def test_a_practice_can_set_its_own_services(app: Flask, world: World, as_user) -> None:
    app.config["CRISIS_RESOURCES"] = "Lifeline Aotearoa, any time. | call 0800 543 354"
    page = as_user("ia@client.test").get("/support").get_data(as_text=True)
    assert LINK.findall(page) == [("tel:0800543354", "Call 0800 543 354")]


def test_only_partners_see_the_crisis_page(client, world: World, as_user) -> None:
    assert client.get("/support").status_code == 302
    assert as_user("a@clinic.test").get("/support").status_code in (403, 404)


def test_mends_own_services_read_in_the_readers_language(app: Flask, world: World, as_user) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.email == "ia@client.test").values(language="es"))
        db.session.commit()
    spanish = as_user("ia@client.test").get("/support").get_data(as_text=True)
    english = as_user("va@client.test").get("/support").get_data(as_text=True)
    # The same services and numbers for both partners, each in their own language.
    assert [href for href, _ in LINK.findall(spanish)] == [
        href for href, _ in LINK.findall(english)
    ]
    assert "llama al número de emergencias de tu zona" in spanish
    assert ("tel:911", "Llamar al 911 (EE. UU. y Canadá)") in LINK.findall(spanish)
    assert "call your local emergency number" in english
    # The messages pages carry the same lines, numbers as links, in the reader's language.
    thread = as_user("ia@client.test").get("/messages/private").get_data(as_text=True)
    assert 'href="tel:116123"' in thread and "a cualquier hora, gratis" in thread


def test_a_practices_own_services_are_shown_as_written_in_any_language(
    app: Flask, world: World, as_user
) -> None:
    app.config["CRISIS_RESOURCES"] = "Línea 024, any time. | call 024"
    with app.app_context():
        db.session.execute(update(User).where(User.email == "ia@client.test").values(language="es"))
        db.session.commit()
    page = as_user("ia@client.test").get("/support").get_data(as_text=True)
    assert "Línea 024, any time." in page
    assert LINK.findall(page) == [("tel:024", "Llamar al 024")]
