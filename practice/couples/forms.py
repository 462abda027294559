"""Forms for adding a couple, moving its stage and changing its status."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from practice.stages import STAGES

STAGE_CHOICES = [SelectChoice(n, f"{n}. {s.name}") for n, s in STAGES.items()]


class NewCoupleForm(FlaskForm):
    label = StringField(
        "Couple's label",
        validators=[DataRequired(), Length(max=80)],
        description='A pseudonym you choose, such as "Couple K". Reports print this, '
        "never legal names.",
    )
    started_on = DateField("Started on", default=date.today, validators=[DataRequired()])
    stage = SelectField(
        "Starting stage",
        choices=STAGE_CHOICES,
        coerce=int,
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=7)],
    )
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


class StageMoveForm(FlaskForm):
    target = SelectField(
        "Move to stage",
        choices=STAGE_CHOICES,
        coerce=int,
        validators=[InputRequired(), NumberRange(min=1, max=7)],
    )
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(message="Please give a short reason."), Length(max=2000)],
        description="Kept in the couple's stage history.",
    )


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(v, v.capitalize()) for v in ("active", "paused", "closed")],
        validators=[DataRequired()],
    )
