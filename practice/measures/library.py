"""The questionnaires and the safety check as built-in exercise templates."""

from __future__ import annotations

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


YES_NO = "yes_no"

SAFETY_DEFINITION: dict[str, Any] = {
    "slug": SAFETY_SLUG,
    "revision": 1,
    "title": "A private check on your safety",
    "stage": 1,
    "purpose": (
        "Couples work is not safe for everyone. This check is offered at the start and can be "
        "repeated. Only the clinician sees the answers; they are never shown to the partner, "
        "in any page, export or report."
    ),
    "instructions": (
        "These questions are just for you and your clinician. **Your partner will never see "
        "your answers.**\n\nIf you are in danger right now, please contact your local "
        "emergency number."
    ),
    "answered_by": "each",
    "visibility": "clinician",
    "visibility_locked": True,
    "recurrence": None,
    "safety": True,
    "fields": [
        {
            "key": "afraid",
            "label": "Do you ever feel afraid of your partner?",
            "kind": YES_NO,
            "required": True,
        },
        {
            "key": "threatened",
            "label": "Has your partner threatened you, or someone or something you care about?",
            "kind": YES_NO,
            "required": True,
        },
        {
            "key": "pressured",
            "label": "Has your partner pressured, controlled or forced you to "
            "do things you did not want to do?",
            "kind": YES_NO,
            "required": True,
        },
        {
            "key": "hurt",
            "label": "Has your partner pushed, hit or physically hurt you?",
            "kind": YES_NO,
            "required": True,
        },
        {
            "key": "safe_at_home",
            "label": "Do you feel safe at home right now?",
            "kind": YES_NO,
            "required": True,
        },
        {
            "key": "anything_else",
            "label": "Is there anything else about your safety you want your clinician to know?",
            "kind": "long_text",
            "max_length": 5000,
        },
    ],
}


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
