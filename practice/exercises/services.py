"""The exercise library: creating, copying, versioning, archiving and syncing built-ins."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from practice.exercises.definitions import DefinitionError, TemplateDef, parse_definition
from practice.models import ExerciseTemplate, Response, TemplateVersion, User, utcnow


class TemplateError(ValueError):
    """A library change that cannot be made; .problems lists the reasons."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def definition_of(version: TemplateVersion) -> TemplateDef:
    """The parsed definition of a stored version."""
    return _parse_cached(version.id, _freeze(version.definition))


def in_language(definition: TemplateDef, template: ExerciseTemplate, language: str) -> TemplateDef:
    """A built-in exercise's definition in the reader's language. Only when the stored version
    says exactly what the library's source text says: a clinician's own exercise, or an older
    version of a built-in one, stays in the words it was written in."""
    if template.owner_id is not None or not template.slug:
        return definition
    return _in_language(definition, template.slug, language)


def _in_language(definition: TemplateDef, slug: str, language: str) -> TemplateDef:
    source, translated = _library_pair(slug, language)
    if source is None or translated is None or source != definition:
        return definition
    return translated


@lru_cache(maxsize=256)
def _library_pair(slug: str, language: str) -> tuple[TemplateDef | None, TemplateDef | None]:
    """A built-in exercise parsed in the source language and in another (None when absent)."""
    from practice.exercises.library import SOURCE_LANGUAGE, library

    if language == SOURCE_LANGUAGE:
        return None, None
    source = next((e for e in library(SOURCE_LANGUAGE) if e["slug"] == slug), None)
    translated = next((e for e in library(language) if e["slug"] == slug), None)
    if source is None or translated is None:
        return None, None
    return parse_definition(source), parse_definition(translated)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("__list__", *(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] == "__list__":
        return [_thaw(v) for v in value[1:]]
    if isinstance(value, tuple):
        return {k: _thaw(v) for k, v in value}
    return value


@lru_cache(maxsize=512)
def _parse_cached(_version_id: int, frozen: Any) -> TemplateDef:
    return parse_definition(_thaw(frozen))


def _validated(raw: dict[str, Any]) -> TemplateDef:
    try:
        return parse_definition(raw)
    except DefinitionError as exc:
        raise TemplateError(exc.problems) from exc


def create_template(
    db: Session, owner: User | None, raw: dict[str, Any], slug: str | None = None
) -> ExerciseTemplate:
    """A new template (owner None: built-in) with its first version."""
    parsed = _validated(raw)
    template = ExerciseTemplate(
        owner_id=owner.id if owner else None, slug=slug, title=parsed.title, stage=parsed.stage
    )
    template.versions.append(
        TemplateVersion(
            number=1, definition=parsed.as_dict(), created_by_id=owner.id if owner else None
        )
    )
    db.add(template)
    db.flush()
    return template


def copy_template(db: Session, template: ExerciseTemplate, owner: User) -> ExerciseTemplate:
    """The clinician's own editable copy of a template (built-in or theirs)."""
    raw = copy.deepcopy(template.latest.definition)
    raw.pop("slug", None)
    raw["title"] = f"{raw['title']} (my copy)"[:200]
    new = create_template(db, owner, raw)
    new.copied_from_id = template.id
    return new


def version_has_answers(db: Session, version: TemplateVersion) -> bool:
    """True when any answer (a draft included) uses this version."""
    return bool(db.scalar(select(exists().where(Response.version_id == version.id))))


def update_definition(
    db: Session,
    template: ExerciseTemplate,
    by: User | None,
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> TemplateVersion:
    """Apply a change; a version that has answers is kept as it is and a new one is made."""
    if template.archived_at is not None:
        raise TemplateError(["This exercise is archived. Restore it before editing."])
    latest = template.latest
    new_raw = change(copy.deepcopy(latest.definition))
    parsed = _validated(new_raw)
    definition = parsed.as_dict()
    if latest.definition == definition:
        return latest
    if version_has_answers(db, latest):
        version = TemplateVersion(
            number=latest.number + 1, definition=definition, created_by_id=by.id if by else None
        )
        template.versions.append(version)
    else:
        version = latest
        version.definition = definition
    template.title, template.stage = parsed.title, parsed.stage
    db.flush()
    return version


def set_archived(template: ExerciseTemplate, archived: bool) -> None:
    """Archive (no new assignments; answers stay readable) or restore a template."""
    template.archived_at = utcnow() if archived else None


def sync_library(db: Session) -> dict[str, int]:
    """Add new built-in exercises and upgrade changed ones; clinicians' copies are untouched."""
    from practice.exercises.library import LIBRARY
    from practice.measures.library import builtin_definitions

    existing = {
        t.slug: t
        for t in db.scalars(select(ExerciseTemplate).where(ExerciseTemplate.owner_id.is_(None)))
    }
    counts = {"added": 0, "upgraded": 0, "unchanged": 0}
    for entry in [*LIBRARY, *builtin_definitions()]:
        raw = {k: v for k, v in entry.items() if k != "revision"}
        revision = entry.get("revision", 1)
        template = existing.get(entry["slug"])
        if template is None:
            template = create_template(db, None, raw, slug=entry["slug"])
            template.library_revision = revision
            counts["added"] += 1
        elif (template.library_revision or 0) < revision:
            update_definition(db, template, None, lambda _old, raw=raw: copy.deepcopy(raw))
            template.library_revision = revision
            counts["upgraded"] += 1
        else:
            counts["unchanged"] += 1
    db.flush()
    return counts
