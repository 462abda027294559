"""Showing answers: which ones a partner may read, and each value in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from practice.exercises.definitions import FieldDef
from practice.exercises.visibility import AnswerFacts, partner_may_read
from practice.models import Assignment, ExerciseTemplate, Partner, Response


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str
    kind: str
    empty: bool


def format_value(field: FieldDef, value: Any) -> str:
    """One answer as text a person reads."""
    if value is None or value == "" or value == []:
        return "(left blank)"
    if field.kind == "scale":
        low = f"{int(field.min)}" + (f" ({field.min_label})" if field.min_label else "")
        high = f"{int(field.max)}" + (f" ({field.max_label})" if field.max_label else "")
        return f"{value} on a scale from {low} to {high}"
    if field.kind == "yes_no":
        return {True: "Yes", False: "No", "yes": "Yes", "no": "No"}.get(value, str(value))
    if field.kind == "multi_choice":
        return ", ".join(value) if isinstance(value, list) else str(value)
    if field.kind == "date":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.day} {day:%b %Y}"
    return str(value)


def render_answers(fields, answers: dict[str, Any]) -> list[AnswerRow]:
    """Label and value for each field, in the version's order."""
    rows = []
    for field in fields:
        value = answers.get(field.key)
        empty = value is None or value == "" or value == []
        rows.append(AnswerRow(field.label, format_value(field, value), field.kind, empty))
    return rows


@dataclass(frozen=True)
class VisibleAnswer:
    response: Response
    title: str
    mine: bool
    # A one-off answer is dated by the day it was sent; only a recurring one is "for" a day.
    recurring: bool = False


def answers_visible_to(
    db: Session, partner: Partner, page: int = 1, per_page: int = 50
) -> tuple[list[VisibleAnswer], bool]:
    """One page of the submitted answers this partner may read, newest first; and whether
    there are more. SQL narrows the rows; partner_may_read has the final word on each."""
    own = aliased(Response)
    same = (
        exists()
        .where(
            own.assignment_id == Response.assignment_id,
            own.occurrence_on == Response.occurrence_on,
            own.slot == partner.role,
            own.status == "submitted",
        )
        .correlate(Response)
    )
    rows = db.execute(
        select(Response, ExerciseTemplate.title, same.label("same"), Assignment.schedule)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
        .where(
            Assignment.couple_id == partner.couple_id,
            Response.status == "submitted",
            or_(
                Response.slot.in_((partner.role, "together")),
                Response.visibility == "shared",
                and_(Response.visibility == "mutual", same),
            ),
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(per_page + 1)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    result = []
    for response, title, submitted_same, schedule in rows[:per_page]:
        facts = AnswerFacts(response.slot, response.status, response.visibility)
        if partner_may_read(facts, partner.role, bool(submitted_same)):
            mine = response.slot in (partner.role, "together")
            result.append(VisibleAnswer(response, title, mine, schedule != "once"))
    return result, len(rows) > per_page
