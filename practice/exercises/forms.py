"""Forms of the clinician's exercise builder."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from practice.exercises.definitions import KIND_LABELS
from practice.forms import MendForm

STAGES = [SelectChoice(n, str(n)) for n in range(1, 8)]
WHO = [
    SelectChoice("each", "Each partner, separately"),
    SelectChoice("injured", "The injured partner"),
    SelectChoice("involved", "The involved partner"),
    SelectChoice("together", "Both together, one joint answer"),
]
VISIBILITY = [
    SelectChoice("clinician", "Private to the clinician"),
    SelectChoice("shared", "Shared with the partner"),
    SelectChoice("mutual", "Mutual: each sees the other's once both have answered"),
]
RHYTHM = [
    SelectChoice("", "Once"),
    SelectChoice("daily", "Daily"),
    SelectChoice("weekly", "Weekly"),
]


class TemplateMetaForm(MendForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    stage = SelectField("Stage", choices=STAGES, coerce=int, validators=[InputRequired()])
    purpose = TextAreaField(
        "Purpose", validators=[Optional(), Length(max=20000)], description="Markdown; no HTML."
    )
    instructions = TextAreaField(
        "Instructions for the couple",
        validators=[Optional(), Length(max=20000)],
        description="Markdown; no HTML. Write plainly and warmly.",
    )
    answered_by = SelectField("Who answers", choices=WHO, validators=[DataRequired()])
    visibility = SelectField("Who can read the answers", choices=VISIBILITY)
    visibility_locked = BooleanField("Clients may not change who can read their answers")
    recurrence = SelectField("Usual rhythm", choices=RHYTHM, default="")

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


class NewTemplateForm(TemplateMetaForm):
    first_label = StringField(
        "First question",
        validators=[DataRequired(), Length(max=300)],
        description="You can add, change and reorder questions next.",
    )
    first_kind = SelectField(
        "Kind of answer",
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        default="long_text",
    )


class FieldForm(MendForm):
    key = StringField(
        "Key",
        validators=[DataRequired(), Length(max=40)],
        description="Lower-case letters, digits and _; used in exports and trend charts.",
    )
    label = StringField("Question or label", validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        "Kind of answer", choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()]
    )
    help = TextAreaField("Help text", validators=[Optional(), Length(max=2000)])
    required = BooleanField("An answer is required to send")
    max_length = IntegerField(
        "Longest answer (characters)",
        validators=[Optional()],
        description="Text only. Default 300 for short text, 20,000 for long text.",
    )
    min = IntegerField(
        "Lowest number",
        validators=[Optional()],
        description="Scale and number. A scale left empty runs from 0 to 10.",
    )
    max = IntegerField("Highest number", validators=[Optional()])
    min_label = StringField("Label for the lowest", validators=[Optional(), Length(max=80)])
    max_label = StringField("Label for the highest", validators=[Optional(), Length(max=80)])
    tracked = BooleanField("Track this scale as a trend")
    options = TextAreaField(
        "Options, one per line",
        validators=[Optional(), Length(max=5000)],
        description="Single and multiple choice.",
    )
    for_role = SelectField(
        "Who fills it in",
        choices=[
            SelectChoice("", "Everyone who answers"),
            SelectChoice("injured", "Only the injured partner"),
            SelectChoice("involved", "Only the involved partner"),
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
                "A scale runs from a lower to a higher whole number, at most 100 apart."
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
