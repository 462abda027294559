"""Translations of a clinician's own exercise, kept in its definition: which words there are,
what is still missing, and the definition in a language it is complete in."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from practice.exercises.definitions import FieldDef, TemplateDef


TRANSLATED_TEXT = ("title", "purpose", "instructions")
TRANSLATED_FIELD_TEXT = ("label", "help", "min_label", "max_label")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")


def _clean(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def parse_translations(raw: Any, fields: list[FieldDef]) -> dict[str, Any]:
    """The translations kept with a definition: only known languages' words for fields that
    still exist (a field removed since keeps no words; options only when they still match in
    number). Lenient on purpose, so a change of structure never fails on an old translation."""
    if not isinstance(raw, dict):
        return {}
    by_key = {f.key: f for f in fields}
    kept: dict[str, Any] = {}
    for language, words in sorted(raw.items()):
        if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
            continue
        if not isinstance(words, dict):
            continue
        entry: dict[str, Any] = {
            name: _clean(words.get(name), 200 if name == "title" else 20_000)
            for name in TRANSLATED_TEXT
        }
        entry["fields"] = {}
        raw_fields = words.get("fields") if isinstance(words.get("fields"), dict) else {}
        for key, field_words in sorted(raw_fields.items()):
            if key not in by_key or not isinstance(field_words, dict):
                continue
            source = by_key[key]
            item = {
                name: _clean(field_words.get(name), 300 if name == "label" else 2000)
                for name in TRANSLATED_FIELD_TEXT
            }
            options = field_words.get("options")
            if isinstance(options, list | tuple) and len(options) == len(source.options):
                item["options"] = [_clean(o, 300) for o in options]
            entry["fields"][key] = {k: v for k, v in item.items() if v}
        kept[language] = entry
    return kept


def translation_gaps(definition: TemplateDef, language: str) -> list[str]:
    """What a translation still lacks (the source words of each), empty when complete."""
    words = definition.translations.get(language)
    if not words:
        return ["everything"]
    gaps = [name for name in TRANSLATED_TEXT if getattr(definition, name) and not words[name]]
    for f in definition.fields:
        given = words["fields"].get(f.key, {})
        for name in TRANSLATED_FIELD_TEXT:
            if getattr(f, name) and not given.get(name):
                gaps.append(f"{f.key}.{name}")
        if f.options and len(set(given.get("options") or ())) != len(f.options):
            gaps.append(f"{f.key}.options")  # missing, or two options translated alike
    return gaps


def translated(definition: TemplateDef, language: str) -> TemplateDef | None:
    """The definition in a language it has a complete translation for, else None."""
    if translation_gaps(definition, language):
        return None
    words = definition.translations[language]
    fields = []
    for f in definition.fields:
        given = words["fields"].get(f.key, {})
        fields.append(
            replace(
                f,
                label=given.get("label") or f.label,
                help=given.get("help", "") if f.help else "",
                min_label=given.get("min_label", "") if f.min_label else "",
                max_label=given.get("max_label", "") if f.max_label else "",
                options=tuple(given["options"]) if f.options else (),
            )
        )
    return replace(
        definition,
        title=words["title"],
        purpose=words["purpose"] if definition.purpose else "",
        instructions=words["instructions"] if definition.instructions else "",
        fields=tuple(fields),
    )
