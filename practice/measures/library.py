"""The questionnaires and the safety check as built-in exercise templates."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from practice.measures.instruments import INSTRUMENTS, Instrument

SAFETY_SLUG = "safety-check"
# The answers that raise the most serious flag.
SAFETY_WORRYING = {
    "afraid": "yes",
    "threatened": "yes",
    "pressured": "yes",
    "hurt": "yes",
    "safe_at_home": "no",
}


QUESTIONNAIRE_PREFIX = "measure-"


def measure_slug(instrument: Instrument) -> str:
    return f"{QUESTIONNAIRE_PREFIX}{instrument.key}"


def measure_definition(instrument: Instrument) -> dict[str, Any]:
    """A questionnaire as a worksheet: one required choice per item, private to the clinician."""
    fields = [
        {
            "key": item.key,
            "label": f"{n}. {item.text}" if item.scored else item.text,
            "kind": "single_choice",
            "options": [label for label, _score in item.options],
            "required": item.scored,
        }
        for n, item in enumerate(instrument.items, start=1)
    ]
    return {
        "slug": measure_slug(instrument),
        "revision": 1,
        "title": instrument.name,
        "stage": 1,
        "purpose": (
            f"A validated questionnaire, scored automatically. Only the clinician sees the "
            f"answers and the score; the partner never does.\n\nSource: {instrument.source}\n\n"
            f"Licence: {instrument.licence}"
        ),
        "instructions": (
            f"{instrument.stem}\n\nThere are no right or wrong answers. Only your clinician "
            "will see them; your partner will not."
        ),
        "answered_by": "each",
        "visibility": "clinician",
        "visibility_locked": True,
        "recurrence": None,
        "measure": instrument.key,
        "fields": fields,
    }


SAFETY_FILE = Path(__file__).parent / "safety_check.toml"


@cache
def safety_entry(language: str = "en") -> dict[str, Any]:
    """The safety check (Mend's own words, so translated like the built-in exercises) in a
    language, English wherever a translation is missing."""
    from practice.exercises.library import entry_from_data

    return entry_from_data(tomllib.loads(SAFETY_FILE.read_text(encoding="utf-8")), language)


SAFETY_DEFINITION: dict[str, Any] = safety_entry()


def builtin_definitions() -> list[dict[str, Any]]:
    """The questionnaires and the safety check, in the library's entry format."""
    return [measure_definition(i) for i in INSTRUMENTS.values()] + [SAFETY_DEFINITION]


def safety_worries(answers: dict[str, Any]) -> list[str]:
    """The keys of the worrying answers in a safety check (yes/no stored as True/False)."""
    worries = []
    for key, worrying in SAFETY_WORRYING.items():
        value = answers.get(key)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if value == worrying:
            worries.append(key)
    return worries
