"""The built-in exercise library: ready-made worksheets for each of the seven stages.

Each exercise is a data file in builtin/ (TOML, one per exercise, named so that sorting them
gives the library's order): language-neutral parts (slug, stage, who answers, visibility, the
fields' keys, kinds and limits) and the words in a table per language ([text.en], and per
field [fields.text.en]), so a translator edits text files, not Python. "revision" goes up by
one whenever an exercise's words or fields change, so installations can tell when a built-in
exercise has a newer version. Every file is checked against the definition schema on load.

DEFAULT_STAGE_PLANS suggests, for each stage, which exercises to offer a couple and how often.
A clinician reviews each plan before anything reaches the couple.

The words matter here: people reading these pages are in pain. We always say "injured partner"
and "involved partner", keep sentences short and plain, and never blame.
"""

from __future__ import annotations

import copy
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from practice.exercises.definitions import DefinitionError, parse_definition

LIBRARY_VERSION = 1
BUILTIN_DIR = Path(__file__).parent / "builtin"
SOURCE_LANGUAGE = "en"

EXERCISE_TEXT = ("title", "purpose", "instructions")
FIELD_TEXT = ("label", "help", "min_label", "max_label", "options")
NEUTRAL = ("slug", "revision", "stage", "answered_by", "visibility", "visibility_locked")


class LibraryFileError(ValueError):
    """A built-in exercise file that does not follow the schema; names the file."""


