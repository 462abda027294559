"""A partner whose browser asks for Spanish, on a phone: signs in, fills in a worksheet and a
check-in, and reads Mend in Spanish on the way; their partner's browser asks for English and
reads the same exercises in English."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from practice.db import db
from practice.exercises.library import library
from practice.i18n import CATALOGUES
from practice.models import ExerciseTemplate, utcnow
from practice.timefmt import local_today, practice_zone
from tests import factories

from .conftest import DEFAULT_TIMEOUT_MS, PHONE

pytestmark = pytest.mark.browser

INJURED_EMAIL = "lucia@example.com"
INVOLVED_EMAIL = "tom@example.com"
CHECK_IN, LETTER = "daily-check-in", "what-i-need-you-to-understand"
SPANISH_FOOTER = "Nunca rastrea tu ubicación"
ENGLISH_FOOTER = "It never tracks your location"


@cache
def _spanish() -> dict[str, str]:
    with (CATALOGUES / "es" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale="es")
    return {m.id: m.string for m in catalogue if isinstance(m.id, str) and m.id and m.string}


def _entry(slug: str, language: str) -> dict:
    return next(e for e in library(language) if e["slug"] == slug)


@dataclass
class Seeded:
    day: str
    ids: dict[str, int]  # assignment id by exercise slug


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A couple at stage 3 with the built-in daily check-in and the injured partner's letter,
    both due today."""
    from practice.exercises.services import sync_library

    with app.app_context():
        sync_library(db.session)
        clinician = factories.make_user(db.session, "dr@clinic.test", "clinician", "Dr Ruiz")
        couple = factories.make_couple(
            db.session, clinician, "Pareja R", INJURED_EMAIL, INVOLVED_EMAIL, stage=3
        )
        today = local_today(practice_zone(), utcnow())
        ids = {}
        for slug in (CHECK_IN, LETTER):
            template = db.session.scalar(
                select(ExerciseTemplate).where(ExerciseTemplate.slug == slug)
            )
            assignment = factories.make_assignment(
                db.session,
                couple,
                template,
                days_ago=0,
                answered_by=_entry(slug, "en")["answered_by"],
                visibility="shared",
            )
            assignment.start_on = today
            ids[slug] = assignment.id
        db.session.commit()
        return Seeded(day=today.isoformat(), ids=ids)


def _phone(browser: Browser, locale: str) -> BrowserContext:
    context = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture
def spanish_phone(browser: Browser):
    """The injured partner's phone, set to Spanish (it sends Accept-Language: es-ES)."""
    context = _phone(browser, "es-ES")
    yield context
    context.close()


@pytest.fixture
def english_phone(browser: Browser):
    """The involved partner's phone, set to English."""
    context = _phone(browser, "en-GB")
    yield context
    context.close()


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/today")


def _fill_in(page: Page, entry: dict, role: str, words: str) -> None:
    """Answer every question of an exercise meant for this partner, found by its label in the
    reader's language."""
    for field in entry["fields"]:
        if field.get("for") not in (None, role):
            continue
        label = field["label"]
        if field["kind"] == "scale":
            group = page.get_by_role("group", name=label)
            group.get_by_label("7", exact=True).check()
        elif field["kind"] in ("long_text", "short_text"):
            # The label may go on with "(required)", in the reader's language.
            page.get_by_label(re.compile("^" + re.escape(label))).fill(words)
        elif field["kind"] == "single_choice":
            group = page.get_by_role("group", name=label)
            group.get_by_label(field["options"][0], exact=True).check()


def _send(page: Page, base_url: str) -> None:
    page.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/answers/\d+$"))


def _expect_language(page: Page, language: str, footer: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("footer")).to_contain_text(footer)


def test_a_partner_reads_and_writes_in_spanish_and_the_other_in_english(
    app: Flask,
    live_server: str,
    spanish_phone: BrowserContext,
    english_phone: BrowserContext,
    seeded: Seeded,
    artifacts_dir: Path,
    backend: str,
) -> None:
    check_in_es, letter_es = _entry(CHECK_IN, "es"), _entry(LETTER, "es")
    check_in_en = _entry(CHECK_IN, "en")
    assert check_in_es["title"] != check_in_en["title"]

    page = spanish_phone.new_page()
    page.goto(f"{live_server}/login")
    _expect_language(page, "es", SPANISH_FOOTER)
    _sign_in(page, live_server, INJURED_EMAIL)
    _expect_language(page, "es", SPANISH_FOOTER)
    main = page.locator("main")
    expect(main.get_by_role("link", name=check_in_es["title"])).to_be_visible()
    expect(main.get_by_role("link", name=letter_es["title"])).to_be_visible()
    expect(main).not_to_contain_text(check_in_en["title"])
    if "Today" in _spanish():  # once the page's words are in the catalogue
        expect(page.get_by_role("heading", level=1)).to_have_text(_spanish()["Today"])
    page.screenshot(
        path=str(artifacts_dir / f"spanish-today-{PHONE['width']}px-{backend}.png"),
        full_page=True,
    )

    # The check-in, in Spanish.
    main.get_by_role("link", name=check_in_es["title"]).click()
    expect(page.get_by_role("heading", name=check_in_es["title"], level=1)).to_be_visible()
    if "Send" in _spanish():
        expect(page.locator("button[value=submit]")).to_have_text(_spanish()["Send"])
    _fill_in(page, check_in_es, "injured", "Necesito calma esta noche")
    page.screenshot(
        path=str(artifacts_dir / f"spanish-check-in-{PHONE['width']}px-{backend}.png"),
        full_page=True,
    )
    _send(page, live_server)
    answers = page.locator("section.answers")
    expect(answers).to_contain_text("Necesito calma esta noche")
    expect(answers).to_contain_text(check_in_es["fields"][0]["label"])
    _expect_language(page, "es", SPANISH_FOOTER)

    # The letter (a worksheet for the injured partner), in Spanish.
    page.goto(f"{live_server}/today")
    page.locator("main").get_by_role("link", name=letter_es["title"]).click()
    expect(page.get_by_role("heading", name=letter_es["title"], level=1)).to_be_visible()
    _fill_in(page, letter_es, "injured", "Quiero que entiendas lo que pasó")
    _send(page, live_server)
    expect(page.locator("section.answers")).to_contain_text("Quiero que entiendas lo que pasó")

    # The other partner's browser asks for English: the same check-in reads in English.
    other = english_phone.new_page()
    _sign_in(other, live_server, INVOLVED_EMAIL)
    _expect_language(other, "en", ENGLISH_FOOTER)
    other_main = other.locator("main")
    expect(other.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect(other_main.get_by_role("link", name=check_in_en["title"])).to_be_visible()
    expect(other_main).not_to_contain_text(check_in_es["title"])
    other_main.get_by_role("link", name=check_in_en["title"]).click()
    expect(other.get_by_label(check_in_en["fields"][4]["label"], exact=True)).to_be_visible()
    _fill_in(other, check_in_en, "involved", "A quiet evening together")
    _send(other, live_server)
    expect(other.locator("section.answers")).to_contain_text("A quiet evening together")
    # Their partner's shared check-in, in the words they wrote, under English questions.
    other.goto(f"{live_server}/answers")
    expect(other.locator("main")).to_contain_text(check_in_en["title"])
    expect(other.locator("main")).not_to_contain_text(check_in_es["title"])
