"""Languages: Flask-Babel with the reader's language chosen per request.

The language is the user's own choice (their account), else the browser's Accept-Language,
else PRACTICE_LOCALE. Catalogues live as .po files in practice/translations/<lang>/LC_MESSAGES/
and are compiled to .mo when the app starts (when missing or older than the .po), into the
instance folder, so installing and starting Mend needs no extra command.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session
from flask_babel import Babel, force_locale, get_locale, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

log = logging.getLogger(__name__)

CATALOGUES = Path(__file__).parent / "translations"
SOURCE = "en"
# The languages Mend speaks, by code, each named in its own language (as a chooser shows them).
LANGUAGES = {"en": "English", "es": "Español"}
SESSION_KEY = "language"  # a signed-out reader's choice, kept in their session cookie


class LazyText(LazyString):
    """A translation looked up when shown. flask_babel's lazy string tells Jinja it is markup
    (its __html__ returns it unescaped); this one is escaped like any other text, so a
    translation holding "<" or "&" cannot break a page."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> LazyText:
    """gettext, looked up each time the string is shown (forms, module-level words)."""
    return LazyText(gettext, string, **variables)


def language_names() -> dict[str, str]:
    """Mend's languages named in the reader's language ("Spanish" to an English reader,
    "español" to a Spanish one), for sentences such as "Written in Spanish"."""
    reader = str(get_locale() or SOURCE)
    return {
        code: Locale.parse(code).get_language_name(reader) or name
        for code, name in LANGUAGES.items()
    }


def check_locale(code: str) -> None:
    """Raise ValueError with a plain message for a language Mend does not have."""
    if code not in LANGUAGES:
        names = ", ".join(LANGUAGES)
        raise ValueError(f"Mend speaks {names}; {code!r} is not one of them.")


def select_locale() -> str:
    """The reader's language: their own choice, else their browser's, else the practice's."""
    chosen = getattr(current_user, "language", "") if current_user else ""
    if chosen in LANGUAGES:
        return chosen
    if request:
        kept = session.get(SESSION_KEY)
        if kept in LANGUAGES:
            return kept
        best = request.accept_languages.best_match(list(LANGUAGES))
        if best:
            return best
    return current_app.config["LOCALE"]


def reader_language() -> str:
    """The language of the current request's reader."""
    return str(get_locale() or SOURCE)


def language_of(user) -> str:
    """The language to write to this person in when they are not the one asking (emails,
    exports, jobs): their own choice, else the practice's."""
    chosen = getattr(user, "language", "") or ""
    if chosen in LANGUAGES:
        return chosen
    return current_app.config["LOCALE"]


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """Translate what is built inside the block into `code` (needs an app context; works
    without a request, so in workers and the CLI too)."""
    with force_locale(code if code in LANGUAGES else current_app.config["LOCALE"]):
        yield


def in_language_of(user):
    """in_language(language_of(user)): for an email or file whose reader is `user`."""
    return in_language(language_of(user))


def compile_catalogues(target: Path) -> Path:
    """Compile every .po catalogue into target (only those changed since); returns target."""
    for po in CATALOGUES.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(CATALOGUES).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parts[-3])
        partial = mo.with_suffix(".mo.part")
        with partial.open("wb") as out:
            write_mo(out, catalogue)
        partial.replace(mo)
    return target


def init_i18n(app: Flask) -> None:
    """Flask-Babel with Mend's language choice and its catalogues compiled for this start."""
    try:
        folder = compile_catalogues(Path(app.instance_path) / "translations")
    except OSError:
        # A read-only instance folder (some production images): compile to a private temp one.
        folder = compile_catalogues(Path(tempfile.mkdtemp(prefix="mend-translations-")))
        log.info("Compiled the translations into %s (the instance folder is read-only).", folder)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LOCALE"]
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = reader_language
