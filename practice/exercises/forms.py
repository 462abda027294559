"""Forms of the clinician's exercise builder."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from practice.exercises.definitions import KIND_LABELS, TemplateDef
from practice.forms import MendForm
from practice.i18n import LANGUAGES
from practice.i18n import lazy_gettext as _l

STAGES = [SelectChoice(n, str(n)) for n in range(1, 8)]
WHO = [
    SelectChoice("each", _l("Each partner, separately")),
    SelectChoice("injured", _l("The injured partner")),
    SelectChoice("involved", _l("The involved partner")),
    SelectChoice("together", _l("Both together, one joint answer")),
]
VISIBILITY = [
    SelectChoice("clinician", _l("Private to the clinician")),
    SelectChoice("shared", _l("Shared with the partner")),
    SelectChoice("mutual", _l("Mutual: each sees the other's once both have answered")),
]
RHYTHM = [
    SelectChoice("", _l("Once")),
    SelectChoice("daily", _l("Daily")),
    SelectChoice("weekly", _l("Weekly")),
]


class TemplateMetaForm(MendForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    stage = SelectField(_l("Stage"), choices=STAGES, coerce=int, validators=[InputRequired()])
    purpose = TextAreaField(
        _l("Purpose"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown; no HTML."),
    )
    instructions = TextAreaField(
        _l("Instructions for the couple"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown; no HTML. Write plainly and warmly."),
    )
    answered_by = SelectField(_l("Who answers"), choices=WHO, validators=[DataRequired()])
    visibility = SelectField(_l("Who can read the answers"), choices=VISIBILITY)
    visibility_locked = BooleanField(_l("Clients may not change who can read their answers"))
    recurrence = SelectField(_l("Usual rhythm"), choices=RHYTHM, default="")

    def apply_to(self, definition: dict[str, Any]) -> dict[str, Any]:
        """The definition with this form's values."""
        definition.update(
            title=self.title.data,
            stage=self.stage.data,
            purpose=self.purpose.data or "",
            instructions=self.instructions.data or "",
            answered_by=self.answered_by.data,
            visibility=self.visibility.data,
            visibility_locked=bool(self.visibility_locked.data),
            recurrence=self.recurrence.data or None,
        )
        return definition


