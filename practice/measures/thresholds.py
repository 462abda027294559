"""Practice-set reliable-change thresholds: entered by an admin with their citation.

For a questionnaire with no published reliable-change value on file (the CSI-4, the PCL-5) an
admin may enter a reference SD and a reliability with the citation they took them from; Mend
computes 1.96 x SD x sqrt(2 (1 - r)) and prints "practice-set, from <citation>" wherever the
value is used. Default: none. Every change is a new row (who, when, what): the audit trail.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.analytics.outcomes import Threshold, effective_threshold, reliable_change_value
from practice.measures.instruments import INSTRUMENTS
from practice.models import PracticeThreshold, User


def settable_instruments() -> list[str]:
    """The questionnaires without a published reliable-change value on file."""
    return [k for k, i in INSTRUMENTS.items() if i.reliable_change is None]


def practice_values(db: Session) -> dict[str, tuple[float, float, str]]:
    """The practice-set (sd, reliability, citation) in force per instrument (cleared: absent)."""
    newest: dict[str, PracticeThreshold] = {}
    for row in db.scalars(
        select(PracticeThreshold).order_by(PracticeThreshold.set_at, PracticeThreshold.id)
    ):
        newest[row.instrument] = row
    return {
        key: (row.reference_sd, row.reliability, row.citation)
        for key, row in newest.items()
        if row.reference_sd is not None and row.reliability is not None
    }


def thresholds_in_force(values: dict[str, tuple[float, float, str]]) -> dict[str, Threshold]:
    """Per instrument, the reliable-change value used and where it comes from."""
    return {
        key: effective_threshold(
            instrument.reliable_change, instrument.reliable_change_source, values.get(key)
        )
        for key, instrument in INSTRUMENTS.items()
    }


def set_practice_threshold(
    db: Session, instrument: str, sd: float, reliability: float, citation: str, by: User
) -> PracticeThreshold:
    """Record a new practice-set basis (checked: SD > 0, 0 < r < 1, a citation)."""
    if instrument not in settable_instruments():
        raise ValueError(_("This questionnaire has a published reliable-change value."))
    reliable_change_value(sd, reliability)  # raises ThresholdError with a plain message
    row = PracticeThreshold(
        instrument=instrument,
        reference_sd=sd,
        reliability=reliability,
        citation=citation.strip(),
        set_by_id=by.id,
    )
    db.add(row)
    db.flush()
    return row


def clear_practice_threshold(db: Session, instrument: str, by: User) -> PracticeThreshold:
    """Stop using a practice-set value (recorded, like a change)."""
    row = PracticeThreshold(instrument=instrument, citation="", set_by_id=by.id)
    db.add(row)
    db.flush()
    return row


def threshold_history(db: Session) -> list[PracticeThreshold]:
    """Every change, newest first (the audit trail shown to admins)."""
    return list(
        db.scalars(
            select(PracticeThreshold).order_by(
                PracticeThreshold.set_at.desc(), PracticeThreshold.id.desc()
            )
        )
    )
