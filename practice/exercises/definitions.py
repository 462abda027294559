"""Exercise template definitions: plain data, validated here with messages a clinician can act on.

A definition is a dict (stored as JSON in each template version):
    title, stage (1-7), purpose and instructions (Markdown), answered_by (injured, involved,
    each, together), visibility (clinician, shared, mutual), visibility_locked (the client may
    not change it), recurrence (None, daily or weekly: the usual rhythm in stage plans),
    fields: an ordered list of field dicts.
A field: key, label, kind, help, required, and by kind: max_length (short_text, long_text),
min/max (scale, number; scale also min_label/max_label and tracked), options (single_choice,
multi_choice). When both partners answer ("each" or "together"), a field may carry "for":
injured or involved, so only that partner sees and fills it in.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from practice.exercises.translations import parse_translations
from practice.i18n import lazy_gettext as _l

ANSWERED_BY = ("injured", "involved", "each", "together")
VISIBILITIES = ("clinician", "shared", "mutual")
RECURRENCES = (None, "daily", "weekly")
KINDS = (
    "short_text",
    "long_text",
    "scale",
    "single_choice",
    "multi_choice",
    "yes_no",
    "date",
    "number",
)
KIND_LABELS = {
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "scale": _l("Scale"),
    "single_choice": _l("Single choice"),
    "multi_choice": _l("Multiple choice"),
    "yes_no": _l("Yes or no"),
    "date": _l("Date"),
    "number": _l("Number"),
}
DEFAULT_MAX_LENGTH = {"short_text": 300, "long_text": 20_000}
MAX_TEXT_LIMIT = 50_000
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 60
MAX_OPTIONS = 30


class DefinitionError(ValueError):
    """A definition that cannot be used; .problems lists every reason in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    kind: str
    help: str = ""
    required: bool = False
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    min_label: str = ""
    max_label: str = ""
    options: tuple[str, ...] = ()
    tracked: bool = False
    lower_is_better: bool = False  # for tracked scales such as distress
    for_role: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready form, without empty extras."""
        data: dict[str, Any] = {"key": self.key, "label": self.label, "kind": self.kind}
        if self.help:
            data["help"] = self.help
        if self.required:
            data["required"] = True
        if self.kind in DEFAULT_MAX_LENGTH:
            data["max_length"] = self.max_length
        if self.kind in ("scale", "number"):
            data["min"], data["max"] = self.min, self.max
        if self.kind == "scale":
            data["min_label"], data["max_label"] = self.min_label, self.max_label
            if self.tracked:
                data["tracked"] = True
            if self.lower_is_better:
                data["lower_is_better"] = True
        if self.options:
            data["options"] = list(self.options)
        if self.for_role:
            data["for"] = self.for_role
        return data


@dataclass(frozen=True)
class TemplateDef:
    title: str
    stage: int
    answered_by: str
    visibility: str
    fields: tuple[FieldDef, ...]
    purpose: str = ""
    instructions: str = ""
    visibility_locked: bool = False
    recurrence: str | None = None
    slug: str | None = None
    measure: str | None = None  # a validated questionnaire, scored on submission
    safety: bool = False  # the private safety check
    extra: dict[str, Any] = field(default_factory=dict)
    # A clinician's own exercise in other languages: {language: {"title", "purpose",
    # "instructions", "fields": {key: {"label", "help", "min_label", "max_label", "options"}}}}
    translations: dict[str, Any] = field(default_factory=dict)

    def field(self, key: str) -> FieldDef | None:
        """The field with this key, if any."""
        return next((f for f in self.fields if f.key == key), None)

    def fields_for(self, role: str) -> tuple[FieldDef, ...]:
        """The fields a partner with this role fills in."""
        return tuple(f for f in self.fields if f.for_role in (None, role))

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready definition."""
        data = {
            "title": self.title,
            "stage": self.stage,
            "purpose": self.purpose,
            "instructions": self.instructions,
            "answered_by": self.answered_by,
            "visibility": self.visibility,
            "visibility_locked": self.visibility_locked,
            "recurrence": self.recurrence,
            "fields": [f.as_dict() for f in self.fields],
        }
        if self.slug:
            data["slug"] = self.slug
        if self.measure:
            data["measure"] = self.measure
        if self.safety:
            data["safety"] = True
        if self.translations:
            data["translations"] = copy.deepcopy(self.translations)
        return data


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return None


