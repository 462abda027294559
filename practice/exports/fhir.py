"""Questionnaires as FHIR R4: a Bundle of Questionnaire, QuestionnaireResponse and Observation.

One `Questionnaire` per instrument and version (a canonical URL on this installation), one
`QuestionnaireResponse` per administration with the options chosen, and one `Observation` per
total score, LOINC-coded where a verified code is on file (see instruments.py), with the band
as its interpretation. Built from plain values (`Administration`), so who may see what is
decided before this module: `gather_*` load a couple's (clinician) or one partner's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.measures.instruments import INSTRUMENTS, Instrument
from practice.models import MeasureScore, Partner, Response

LOINC = "http://loinc.org"
NAMESPACE = uuid.UUID("6f1c2a4e-61b0-4d2c-9a55-0c3d2b3f1d19")  # stable ids for one export
ROLE_NAMES = {"injured": "injured partner", "involved": "involved partner"}


@dataclass(frozen=True)
class Administration:
    score_id: int
    instrument: str
    role: str
    day: date
    total: int
    band: str
    answers: dict[str, Any]


def gather_couple(db: Session, couple_id: int) -> list[Administration]:
    """Every scored administration of one couple, both partners (the clinician's export)."""
    return _gather(db, MeasureScore.couple_id == couple_id)


def gather_partner(db: Session, partner: Partner) -> list[Administration]:
    """Only this partner's own administrations (the partner's export)."""
    return _gather(db, MeasureScore.partner_id == partner.id)


def _gather(db: Session, condition) -> list[Administration]:
    rows = db.execute(
        select(MeasureScore, Response.answers)
        .join(Response, Response.id == MeasureScore.response_id)
        .where(condition)
        .order_by(MeasureScore.administered_on, MeasureScore.id)
    ).all()
    return [
        Administration(s.id, s.instrument, s.role, s.administered_on, s.total, s.band, a or {})
        for s, a in rows
        if s.instrument in INSTRUMENTS
    ]


def canonical(base_url: str, instrument: Instrument) -> str:
    """The Questionnaire's canonical URL on this installation."""
    return f"{base_url.rstrip('/')}/fhir/Questionnaire/mend-{instrument.key}"


def _urn(*parts: object) -> str:
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))


def questionnaire(base_url: str, instrument: Instrument) -> dict[str, Any]:
    """One instrument as a FHIR Questionnaire (its exact wording, options with their scores)."""
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"mend-{instrument.key}",
        "url": canonical(base_url, instrument),
        "version": instrument.version,
        "name": instrument.short_name.replace("-", ""),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{instrument.stem}\n\nSource: {instrument.source}",
        "copyright": instrument.licence,
        "item": [
            {
                "linkId": item.key,
                "text": item.text,
                "type": "choice",
                "required": item.scored,
                "answerOption": [
                    {"valueCoding": {"code": str(value), "display": label}}
                    for label, value in item.options
                ],
            }
            for item in instrument.items
        ],
    }
    if instrument.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    return resource


def _subject(role: str) -> dict[str, str]:
    return {"display": ROLE_NAMES.get(role, role)}


def questionnaire_response(
    base_url: str, instrument: Instrument, admin: Administration
) -> dict[str, Any]:
    """One administration: the option chosen for every item answered."""
    items = []
    for item in instrument.items:
        chosen = admin.answers.get(item.key)
        lookup = dict(item.options)
        if chosen not in lookup:
            continue
        items.append(
            {
                "linkId": item.key,
                "text": item.text,
                "answer": [{"valueCoding": {"code": str(lookup[chosen]), "display": chosen}}],
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical(base_url, instrument)}|{instrument.version}",
        "status": "completed",
        "subject": _subject(admin.role),
        "authored": admin.day.isoformat(),
        "item": items,
    }


def observation(instrument: Instrument, admin: Administration, response_ref: str) -> dict:
    """The total score, LOINC-coded where a code is on file, with its band."""
    coding = [{"system": LOINC, "code": instrument.loinc_total}] if instrument.loinc_total else []
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {"coding": coding, "text": f"{instrument.short_name} total score"}
        if coding
        else {"text": f"{instrument.short_name} total score"},
        "subject": _subject(admin.role),
        "effectiveDateTime": admin.day.isoformat(),
        "valueInteger": admin.total,
        "interpretation": [{"text": admin.band}],
        "derivedFrom": [{"reference": response_ref}],
    }
    if instrument.score_note:
        resource["note"] = [{"text": instrument.score_note}]
    return resource


def bundle(base_url: str, administrations: Iterable[Administration], now: datetime) -> dict:
    """A FHIR R4 collection Bundle of the administrations given (already filtered)."""
    administrations = list(administrations)
    entries: list[dict[str, Any]] = []
    used = [k for k in INSTRUMENTS if any(a.instrument == k for a in administrations)]
    for key in used:
        entries.append(
            {
                "fullUrl": canonical(base_url, INSTRUMENTS[key]),
                "resource": questionnaire(base_url, INSTRUMENTS[key]),
            }
        )
    for admin in administrations:
        instrument = INSTRUMENTS[admin.instrument]
        response_url = _urn("response", admin.score_id)
        entries.append(
            {
                "fullUrl": response_url,
                "resource": questionnaire_response(base_url, instrument, admin),
            }
        )
        entries.append(
            {
                "fullUrl": _urn("observation", admin.score_id),
                "resource": observation(instrument, admin, response_url),
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(timespec="seconds"),
        "entry": entries,
    }
