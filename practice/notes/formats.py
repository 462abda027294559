"""Note formats (DAP, SOAP, BIRP) as data: one TOML file each under formats/, checked on load.

A format's name and its sections' titles and prompts are given per language, as the built-in
exercises are: [text.en] / [text.es] tables (or plain name/title/prompt keys for English only).
The words shown are the reader's language, else English."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import get_locale

FORMATS_DIR = Path(__file__).parent / "formats"
DEFAULT_FORMAT = "dap"
SOURCE_LANGUAGE = "en"  # every format has its words in English; other languages are optional
SECTION_MAX = 20_000  # characters per section, as a worksheet's long answer


class FormatError(ValueError):
    """A format file that does not follow the schema."""


def _language() -> str:
    """The reader's language, or English outside a request (a job, the CLI)."""
    locale = get_locale()
    return locale.language if locale is not None else SOURCE_LANGUAGE


def _in_language(texts: dict[str, dict[str, str]], name: str) -> str:
    return texts.get(_language(), texts[SOURCE_LANGUAGE])[name]


@dataclass(frozen=True, eq=False)  # hashed by identity: formats() keeps one of each
class Section:
    key: str
    texts: dict[str, dict[str, str]]  # language -> {"title": ..., "prompt": ...}

    @property
    def title(self) -> str:
        """The section's title in the reader's language."""
        return _in_language(self.texts, "title")

    @property
    def prompt(self) -> str:
        """What to write in the section, in the reader's language."""
        return _in_language(self.texts, "prompt")


@dataclass(frozen=True, eq=False)  # hashed by identity: formats() keeps one of each
class NoteFormat:
    key: str
    names: dict[str, str]  # language -> the format's name
    sections: tuple[Section, ...]
    prefill_section: str
    plan_section: str

    @property
    def name(self) -> str:
        """The format's name in the reader's language."""
        return self.names.get(_language(), self.names[SOURCE_LANGUAGE])

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def _text(data: dict, key: str, where: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise FormatError(f"{where}: {key} must be text of 1 to {limit} characters")
    return value.strip()


def _texts(data: dict, names: dict[str, int], where: str) -> dict[str, dict[str, str]]:
    """A table's words per language: its [text.<lang>] tables, else its plain keys (English)."""
    raw = data.get("text")
    if raw is None:
        raw = {SOURCE_LANGUAGE: {name: data.get(name) for name in names}}
    if not isinstance(raw, dict) or SOURCE_LANGUAGE not in raw:
        raise FormatError(f"{where}: text must have an [text.{SOURCE_LANGUAGE}] table")
    texts = {}
    for language, words in raw.items():
        if not isinstance(words, dict):
            raise FormatError(f"{where}: text.{language} is not a table")
        here = f"{where} text.{language}"
        texts[language] = {name: _text(words, name, here, limit) for name, limit in names.items()}
    return texts


def parse_format(data: dict, where: str) -> NoteFormat:
    """A format from its file's data, or FormatError saying what is wrong."""
    key = _text(data, "key", where, 16)
    if not key.isascii() or not key.isalnum() or key != key.lower():
        raise FormatError(f"{where}: key must be lower-case letters and digits")
    raw = data.get("sections")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 8:
        raise FormatError(f"{where}: a format has 1 to 8 sections")
    sections = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise FormatError(f"{where}: section {index + 1} is not a table")
        here = f"{where} section {index + 1}"
        sections.append(
            Section(_text(item, "key", here, 24), _texts(item, {"title": 60, "prompt": 400}, here))
        )
    keys = [s.key for s in sections]
    if len(set(keys)) != len(keys):
        raise FormatError(f"{where}: section keys must differ")
    note_format = NoteFormat(
        key,
        {lang: words["name"] for lang, words in _texts(data, {"name": 80}, where).items()},
        tuple(sections),
        _text(data, "prefill_section", where, 24),
        _text(data, "plan_section", where, 24),
    )
    for name in ("prefill_section", "plan_section"):
        if getattr(note_format, name) not in keys:
            raise FormatError(f"{where}: {name} must name one of the sections")
    return note_format


@cache
def formats() -> dict[str, NoteFormat]:
    """Every format on file, by key, in file-name order."""
    found = {}
    for path in sorted(FORMATS_DIR.glob("*.toml")):
        note_format = parse_format(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
        if note_format.key != path.stem:
            raise FormatError(f"{path.name}: key must match the file name")
        found[note_format.key] = note_format
    return found


def get_format(key: str | None) -> NoteFormat:
    """The format with this key; the default one for an unknown or empty key."""
    return formats().get(key or "", formats()[DEFAULT_FORMAT])


def chosen_format(clinician_choice: str, practice_default: str) -> NoteFormat:
    """The clinician's own choice, else the practice's default."""
    return get_format(clinician_choice if clinician_choice in formats() else practice_default)
