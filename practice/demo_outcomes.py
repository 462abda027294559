"""Demo outcomes (issue 19): the injured partner's PCL-5 history, on an every-4-weeks schedule,
and a practice-set CSI-4 threshold labelled as the demo's own. Willow's PHQ-9 series (in
demo_exercises) already shows a partner who has recovered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.models import (
    Assignment,
    Couple,
    ExerciseTemplate,
    MeasureScore,
    Response,
    User,
)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 15), tzinfo=UTC)


def add_demo_outcomes(
    db: Session, couples: list[Couple], clinician: User, admin: User, today: date
) -> None:
    """Willow's injured partner: a PCL-5 every four weeks, easing from 54 to 29."""
    from practice.measures.instruments import score
    from practice.measures.library import measure_slug
    from practice.measures.pcl5 import PCL5

    template = db.scalar(
        select(ExerciseTemplate).where(
            ExerciseTemplate.owner_id.is_(None), ExerciseTemplate.slug == measure_slug(PCL5)
        )
    )
    willow = couples[1]
    start = today - timedelta(weeks=12)
    assignment = Assignment(
        couple_id=willow.id,
        template_id=template.id,
        created_by_id=clinician.id,
        answered_by="injured",
        visibility="clinician",
        schedule="weeks",
        every_weeks=4,
        start_on=start,
        created_at=_at(start, 9),
    )
    db.add(assignment)
    db.flush()
    partner = willow.partner("injured")
    labels = {value: label for label, value in PCL5.items[0].options}
    # Item scores per administration (totals 54, 43, 29): intrusion and arousal ease first.
    series = (
        (3, 3, 2, 4, 3, 3, 3, 1, 3, 3, 4, 2, 3, 2, 2, 1, 4, 3, 3, 2),
        (2, 2, 2, 3, 2, 3, 2, 1, 3, 3, 3, 2, 2, 2, 2, 0, 3, 2, 2, 2),
        (2, 1, 1, 2, 1, 2, 2, 1, 2, 2, 2, 1, 2, 1, 1, 0, 2, 1, 2, 1),
    )
    for n, values in enumerate(series):
        day = start + timedelta(weeks=4 * n)
        answers = {item.key: labels[v] for item, v in zip(PCL5.items, values, strict=True)}
        result = score(PCL5, answers)
        response = Response(
            assignment_id=assignment.id,
            occurrence_on=day,
            slot="injured",
            partner_id=partner.id,
            version_id=template.latest.id,
            answers=answers,
            status="submitted",
            revision=1,
            visibility="clinician",
            submitted_at=_at(day, 20),
            created_at=_at(day, 20),
            updated_at=_at(day, 20),
            reviewed_at=_at(day + timedelta(days=1), 9),
            reviewed_by_id=clinician.id,
        )
        db.add(response)
        db.flush()
        db.add(
            MeasureScore(
                response_id=response.id,
                couple_id=willow.id,
                partner_id=partner.id,
                role="injured",
                instrument=PCL5.key,
                administered_on=day,
                total=result.total,
                band=result.band,
                band_rank=result.band_rank,
            )
        )
    # No practice-set CSI-4 threshold: no published reference SD and reliability for it could
    # be reached from here, and Mend does not invent clinical numbers. The CSI-4 says "no
    # threshold on file" until an admin enters one with its citation (admin -> Thresholds).
    db.flush()
