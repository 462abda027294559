"""The pseudo-locale crawl: every page of every role, read in a generated pseudo-translation.

Every msgid of a fresh extraction is translated to "⟦Šéñţ ţö %(name)s⟧" (tests/pseudo.py) and
compiled under en_Dsrt, a locale Babel knows (English written in Deseret), so dates and numbers
still format. Each GET page of each role is then read as a person sees it (text nodes, titles,
labels, placeholders, alt text, button values): any plain English word left over that is not
data stored for the world (names, labels, answers, the built-in library in every language, the
validated questionnaires' published wording) was never marked for translation. The failure
lists each such string with the pages it was found on.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from practice import i18n
from practice.db import Base, db
from tests import pseudo
from tests.factories import World

# Names people give the world, long enough not to hide a word of Mend's own.
NAMES = {
    "a@clinic.test": "Amelia Ashworth",
    "b@clinic.test": "Bernard Bell",
    "admin@clinic.test": "Ada Adeyemi",
    "ia@client.test": "Ingrid Abernathy",
    "va@client.test": "Victor Alvarado",
    "ib@client.test": "Isla Brennan",
    "vb@client.test": "Vaughn Brennan",
}
# Words that are the same in every language: the product, and the questionnaires' and
# standards' own names (their texts are data: validated instruments are never machine-
# translated).
# The link to the language chooser says "Language · Idioma" in every language, so that someone
# who cannot read the page's language still finds it.
BILINGUAL = ("Language", "· Idioma")
PROPER_NAMES = {"Mend", "PHQ", "GAD", "CSI", "PCL", "FHIR", "JSON", "PDF", "iCalendar"}


def _stored_strings(app: Flask) -> tuple[list[str], list[str]]:
    """Every string stored in the database, read through the ORM (so encrypted text is opened),
    JSON values included; and the identifiers people chose (question keys), shown as they are."""
    found: list[str] = []
    keys: list[str] = []
    with app.app_context():
        for mapper in Base.registry.mappers:
            attributes = [c.key for c in mapper.column_attrs]
            for row in db.session.scalars(select(mapper.class_)):
                for name in attributes:
                    value = getattr(row, name)
                    found.extend(pseudo.strings_in(value))
                    keys.extend(_question_keys(value))
        db.session.rollback()
    return found, keys


def _question_keys(value: object) -> list[str]:
    if isinstance(value, dict):
        own = [value["key"]] if isinstance(value.get("key"), str) else []
        return own + [k for item in value.values() for k in _question_keys(item)]
    if isinstance(value, list | tuple):
        return [k for item in value for k in _question_keys(item)]
    return []


def _content_strings() -> list[str]:
    """The content data files' words in every language (the exercise library, session-note
    formats, the safety check), and the validated questionnaires."""
    from practice.exercises.library import BUILTIN_DIR
    from practice.measures import instruments

    found: list[str] = []
    content = Path(pseudo.ROOT) / "practice"
    files = [
        *Path(BUILTIN_DIR).glob("*.toml"),  # the exercise library
        *(content / "notes" / "formats").glob("*.toml"),  # session-note formats
        *(content / "measures").glob("*.toml"),  # the safety check
    ]
    for path in sorted(files):
        found.extend(pseudo.strings_in(tomllib.loads(path.read_text(encoding="utf-8"))))
    for value in vars(instruments).values():
        if not isinstance(value, type) and (
            hasattr(value, "__dataclass_fields__") or isinstance(value, tuple | list | dict)
        ):
            found.extend(pseudo.strings_in(value))
    return found


# Built-in exercises couple A is given, so Today, the check-ins' charts and the questionnaires
# show their pages with something in them.
GIVEN = ("daily-check-in", "measure-phq9", "safety-check")


def _configured(app: Flask) -> list[str]:
    """The practice's own words, from its configuration (crisis lines and their regions)."""
    import re

    return [
        piece.strip()
        for piece in re.split(r"[|\n()]", app.config.get("CRISIS_RESOURCES") or "")
        if piece.strip()
    ]


def _arrange(app: Flask, world: World) -> None:
    """The world's people named, the built-in library in the database, and couple A doing a
    daily check-in (answered by both for a week), a questionnaire and a safety check."""
    from datetime import timedelta

    from practice.exercises.services import sync_library
    from practice.models import Couple, ExerciseTemplate, Response, StageChange, User, utcnow
    from tests.factories import make_assignment

    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.display_name = NAMES.get(user.email, user.display_name)
        sync_library(db.session)
        # The factories' first stage change says "start"; Mend's own says this.
        for change in db.session.scalars(select(StageChange)):
            change.reason = "Started with Mend"
        couple = db.session.get(Couple, world.couple_a)
        for slug in GIVEN:
            template = db.session.scalar(
                select(ExerciseTemplate).where(ExerciseTemplate.slug == slug)
            )
            assignment = make_assignment(db.session, couple, template, days_ago=7)
            if slug != "daily-check-in":
                continue
            for days_ago in range(1, 7):
                for partner in couple.partners:
                    db.session.add(
                        Response(
                            assignment_id=assignment.id,
                            occurrence_on=assignment.start_on + timedelta(days=7 - days_ago),
                            slot=partner.role,
                            partner_id=partner.id,
                            version_id=template.latest.id,
                            answers={
                                "trust": 3 + days_ago % 4,
                                "emotional_safety": 5,
                                "connection": 4 + days_ago % 3,
                                "distress": 6 - days_ago % 3,
                            },
                            status="submitted",
                            revision=1,
                            visibility="shared",
                            submitted_at=utcnow(),
                        )
                    )
        db.session.commit()


