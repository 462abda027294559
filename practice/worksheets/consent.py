"""What an exercise that waits for the injured partner's agreement asks, shown before they
agree: its purpose and the questions they would answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from practice.exercises.services import definition_of, in_language
from practice.models import Assignment, ExerciseTemplate


@dataclass(frozen=True)
class Preview:
    purpose: str
    questions: tuple[str, ...]  # what the partner with this role is asked, in order
    partner_questions: int  # how many questions only the other partner is asked


def consent_previews(
    db: Session, assignment_ids: list[int], role: str, language: str = "en"
) -> dict[int, Preview]:
    """assignment id -> the purpose and questions of the version the partner would answer, in
    their language where the library has it."""
    if not assignment_ids:
        return {}
    rows = db.execute(
        select(Assignment.id, ExerciseTemplate)
        .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
        .where(Assignment.id.in_(assignment_ids))
        .options(selectinload(ExerciseTemplate.versions))
    ).all()
    previews = {}
    for assignment_id, template in rows:
        definition = in_language(definition_of(template.latest), template, language)
        mine = definition.fields_for(role)
        previews[assignment_id] = Preview(
            purpose=" ".join(definition.purpose.split()),
            questions=tuple(f.label for f in mine),
            partner_questions=len(definition.fields) - len(mine),
        )
    return previews