def _parse_field(raw: Any, index: int, answered_by: str, problems: list[str]) -> FieldDef | None:
    where = _("Field %(number)d", number=index + 1)
    if not isinstance(raw, dict):
        problems.append(_("%(field)s is not a field definition.", field=where))
        return None
    key = str(raw.get("key", "")).strip()
    label = str(raw.get("label", "")).strip()
    kind = raw.get("kind")
    if key:
        where = _("Field %(number)d (%(key)s)", number=index + 1, key=key)
    if not KEY_PATTERN.match(key):
        problems.append(
            _(
                "%(field)s: the key must start with a letter and use only lower-case letters, "
                "digits and _ (at most 40).",
                field=where,
            )
        )
    if not label:
        problems.append(_("%(field)s: please give it a label.", field=where))
    elif len(label) > 300:
        problems.append(_("%(field)s: the label is longer than 300 characters.", field=where))
    if kind not in KINDS:
        problems.append(
            _("%(field)s: the kind must be one of %(kinds)s.", field=where, kinds=", ".join(KINDS))
        )
        return None
    max_length = None
    low = high = None
    options: tuple[str, ...] = ()
    if kind in DEFAULT_MAX_LENGTH:
        max_length = raw.get("max_length", DEFAULT_MAX_LENGTH[kind])
        if (
            not isinstance(max_length, int)
            or isinstance(max_length, bool)
            or not (1 <= max_length <= MAX_TEXT_LIMIT)
        ):
            problems.append(
                _(
                    "%(field)s: the length limit must be between 1 and %(limit)d.",
                    field=where,
                    limit=MAX_TEXT_LIMIT,
                )
            )
    if kind in ("scale", "number"):
        low, high = _number(raw.get("min")), _number(raw.get("max"))
        if kind == "scale":
            if not all(
                isinstance(v, int) and not isinstance(v, bool)
                for v in (raw.get("min"), raw.get("max"))
            ):
                problems.append(
                    _(
                        "%(field)s: a scale needs whole numbers for its lowest and highest.",
                        field=where,
                    )
                )
            elif not (low < high and high - low <= 100):
                problems.append(
                    _(
                        "%(field)s: a scale runs from a lower to a higher whole number, "
                        "at most 100 apart.",
                        field=where,
                    )
                )
        elif low is not None and high is not None and low >= high:
            problems.append(
                _("%(field)s: the lowest number must be below the highest.", field=where)
            )
    if kind in ("single_choice", "multi_choice"):
        raw_options = raw.get("options") or []
        if not isinstance(raw_options, list | tuple):
            raw_options = []
        options = tuple(str(o).strip() for o in raw_options if str(o).strip())
        if not options:
            problems.append(_("%(field)s: a choice needs at least one option.", field=where))
        elif len(set(options)) != len(options):
            problems.append(_("%(field)s: each option must be different.", field=where))
        elif len(options) > MAX_OPTIONS:
            problems.append(
                _("%(field)s: at most %(number)d options.", field=where, number=MAX_OPTIONS)
            )
    for_role = raw.get("for")
    if for_role is not None:
        if answered_by not in ("each", "together"):
            problems.append(
                _(
                    "%(field)s: a field can be for one partner only when both partners answer.",
                    field=where,
                )
            )
        elif for_role not in ("injured", "involved"):
            problems.append(
                _("%(field)s: a field is for the injured or the involved partner.", field=where)
            )
    return FieldDef(
        key=key,
        label=label,
        kind=kind,
        help=str(raw.get("help", "") or "").strip(),
        required=bool(raw.get("required", False)),
        max_length=max_length,
        min=low,
        max=high,
        min_label=str(raw.get("min_label", "") or "").strip(),
        max_label=str(raw.get("max_label", "") or "").strip(),
        options=options,
        tracked=bool(raw.get("tracked", False)) and kind == "scale",
        lower_is_better=bool(raw.get("lower_is_better", False)) and kind == "scale",
        for_role=for_role,
    )


def parse_definition(raw: dict[str, Any]) -> TemplateDef:
    """A validated TemplateDef, or DefinitionError listing every problem found."""
    problems: list[str] = []
    title = str(raw.get("title", "") or "").strip()
    if not title:
        problems.append(_("Please give the exercise a title."))
    elif len(title) > 200:
        problems.append(_("The title is longer than 200 characters."))
    stage = raw.get("stage")
    if not isinstance(stage, int) or isinstance(stage, bool) or not 1 <= stage <= 7:
        problems.append(_("The stage must be a whole number from 1 to 7."))
    answered_by = raw.get("answered_by")
    if answered_by not in ANSWERED_BY:
        problems.append(
            _("Who answers must be the injured partner, the involved partner, each, or together.")
        )
    visibility = raw.get("visibility")
    if visibility not in VISIBILITIES:
        problems.append(_("Answers are private to the clinician, shared, or mutual."))
    if visibility == "mutual" and answered_by != "each":
        problems.append(_("Mutual visibility needs each partner to answer."))
    if (raw.get("measure") or raw.get("safety")) and not (
        visibility == "clinician" and raw.get("visibility_locked")
    ):
        problems.append(
            _("Questionnaires and safety checks stay private to the clinician, always.")
        )
    recurrence = raw.get("recurrence")
    if recurrence not in RECURRENCES:
        problems.append(_("The usual rhythm is once, daily or weekly."))
    if len(str(raw.get("purpose", "") or "")) > 20_000:
        problems.append(_("The purpose is longer than 20,000 characters."))
    if len(str(raw.get("instructions", "") or "")) > 20_000:
        problems.append(_("The instructions are longer than 20,000 characters."))
    raw_fields = raw.get("fields") or []
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append(_("An exercise needs at least one field."))
        raw_fields = []
    if len(raw_fields) > MAX_FIELDS:
        problems.append(_("An exercise has at most %(number)d fields.", number=MAX_FIELDS))
    fields = []
    for index, raw_field in enumerate(raw_fields):
        parsed = _parse_field(raw_field, index, str(answered_by), problems)
        if parsed is not None:
            fields.append(parsed)
    keys = [f.key for f in fields]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        problems.append(
            _(
                "Each field needs its own key; used more than once: %(keys)s.",
                keys=", ".join(duplicates),
            )
        )
    if answered_by == "together" and fields and all(f.for_role for f in fields):
        roles = {f.for_role for f in fields}
        if roles != {"injured", "involved"}:
            problems.append(_("In a joint exercise both partners need something to fill in."))
    if problems:
        raise DefinitionError(problems)
    return TemplateDef(
        title=title,
        stage=stage,
        answered_by=answered_by,
        visibility=visibility,
        visibility_locked=bool(raw.get("visibility_locked", False)),
        recurrence=recurrence,
        purpose=str(raw.get("purpose", "") or "").strip(),
        instructions=str(raw.get("instructions", "") or "").strip(),
        fields=tuple(fields),
        slug=raw.get("slug"),
        measure=raw.get("measure"),
        safety=bool(raw.get("safety", False)),
        translations=parse_translations(raw.get("translations"), fields),
    )