def _words(table: dict[str, Any], language: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The words of one table in a language, each missing one taken from the source language."""
    texts = table.get("text") or {}
    source = texts.get(SOURCE_LANGUAGE) or {}
    chosen = texts.get(language) or {}
    return {key: chosen.get(key, source[key]) for key in keys if key in source}


def entry_from_data(data: dict[str, Any], language: str = SOURCE_LANGUAGE) -> dict[str, Any]:
    """A library entry (a definition with its slug and revision) from a data file's contents,
    in the language asked for; raises LibraryFileError when the file breaks the schema."""
    missing = [key for key in (*NEUTRAL, "text", "fields") if key not in data]
    if missing:
        raise LibraryFileError("missing " + ", ".join(missing))
    if SOURCE_LANGUAGE not in data["text"]:
        raise LibraryFileError(f"no [text.{SOURCE_LANGUAGE}] table")
    entry = {key: data[key] for key in NEUTRAL}
    entry["recurrence"] = data.get("recurrence")
    if data.get("safety"):
        entry["safety"] = True  # the private safety check (practice/measures/safety_check.toml)
    entry.update(_words(data, language, EXERCISE_TEXT))
    fields = []
    for raw in data["fields"]:
        if SOURCE_LANGUAGE not in (raw.get("text") or {}):
            raise LibraryFileError(
                f"field {raw.get('key')!r} has no [fields.text.{SOURCE_LANGUAGE}]"
            )
        field = {key: value for key, value in raw.items() if key != "text"}
        field.update(_words(raw, language, FIELD_TEXT))
        fields.append(field)
    entry["fields"] = fields
    try:
        parse_definition(entry)
    except DefinitionError as exc:
        raise LibraryFileError(str(exc)) from exc
    return entry


def languages_of(data: dict[str, Any]) -> set[str]:
    """The languages an exercise file has words in."""
    return set(data.get("text") or {})


def translations_of(slug: str, path: Path | None = None) -> dict[str, Any]:
    """A built-in exercise's other languages in the definition's "translations" shape, so a
    clinician's copy keeps them (only the languages its file has words in). path: a data file
    outside builtin/ (the safety check's)."""
    if path is not None:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    else:
        data = next((d for _name, d in _files() if d.get("slug") == slug), None)
    if data is None:
        return {}
    found: dict[str, Any] = {}
    for language in sorted(languages_of(data) - {SOURCE_LANGUAGE}):
        entry = entry_from_data(data, language)
        found[language] = {
            "title": entry["title"],
            "purpose": entry.get("purpose", ""),
            "instructions": entry.get("instructions", ""),
            "fields": {
                f["key"]: {k: f[k] for k in FIELD_TEXT if k in f and k != "key"}
                for f in entry["fields"]
            },
        }
    return found


@cache
def _files() -> tuple[tuple[str, dict[str, Any]], ...]:
    found = []
    for path in sorted(BUILTIN_DIR.glob("*.toml")):
        found.append((path.name, tomllib.loads(path.read_text(encoding="utf-8"))))
    return tuple(found)


@cache
def library(language: str = SOURCE_LANGUAGE) -> tuple[dict[str, Any], ...]:
    """Every built-in exercise in the library's order, in a language (the source language's
    words wherever a translation is missing)."""
    entries = []
    for name, data in _files():
        try:
            entries.append(entry_from_data(data, language))
        except LibraryFileError as exc:
            raise LibraryFileError(f"{name}: {exc}") from exc
    return tuple(entries)


LIBRARY: tuple[dict[str, Any], ...] = library()


# --- default stage plans -----------------------------------------------------------------------

MONDAY, FRIDAY, SUNDAY = 0, 4, 6


def _once(
    slug: str, answered_by: str, due_in_days: int, *, consent: bool = False
) -> dict[str, Any]:
    return {
        "slug": slug,
        "answered_by": answered_by,
        "schedule": "once",
        "weekdays": (),
        "due_in_days": due_in_days,
        "needs_injured_consent": consent,
    }


def _daily(slug: str, answered_by: str, *, consent: bool = False) -> dict[str, Any]:
    return {
        "slug": slug,
        "answered_by": answered_by,
        "schedule": "daily",
        "weekdays": (),
        "due_in_days": 0,
        "needs_injured_consent": consent,
    }


def _weekly(
    slug: str, answered_by: str, weekdays: tuple[int, ...], *, consent: bool = False
) -> dict[str, Any]:
    return {
        "slug": slug,
        "answered_by": answered_by,
        "schedule": "weekly",
        "weekdays": weekdays,
        "due_in_days": 0,
        "needs_injured_consent": consent,
    }


DEFAULT_STAGE_PLANS: dict[int, tuple[dict[str, Any], ...]] = {
    1: (
        _once("feelings-inventory", "injured", 7),
        _once("hard-moments-plan", "each", 7),
        _once("what-i-need-you-to-understand", "injured", 14),
        _once("listening-reflection", "involved", 21),
    ),
    2: (
        _once("accountability-letter", "involved", 14),
        _once("what-i-heard", "injured", 28),
        _weekly("noticing-defensiveness", "involved", (FRIDAY,)),
    ),
    3: (
        _daily("daily-check-in", "each"),
        _once("question-exchange", "together", 7),
        _once("transparency-agreement", "each", 14),
        _weekly("weekly-honest-talk", "each", (SUNDAY,)),
    ),
    4: (
        _once("boundary-proposal", "each", 7),
        _once("expectations-for-the-next-month", "each", 14),
        _daily("daily-check-in", "each"),
    ),
    5: (
        _once("support-plan", "each", 7),
        _once("finding-the-right-support", "each", 14),
        _weekly("after-a-session", "each", (MONDAY,)),
        _daily("daily-check-in", "each"),
    ),
    6: (
        _once("pace-agreement", "each", 7, consent=True),
        _weekly("connection-moments", "each", (SUNDAY,), consent=True),
        _once("what-closeness-means-to-me", "each", 14, consent=True),
        _daily("daily-check-in", "each"),
    ),
    7: (
        _daily("daily-repair-log", "involved"),
        _weekly("positive-change-log", "injured", (SUNDAY,)),
        _weekly("weekly-repair-review", "each", (SUNDAY,)),
        _daily("daily-check-in", "each"),
    ),
}


def library_by_slug() -> dict[str, dict[str, Any]]:
    """Every built-in exercise by its slug; copies, so callers may change them freely."""
    return {entry["slug"]: copy.deepcopy(entry) for entry in LIBRARY}
