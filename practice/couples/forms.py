"""Forms for adding a couple, moving its stage and changing its status."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from practice.forms import MendForm
from practice.stages import STAGES

STAGE_CHOICES = [SelectChoice(n, f"{n}. {s.name}") for n, s in STAGES.items()]
STAGE_MESSAGE = "Please choose a stage from 1 to 7."


class StageField(SelectField):
    """A stage from 1 to 7, with one plain message for anything else (typed or tampered)."""

    def __init__(self, label: str, **kwargs) -> None:
        kwargs.setdefault("choices", STAGE_CHOICES)
        kwargs.setdefault("validators", [InputRequired(message=STAGE_MESSAGE)])
        super().__init__(label, coerce=int, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(STAGE_MESSAGE) from exc

    def pre_validate(self, form) -> None:
        if self.data not in STAGES:
            raise ValidationError(STAGE_MESSAGE)


class NewCoupleForm(MendForm):
    label = StringField(
        "Couple's label",
        validators=[DataRequired(), Length(max=80)],
        description='A pseudonym you choose, such as "Couple K". Reports print this, '
        "never legal names.",
    )
    started_on = DateField("Started on", default=date.today, validators=[InputRequired()])
    stage = StageField("Starting stage", default=1)
    injured_name = StringField(
        "Injured partner's name", validators=[DataRequired(), Length(max=120)]
    )
    injured_email = EmailField(
        "Injured partner's email", validators=[DataRequired(), Email(), Length(max=254)]
    )
    involved_name = StringField(
        "Involved partner's name", validators=[DataRequired(), Length(max=120)]
    )
    involved_email = EmailField(
        "Involved partner's email", validators=[DataRequired(), Email(), Length(max=254)]
    )


class StageMoveForm(MendForm):
    target = StageField("Move to stage")
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(message="Please give a short reason."), Length(max=2000)],
        description="Kept in the couple's stage history.",
    )


class StatusForm(MendForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(v, v.capitalize()) for v in ("active", "paused", "closed")],
        validators=[DataRequired()],
    )
