"""Showing answers: which ones a partner may read, and each value in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from practice.exercises.definitions import FieldDef
from practice.exercises.visibility import AnswerFacts, partner_may_read
from practice.models import Assignment, ExerciseTemplate, Partner, Response
from practice.timefmt import format_date


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str
    kind: str
    empty: bool


def format_value(field: FieldDef, value: Any) -> str:
    """One answer as text a person reads."""
    if value is None or value == "" or value == []:
        return _("(left blank)")
    if field.kind == "scale":
        low = _end(int(field.min), field.min_label)
        high = _end(int(field.max), field.max_label)
        return _("%(value)s on a scale from %(low)s to %(high)s", value=value, low=low, high=high)
    if field.kind == "yes_no":
        if value in (True, "yes"):
            return _("Yes")
        if value in (False, "no"):
            return _("No")
        return str(value)
    if field.kind == "multi_choice":
        return ", ".join(value) if isinstance(value, list) else str(value)
    if field.kind == "date":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return format_date(day)
    return str(value)


def _end(number: int, label: str | None) -> str:
    """One end of a scale: its number, with its words when it has them."""
    return _("%(number)d (%(label)s)", number=number, label=label) if label else str(number)


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
    question: str = ""  # the question of the excerpt below
    excerpt: str = ""  # the first written answer, shortened


SEARCH_WINDOW = 1000  # a search reads at most this many recent answers (their text is encrypted)


def _excerpt(definition, answers: dict) -> tuple[str, str]:
    """The first written answer (shortened) and its question."""
    for field in definition.fields:
        value = answers.get(field.key)
        if field.kind in ("short_text", "long_text") and value:
            text = " ".join(str(value).split())
            return field.label, text if len(text) <= 160 else text[:157].rstrip() + "…"
    return "", ""


def _matches(words: str, title: str, answers: dict) -> bool:
    """Every word of the search is in the title or one of the answers (any case)."""
    haystack = " ".join(
        [
            title,
            *(
                v if isinstance(v, str) else " ".join(map(str, v)) if isinstance(v, list) else ""
                for v in answers.values()
            ),
        ]
    ).casefold()
    return all(word in haystack for word in words.casefold().split())


def answers_visible_to(
    db: Session,
    partner: Partner,
    page: int = 1,
    per_page: int = 50,
    *,
    whose: str = "",
    exercise: int | None = None,
    search: str = "",
) -> tuple[list[VisibleAnswer], bool]:
    """One page of the submitted answers this partner may read, newest first; and whether
    there are more. SQL narrows the rows; partner_may_read has the final word on each.
    whose ("mine" or "partner"), exercise (a template id) and search (words in the title or
    the answers, matched after decrypting, over the latest SEARCH_WINDOW answers) narrow it."""
    from practice.exercises.services import definition_of
    from practice.models import TemplateVersion

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
    query = (
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
    )
    if whose == "mine":
        query = query.where(Response.slot.in_((partner.role, "together")))
    elif whose == "partner":
        query = query.where(Response.slot.not_in((partner.role, "together")))
    if exercise:
        query = query.where(ExerciseTemplate.id == exercise)
    start = (max(page, 1) - 1) * per_page
    search = search.strip()
    if search:
        rows = db.execute(query.limit(SEARCH_WINDOW)).all()
    else:
        rows = db.execute(query.limit(per_page + 1).offset(start)).all()
    readable = []
    for response, title, submitted_same, schedule in rows:
        facts = AnswerFacts(response.slot, response.status, response.visibility)
        if not partner_may_read(facts, partner.role, bool(submitted_same)):
            continue
        if search and not _matches(search, title, response.answers or {}):
            continue
        readable.append((response, title, schedule))
    if search:
        more = len(readable) > start + per_page
        readable = readable[start : start + per_page]
    else:
        more = len(rows) > per_page
        readable = readable[:per_page]
    versions = {
        v.id: v
        for v in db.scalars(
            select(TemplateVersion).where(
                TemplateVersion.id.in_({r.version_id for r, _t, _s in readable})
            )
        )
    }
    result = []
    for response, title, schedule in readable:
        mine = response.slot in (partner.role, "together")
        question, excerpt = _excerpt(definition_of(versions[response.version_id]), response.answers)
        result.append(VisibleAnswer(response, title, mine, schedule != "once", question, excerpt))
    return result, more


def exercises_answered(db: Session, partner: Partner) -> list[tuple[int, str]]:
    """The exercises (id, title) of the answers this partner may read, for the filter: only
    what the list itself could show, so the filter names nothing it keeps from them."""
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
        select(
            ExerciseTemplate.id,
            ExerciseTemplate.title,
            Response.slot,
            Response.status,
            Response.visibility,
            same.label("same"),
        )
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
        .where(Assignment.couple_id == partner.couple_id, Response.status == "submitted")
        .distinct()
    ).all()
    found = {
        (template_id, title)
        for template_id, title, slot, status, visibility, submitted_same in rows
        if partner_may_read(
            AnswerFacts(slot, status, visibility), partner.role, bool(submitted_same)
        )
    }
    return sorted(found, key=lambda pair: (pair[1].casefold(), pair[0]))
