"""Note formats (DAP, SOAP, BIRP) as data: one TOML file each under formats/, checked on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FORMATS_DIR = Path(__file__).parent / "formats"
DEFAULT_FORMAT = "dap"
SECTION_MAX = 20_000  # characters per section, as a worksheet's long answer


class FormatError(ValueError):
    """A format file that does not follow the schema."""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    prompt: str


@dataclass(frozen=True)
class NoteFormat:
    key: str
    name: str
    sections: tuple[Section, ...]
    prefill_section: str
    plan_section: str

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def _text(data: dict, key: str, where: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise FormatError(f"{where}: {key} must be text of 1 to {limit} characters")
    return value.strip()


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
            Section(
                _text(item, "key", here, 24),
                _text(item, "title", here, 60),
                _text(item, "prompt", here, 400),
            )
        )
    keys = [s.key for s in sections]
    if len(set(keys)) != len(keys):
        raise FormatError(f"{where}: section keys must differ")
    note_format = NoteFormat(
        key,
        _text(data, "name", where, 80),
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
