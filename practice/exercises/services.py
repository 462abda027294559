"""The exercise library: creating, copying, versioning, archiving and syncing built-ins."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from practice.exercises.definitions import DefinitionError, TemplateDef, parse_definition
from practice.exercises.translations import translated
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
    """An exercise's definition in the reader's language where it has one, else as written.

    A built-in exercise: the library's words in that language, only when the stored version
    says exactly what the library's source text says (an older version stays as it was). A
    clinician's own exercise: its own language, or a complete translation its author added.
    """
    if template.owner_id is not None or not template.slug:
        if language == (template.language or SOURCE):
            return definition
        return translated(definition, language) or definition
    return _in_language(definition, template.slug, language)


SOURCE = "en"


def languages_of_template(template: ExerciseTemplate) -> list[str]:
    """The languages a partner can read an exercise in: its own first, then the translations
    that are complete (a built-in one: the library file's languages)."""
    own = template.language or SOURCE
    definition = definition_of(template.latest)
    if template.owner_id is None and template.slug:
        others = [
            language
            for language in _builtin_languages(template.slug)
            if _in_language(definition, template.slug, language) is not definition
        ]
    else:
        others = [
            language for language in definition.translations if translated(definition, language)
        ]
    return [own, *sorted(set(others) - {own})]


def _builtin_languages(slug: str) -> list[str]:
    return sorted(_builtin_translations(slug))


def _in_language(definition: TemplateDef, slug: str, language: str) -> TemplateDef:
    source, translated = _library_pair(slug, language)
    if source is None or translated is None or source != definition:
        return definition
    return translated


def library_title(title: str, slug: str | None, builtin: bool, language: str) -> str:
    """A built-in exercise's title in the reader's language, for lists that load only titles:
    the library's words when the stored title is still the library's own, else as stored."""
    if not builtin or not slug:
        return title
    source, translated = _library_pair(slug, language)
    if source is None or translated is None or source.title != title:
        return title
    return translated.title


def title_for_reader(template: ExerciseTemplate) -> str:
    """An exercise's title in the language being read or printed (a built-in one: the
    library's words in that language)."""
    from practice.i18n import reader_language

    builtin = template.owner_id is None and bool(template.slug)
    return library_title(template.title, template.slug, builtin, reader_language())


@lru_cache(maxsize=256)
def _library_pair(slug: str, language: str) -> tuple[TemplateDef | None, TemplateDef | None]:
    """A built-in exercise parsed in the source language and in another (None when absent)."""
    from practice.exercises.library import SOURCE_LANGUAGE, library
    from practice.measures.library import SAFETY_SLUG, safety_entry

    if language == SOURCE_LANGUAGE:
        return None, None

    def entries(language: str) -> list[dict[str, Any]]:
        # The exercises and the safety check; never a validated questionnaire (those are shown
        # only in a published wording: practice/measures/instruments.py).
        return (
            [*library(language), safety_entry(language)]
            if slug == SAFETY_SLUG
            else [*library(language)]
        )

    source = next((e for e in entries(SOURCE_LANGUAGE) if e["slug"] == slug), None)
    translated = next((e for e in entries(language) if e["slug"] == slug), None)
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
    db: Session,
    owner: User | None,
    raw: dict[str, Any],
    slug: str | None = None,
    language: str = SOURCE,
) -> ExerciseTemplate:
    """A new template (owner None: built-in) with its first version, written in a language."""
    parsed = _validated(raw)
    template = ExerciseTemplate(
        owner_id=owner.id if owner else None,
        slug=slug,
        title=parsed.title,
        stage=parsed.stage,
        language=language,
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
    """The clinician's own editable copy of a template (built-in or theirs), in the same
    language and with the same translations (a built-in one's: the library's other languages)."""
    raw = copy.deepcopy(template.latest.definition)
    if template.owner_id is None and template.slug and "translations" not in raw:
        definition = definition_of(template.latest)
        raw["translations"] = {
            language: words
            for language, words in _builtin_translations(template.slug).items()
            if _in_language(definition, template.slug, language) is not definition
        }
    raw.pop("slug", None)
    # "(my copy)" in the copy's own language, and in each of its translations' languages.
    with force_locale(template.language or SOURCE):
        raw["title"] = _("%(title)s (my copy)", title=raw["title"])[:200]
    for language, words in (raw.get("translations") or {}).items():
        if isinstance(words, dict) and words.get("title"):
            with force_locale(language):
                words["title"] = _("%(title)s (my copy)", title=words["title"])[:200]
    new = create_template(db, owner, raw, language=template.language or SOURCE)
    new.copied_from_id = template.id
    return new


def _builtin_translations(slug: str) -> dict[str, Any]:
    from practice.exercises.library import translations_of
    from practice.measures.library import SAFETY_FILE, SAFETY_SLUG

    return translations_of(slug, SAFETY_FILE if slug == SAFETY_SLUG else None)


def save_translation(
    db: Session,
    template: ExerciseTemplate,
    by: User,
    language: str,
    words: dict[str, Any],
) -> TemplateVersion:
    """Store (or replace) the words of one language of an own exercise; its structure stays."""
    if template.owner_id is None:
        raise TemplateError([_("Built-in exercises are translated in Mend's library files.")])
    if language == (template.language or SOURCE):
        raise TemplateError([_("This is the language the exercise is written in.")])

    def change(definition: dict[str, Any]) -> dict[str, Any]:
        translations = dict(definition.get("translations") or {})
        translations[language] = words
        definition["translations"] = translations
        return definition

    return update_definition(db, template, by, change)


def remove_translation(
    db: Session, template: ExerciseTemplate, by: User, language: str
) -> TemplateVersion:
    """Remove one language's words from an own exercise."""

    def change(definition: dict[str, Any]) -> dict[str, Any]:
        translations = dict(definition.get("translations") or {})
        translations.pop(language, None)
        definition["translations"] = translations
        return definition

    return update_definition(db, template, by, change)


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
        raise TemplateError([_("This exercise is archived. Restore it before editing.")])
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