class TemplateEditForm(TemplateMetaForm):
    language = SelectField(
        _l("Written in"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="en",
        description=_l("The language you wrote this exercise in."),
    )


class NewTemplateForm(TemplateMetaForm):
    language = SelectField(
        _l("Written in"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="en",
        description=_l("The language you write this exercise in. You can add a translation later."),
    )
    first_label = StringField(
        _l("First question"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("You can add, change and reorder questions next."),
    )
    first_kind = SelectField(
        _l("Kind of answer"),
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        default="long_text",
    )


class FieldForm(MendForm):
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Lower-case letters, digits and _; used in exports and trend charts."),
    )
    label = StringField(_l("Question or label"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        _l("Kind of answer"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()]
    )
    help = TextAreaField(_l("Help text"), validators=[Optional(), Length(max=2000)])
    required = BooleanField(_l("An answer is required to send"))
    max_length = IntegerField(
        _l("Longest answer (characters)"),
        validators=[Optional()],
        description=_l("Text only. Default 300 for short text, 20,000 for long text."),
    )
    min = IntegerField(
        _l("Lowest number"),
        validators=[Optional()],
        description=_l("Scale and number. A scale left empty runs from 0 to 10."),
    )
    max = IntegerField(_l("Highest number"), validators=[Optional()])
    min_label = StringField(_l("Label for the lowest"), validators=[Optional(), Length(max=80)])
    max_label = StringField(_l("Label for the highest"), validators=[Optional(), Length(max=80)])
    tracked = BooleanField(_l("Track this scale as a trend"))
    options = TextAreaField(
        _l("Options, one per line"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Single and multiple choice."),
    )
    for_role = SelectField(
        _l("Who fills it in"),
        choices=[
            SelectChoice("", _l("Everyone who answers")),
            SelectChoice("injured", _l("Only the injured partner")),
            SelectChoice("involved", _l("Only the involved partner")),
        ],
        default="",
    )

    def validate_max(self, field) -> None:
        """A scale's limits are checked here too, so the message sits by the field."""
        low = 0 if self.min.data is None else self.min.data
        if self.kind.data != "scale" or field.data is None:
            return
        if not (low < field.data and field.data - low <= 100):
            raise ValidationError(
                _("A scale runs from a lower to a higher whole number, at most 100 apart.")
            )

    def to_dict(self) -> dict[str, Any]:
        """The field definition (validated with the whole template by the service)."""
        field: dict[str, Any] = {
            "key": (self.key.data or "").strip(),
            "label": self.label.data,
            "kind": self.kind.data,
        }
        if self.help.data:
            field["help"] = self.help.data
        if self.required.data:
            field["required"] = True
        if self.kind.data in ("short_text", "long_text") and self.max_length.data:
            field["max_length"] = self.max_length.data
        if self.kind.data == "scale":
            # A scale without limits is the usual 0-10; shown back in the form as such.
            if self.min.data is None:
                self.min.data = 0
            if self.max.data is None:
                self.max.data = self.min.data + 10
        if self.kind.data in ("scale", "number"):
            field["min"], field["max"] = self.min.data, self.max.data
        if self.kind.data == "scale":
            field["min_label"] = self.min_label.data or ""
            field["max_label"] = self.max_label.data or ""
            field["tracked"] = bool(self.tracked.data)
        if self.kind.data in ("single_choice", "multi_choice"):
            field["options"] = [
                o.strip() for o in (self.options.data or "").splitlines() if o.strip()
            ]
        if self.for_role.data:
            field["for"] = self.for_role.data
        return field

    def fill_from(self, field: dict[str, Any]) -> None:
        """Show a stored field in the form."""
        self.key.data = field.get("key")
        self.label.data = field.get("label")
        self.kind.data = field.get("kind")
        self.help.data = field.get("help", "")
        self.required.data = field.get("required", False)
        self.max_length.data = field.get("max_length")
        self.min.data = field.get("min")
        self.max.data = field.get("max")
        self.min_label.data = field.get("min_label", "")
        self.max_label.data = field.get("max_label", "")
        self.tracked.data = field.get("tracked", False)
        self.options.data = "\n".join(field.get("options", []))
        self.for_role.data = field.get("for", "")


class TranslationForm(MendForm):
    """The words of one language of an own exercise: a field per text, the structure fixed.

    Built per exercise (translation_form): one text field per title, purpose, instructions,
    and per question its label, help, scale labels and options (one per line).
    """


def translation_form(definition: TemplateDef, words: dict[str, Any] | None, **kwargs):
    """A TranslationForm for this definition, filled from stored words on first show."""
    limits = {"label": 300, "help": 2000, "min_label": 80, "max_label": 80}

    class Form(TranslationForm):
        pass

    Form.title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    if definition.purpose:
        Form.purpose = TextAreaField(_l("Purpose"), validators=[DataRequired(), Length(max=20000)])
    if definition.instructions:
        Form.instructions = TextAreaField(
            _l("Instructions for the couple"), validators=[DataRequired(), Length(max=20000)]
        )
    for f in definition.fields:
        for name, limit in limits.items():
            if getattr(f, name):
                widget = TextAreaField if name == "help" else StringField
                setattr(
                    Form,
                    f"{f.key}__{name}",
                    widget(
                        TRANSLATION_LABELS[name],
                        validators=[DataRequired(), Length(max=limit)],
                    ),
                )
        if f.options:
            setattr(
                Form,
                f"{f.key}__options",
                TextAreaField(
                    _l("Options, one per line, in the same order"),
                    validators=[DataRequired(), Length(max=5000)],
                ),
            )
    form = Form(**kwargs)
    if words and not form.is_submitted():
        form.title.data = words.get("title", "")
        for name in ("purpose", "instructions"):
            if name in form:
                form[name].data = words.get(name, "")
        for key, given in (words.get("fields") or {}).items():
            for name, value in given.items():
                target = f"{key}__{name}"
                if target in form:
                    form[target].data = "\n".join(value) if name == "options" else value
    return form


TRANSLATION_LABELS = {
    "label": _l("Question or label"),
    "help": _l("Help text"),
    "min_label": _l("Label for the lowest"),
    "max_label": _l("Label for the highest"),
}


def translation_words(form, definition: TemplateDef) -> tuple[dict[str, Any], list[str]]:
    """The words from a filled TranslationForm, and the problems (options that do not match)."""
    words: dict[str, Any] = {"title": form.title.data.strip(), "fields": {}}
    for name in ("purpose", "instructions"):
        words[name] = form[name].data.strip() if name in form else ""
    problems = []
    for f in definition.fields:
        given: dict[str, Any] = {}
        for name in TRANSLATION_LABELS:
            target = f"{f.key}__{name}"
            if target in form:
                given[name] = (form[target].data or "").strip()
        target = f"{f.key}__options"
        if target in form:
            options = [o.strip() for o in (form[target].data or "").splitlines() if o.strip()]
            if len(options) != len(f.options) or len(set(options)) != len(options):
                problems.append(
                    ngettext(
                        "“%(question)s”: give %(num)d option, as in the original.",
                        "“%(question)s”: give %(num)d different options, one per line, "
                        "in the same order as the original.",
                        len(f.options),
                        question=f.label,
                    )
                )
            given["options"] = options
        words["fields"][f.key] = given
    return words, problems
