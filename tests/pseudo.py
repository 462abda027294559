"""A pseudo-translation of Mend's catalogue, made at test time, and a reader of visible text.

The catalogue is extracted fresh from the source with babel.cfg's mapping and the README's
keywords, so a string marked a minute ago is in it. Each msgid becomes "⟦Šéñţ ţö %(name)s⟧":
every ASCII letter accented, placeholders, HTML tags and entities kept as they are. A page read
in the pseudo language then shows an unmarked string as the only plain ASCII words left, once
the data stored for the world (names, labels, answers, library texts) is taken out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from flask import Flask, url_for

ROOT = Path(__file__).resolve().parent.parent
# The README's keywords, pybabel extract -F babel.cfg -k _l (lazy_gettext as _l): a string only
# another spelling marks never reaches the catalogue, so the crawl must flag it.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}


def _not_hidden(dirpath: str) -> bool:
    # Only dot folders are skipped. Babel's default also skips folders starting with "_", which
    # would leave out templates/_macros/ (hence `--ignore-dirs='.*'` in the README's command).
    return not Path(dirpath).name.startswith(".")


# English in the Deseret script: Babel has its data (so dates and numbers format), and what it
# formats (month and day names) comes out in Deseret letters, which no English string uses.
PSEUDO_LOCALE = "en_Dsrt"
OPEN, CLOSE = "⟦", "⟧"
_ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "áƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)
# Kept as they are: printf placeholders, {braces} (str.format in JS-facing strings), HTML tags
# and character references.
_KEEP = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif%]|\{[^{}]*\}|<[^>]*>|&#?\w+;")


def pseudo(text: str) -> str:
    """The pseudo-translation of one msgid: bracketed, letters accented, placeholders kept."""
    out, last = [], 0
    for match in _KEEP.finditer(text):
        out.append(text[last : match.start()].translate(str.maketrans(_ACCENTED)))
        out.append(match.group(0))
        last = match.end()
    out.append(text[last:].translate(str.maketrans(_ACCENTED)))
    return OPEN + "".join(out) + CLOSE


def extract_catalog(locale: str | None = None) -> Catalog:
    """Every marked string of the source, as `pybabel extract -F babel.cfg -k _l
    --ignore-dirs='.*'` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(locale=locale)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=_not_hidden
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def write_pseudo_catalogue(folder: Path, locale: str = PSEUDO_LOCALE) -> Catalog:
    """Compile the pseudo-translation of a fresh extraction to folder/<locale>/LC_MESSAGES."""
    source = extract_catalog()
    catalog = Catalog(locale=locale)
    for message in source:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            strings = [pseudo(singular)] + [pseudo(plural)] * (catalog.num_plurals - 1)
            catalog.add(message.id, tuple(strings), context=message.context)
        else:
            catalog.add(message.id, pseudo(message.id), context=message.context)
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    return source


# Attributes a person sees or hears (data-label is shown by the narrow-screen table CSS).
SHOWN_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "data-label",
}
_SILENT = {"script", "style", "template"}
_BUTTON_INPUTS = {"submit", "button", "reset"}


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT:
            self._silent += 1
        values = dict(attrs)
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.found.append((f"<{tag} {name}>", value))
        if tag == "input" and values.get("type") in _BUTTON_INPUTS and values.get("value"):
            self.found.append((f"<input value> ({values.get('type')})", values["value"] or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        silent = tag in _SILENT
        self.handle_starttag(tag, attrs)
        if silent:
            self._silent -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT and self._silent:
            self._silent -= 1

    def handle_data(self, data: str) -> None:
        if not self._silent and data.strip():
            self.found.append(("text", data))


def visible_texts(html: str) -> list[tuple[str, str]]:
    """(where, text) for each visible text node and each shown attribute of a page."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return reader.found


def strings_in(value: object) -> Iterator[str]:
    """Every string inside a value (dicts' values, lists, tuples, dataclasses), recursively."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings_in(item)
    elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        for name in value.__dataclass_fields__:
            yield from strings_in(getattr(value, name))


_CODE = re.compile(r"^[a-z][a-z0-9_.\-]*$")  # status codes, slugs, keys: not words for people
_WORD = re.compile(r"[A-Za-z]+")
NOT_WORDS = re.compile(r"\b(?:https?://|mailto:)\S+|\S+@\S+\.\w+|\b(?=[\w:.-]*\d)[\w:.-]+")


class UserData:
    """The words that may stay untranslated on a page: what people wrote or were given."""

    def __init__(
        self,
        strings: Iterable[str],
        allowed_words: Iterable[str] = (),
        identifiers: Iterable[str] = (),
    ) -> None:
        pieces = set(identifiers)
        for text in strings:
            if not text or _CODE.match(text):
                continue
            pieces.add(text.strip())
            pieces.add(" ".join(text.split()))  # as a page shows it, whitespace collapsed
            # Pages show multi-line text a line (or a paragraph) at a time.
            pieces.update(line.strip() for line in text.splitlines() if line.strip())
        pieces.discard("")
        self.exact = pieces
        # Longest first, so "Couple A" goes before a shorter string inside it.
        # (Two capitals are a region or an abbreviation, such as "UK" in a crisis line.)
        self.removable = sorted(
            (p for p in pieces if len(p) >= 3 or (len(p) == 2 and p.isupper())),
            key=len,
            reverse=True,
        )
        self.blob = "\n".join(sorted(pieces))
        self.allowed_words = set(allowed_words)

    def leftover(self, text: str) -> str:
        """The plain ASCII words of text that are neither data nor pseudo-translated ("" if
        none)."""
        text = " ".join(text.split())
        if not _WORD.search(text):
            return ""
        if text in self.exact:
            return ""
        core = text.strip(" .,;:…–—-()[]\"'“”‘’")
        # A piece of a longer text (a shortened answer, a paragraph of a letter).
        if len(core) >= 12 and core in self.blob:
            return ""
        for piece in self.removable:
            if piece in text:
                text = re.sub(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", " ", text)
                if not _WORD.search(text):
                    return ""
        # Addresses, and ids or references with digits in them (a1b2c3, 2026-12-06T10:00).
        text = NOT_WORDS.sub(" ", text)
        words = [w for w in _WORD.findall(text) if w not in self.allowed_words]
        return " ".join(words)


SIGNED_OUT = "signed out"
# The readers of a crawl: each role Mend has, the couple's partners each in their own place.
READERS = {
    SIGNED_OUT: None,
    "clinician": "a@clinic.test",
    "admin": "admin@clinic.test",
    "injured partner": "ia@client.test",
    "involved partner": "va@client.test",
}
# Not pages: files and scripts' endpoints.
NOT_PAGES = {"static", "health.healthz", "health.readyz", "calendar.feed"}


def role_of(reader: str) -> str:
    """The account role of a crawl's reader."""
    return {"clinician": "clinician", "admin": "admin"}.get(reader, "client")


def pages_of(app: Flask, world, reader: str) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET page the reader may open (the access walk's routes and
    ids), and an error page or two."""
    from tests.test_access import PUBLIC, ROUTES

    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        route = ROUTES.get(rule.endpoint)
        if not route or "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if PUBLIC in route.roles or (reader != SIGNED_OUT and role_of(reader) in route.roles):
            with app.test_request_context():
                pages.append((rule.endpoint, url_for(rule.endpoint, **route.args(world))))
    pages.append(("(404)", "/no-such-page"))
    if reader != SIGNED_OUT and role_of(reader) != "admin":
        pages.append(("(403)", "/admin/users"))
    return pages
