"""Spanish is complete: every marked string has a Spanish translation with the same
placeholders, and every page of every role renders in Spanish.

The extraction is made fresh from the source (as `pybabel extract -F babel.cfg -k _l` does),
so a string marked without a translation fails here before a reader meets it in English.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask

from practice.i18n import CATALOGUES
from tests import pseudo
from tests.factories import World

SPANISH = CATALOGUES / "es" / "LC_MESSAGES" / "messages.po"


def _read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale="es")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s.strip() for s in strings) and not message.fuzzy


def _key(message):
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (msgid, message.context)


def test_every_marked_string_has_spanish() -> None:
    """pybabel statistics for es: 100 %."""
    spanish = {_key(m): m for m in _read(SPANISH) if m.id}
    extracted = [m for m in pseudo.extract_catalog() if m.id]
    missing = [m for m in extracted if not _translated(spanish.get(_key(m)) or _Empty())]
    share = 100 * (len(extracted) - len(missing)) / max(len(extracted), 1)
    where = "\n".join(
        f"  {_key(m)[0][:100]!r} ({m.locations[0][0]}:{m.locations[0][1]})" for m in missing
    )
    assert not missing, (
        f"Spanish is {share:.1f} % translated: {len(missing)} of {len(extracted)} strings have "
        f"no Spanish in {SPANISH.relative_to(CATALOGUES.parent.parent)}:\n{where}"
    )


class _Empty:
    string = ""
    fuzzy = False


def test_every_plural_has_every_spanish_form() -> None:
    catalogue = _read(SPANISH)
    short = [
        m.id
        for m in catalogue
        if m.id and m.pluralizable and len(tuple(m.string)) != catalogue.num_plurals
    ]
    assert not short, short


def test_spanish_keeps_every_placeholder() -> None:
    """Babel's checkers: the same placeholders, of the same kinds, in every translation."""
    problems = [
        f"{message.id!r}: {'; '.join(map(str, errors))}"
        for message, errors in _read(SPANISH).check()
    ]
    assert not problems, "\n".join(problems)


def test_every_page_of_every_role_renders_in_spanish(app: Flask, world: World, as_user) -> None:
    """No page answers a Spanish reader with an error a reader in English does not get."""
    from practice.db import db
    from practice.exercises.services import sync_library

    with app.app_context():
        sync_library(db.session)
        db.session.commit()
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    failures = []
    crawled = 0
    for reader, email in pseudo.READERS.items():
        browser = as_user(email) if email else app.test_client()
        for endpoint, url in pseudo.pages_of(app, world, reader):
            response = browser.get(url, headers=spanish)
            crawled += 1
            # Error pages, links with a forged token (a "this link can't be used" page), and
            expected_error = (
                endpoint.startswith("(")
                or "forged.token" in url
                or (
                    # The involved partner opens the injured partner's ids: scoped out by design.
                    reader == "involved partner" and response.status_code == 404
                )
            )
            if response.status_code >= 500 or (response.status_code >= 400 and not expected_error):
                failures.append(f"{reader}: {endpoint} {url} -> {response.status_code}")
    assert crawled > 60
    assert not failures, "\n".join(failures)
