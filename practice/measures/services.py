"""What happens when a questionnaire or a safety check is sent: score it, record it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from practice.couples.closing import ensure_open
from practice.exercises.definitions import TemplateDef
from practice.measures.instruments import INSTRUMENTS, ScoringError, score
from practice.measures.library import safety_worries
from practice.models import MeasureScore, Partner, Response, SafetyCheck


@dataclass(frozen=True)
class Outcome:
    scored: MeasureScore | None = None
    safety: SafetyCheck | None = None

    @property
    def needs_crisis_resources(self) -> bool:
        """PHQ-9 item 9 above 0: the person is shown crisis resources at once."""
        return bool(self.scored and (self.scored.self_harm_item or 0) > 0)


def record_submission(
    db: Session, response: Response, definition: TemplateDef, partner: Partner, day: date
) -> Outcome:
    """Score a submitted questionnaire, or record a safety check's outcome; else nothing."""
    ensure_open(partner.couple)
    if definition.measure in INSTRUMENTS:
        instrument = INSTRUMENTS[definition.measure]
        try:
            result = score(instrument, response.answers)
        except ScoringError:
            return Outcome()  # the form requires every item; an old version may not have
        row = MeasureScore(
            response_id=response.id,
            couple_id=partner.couple_id,
            partner_id=partner.id,
            role=partner.role,
            instrument=instrument.key,
            administered_on=day,
            total=result.total,
            band=result.band,
            band_rank=result.band_rank,
            self_harm_item=result.self_harm_item,
        )
        db.add(row)
        db.flush()
        return Outcome(scored=row)
    if definition.safety:
        worries = safety_worries(response.answers)
        row = SafetyCheck(
            response_id=response.id,
            couple_id=partner.couple_id,
            partner_id=partner.id,
            role=partner.role,
            checked_on=day,
            worrying=bool(worries),
            worries=",".join(worries),
        )
        db.add(row)
        db.flush()
        return Outcome(safety=row)
    return Outcome()