@pytest.fixture
def pseudo_app(app: Flask, world: World, tmp_path: Path, monkeypatch) -> Flask:
    """The app speaking the pseudo language to whoever asks for it."""
    pseudo.write_pseudo_catalogue(tmp_path / "pseudo")
    app.extensions["babel"].translation_directories.append(str(tmp_path / "pseudo"))
    monkeypatch.setitem(i18n.LANGUAGES, pseudo.PSEUDO_LOCALE, pseudo.pseudo("Pseudo"))
    _arrange(app, world)
    return app


HEADERS = {"Accept-Language": pseudo.PSEUDO_LOCALE.replace("_", "-")}


def test_the_pseudo_language_is_served(pseudo_app: Flask) -> None:
    page = pseudo_app.test_client().get("/login", headers=HEADERS)
    html = page.get_data(as_text=True)
    assert f'lang="{pseudo.PSEUDO_LOCALE}"' in html or pseudo.OPEN in html
    assert pseudo.OPEN in html and pseudo.CLOSE in html


def test_every_page_of_every_role_is_translated(pseudo_app: Flask, world: World, as_user) -> None:
    app = pseudo_app
    stored, keys = _stored_strings(app)
    data = pseudo.UserData(
        [
            *stored,
            *_content_strings(),
            *NAMES.values(),
            *(name.split()[0] for name in NAMES.values()),  # "Hello, Victor"
            *i18n.LANGUAGES.values(),
            *_configured(app),
            *BILINGUAL,
        ],
        PROPER_NAMES,
        identifiers=[*keys, app.config.get("TIMEZONE") or "UTC"],
    )
    unmarked: dict[str, set[str]] = defaultdict(set)
    crawled = 0
    for reader, email in pseudo.READERS.items():
        browser = as_user(email) if email else app.test_client()
        for endpoint, url in pseudo.pages_of(app, world, reader):
            response = browser.get(url, headers=HEADERS)
            assert response.status_code < 500, (reader, url, response.status_code)
            # Redirects' bodies are never shown; files and JSON are not pages.
            if response.mimetype != "text/html" or 300 <= response.status_code < 400:
                continue
            crawled += 1
            where = f"{reader}: {endpoint} {url} ({response.status_code})"
            for place, text in pseudo.visible_texts(response.get_data(as_text=True)):
                left = data.leftover(text)
                if left:
                    shown = pseudo.NOT_WORDS.sub("#", " ".join(text.split()))
                    unmarked[f"{place}: {shown[:160]!r}"].add(where)
    assert crawled > 60, crawled
    report = "\n".join(
        f"{text}\n    on {len(pages)} page(s): {', '.join(sorted(pages)[:3])}"
        for text, pages in sorted(unmarked.items())
    )
    assert not unmarked, f"{len(unmarked)} unmarked strings:\n{report}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Sent to %(name)s", "⟦Šéñţ ţö %(name)s⟧"),
        ('<a href="/x">Open</a> &amp; go', '⟦<a href="/x">Öþéñ</a> &amp; ĝö⟧'),
        ("%(num)d answers, 100%%", "⟦%(num)d áñšŵéŕš, 100%%⟧"),
    ],
)
def test_the_pseudo_translation_keeps_placeholders_and_html(source: str, expected: str) -> None:
    assert pseudo.pseudo(source) == expected


def test_leftover_words_are_found_and_data_is_not() -> None:
    data = pseudo.UserData(["Ingrid Abernathy", "No contact with the other person.", "active"])
    assert data.leftover("⟦Ŵéļçöɱé, Ingrid Abernathy⟧") == ""
    assert data.leftover("No contact with the other person.") == ""
    assert data.leftover("12 𐐔𐐨𐑅 2026, 15:30") == ""
    assert data.leftover("Saved on 12 𐐔𐐨𐑅") == "Saved on"
    assert data.leftover("active") == "active"  # a status code shown raw is not data
    assert data.leftover("⟦Éŕŕöŕ 404 · ŕéƒéŕéñçé a2b9225b9ade525d⟧") == ""
    assert data.leftover("⟦Šéé⟧ http://mend.test/calendar/x.ics") == ""


def test_babel_formats_dates_and_numbers_in_the_pseudo_locale() -> None:
    """The code is one Babel knows, so the pages' dates and numbers format, in letters no
    English string uses."""
    from datetime import date

    from babel import Locale
    from babel.dates import format_date
    from babel.numbers import format_decimal

    locale = Locale.parse(pseudo.PSEUDO_LOCALE)
    month = format_date(date(2026, 12, 6), "d MMMM y", locale=locale)
    assert month.startswith("6 ") and not any("a" <= c.lower() <= "z" for c in month)
    assert format_decimal(1234.5, locale=locale) == "1,234.5"


def test_plurals_are_pseudo_translated(tmp_path: Path) -> None:
    from babel.support import Translations

    pseudo.write_pseudo_catalogue(tmp_path)
    translations = Translations.load(str(tmp_path), [pseudo.PSEUDO_LOCALE])
    plural = next(
        (m for m in pseudo.extract_catalog() if m.pluralizable), None
    )  # a marked ngettext string
    if plural is None:
        pytest.skip("no plural string is marked yet")
    assert translations.ngettext(plural.id[0], plural.id[1], 2).startswith(pseudo.OPEN)
    assert translations.ngettext(plural.id[0], plural.id[1], 1).startswith(pseudo.OPEN)
