"""Forms for adding a couple, moving its stage and changing its status."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l
from practice.stages import STAGES

STAGE_MESSAGE = _l("Please choose a stage from 1 to 7.")


def stage_choices() -> list[SelectChoice]:
    """The seven stages as choices, in the reader's language (built when a form is made)."""
    return [
        SelectChoice(n, _("%(number)d. %(name)s", number=n, name=s.name)) for n, s in STAGES.items()
    ]


class StageField(SelectField):
    """A stage from 1 to 7, with one plain message for anything else (typed or tampered)."""

    def __init__(self, label: str, **kwargs) -> None:
        kwargs.setdefault("choices", stage_choices())
        kwargs.setdefault("validators", [InputRequired(message=STAGE_MESSAGE)])
        super().__init__(label, coerce=int, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(STAGE_MESSAGE)) from exc

    def pre_validate(self, form) -> None:
        if self.data not in STAGES:
            raise ValidationError(str(STAGE_MESSAGE))


class NewCoupleForm(MendForm):
    label = StringField(
        _l("Couple's label"),
        validators=[DataRequired(), Length(max=80)],
        description=_l(
            'A pseudonym you choose, such as "Couple K". Reports print this, never legal names.'
        ),
    )
    started_on = DateField(_l("Started on"), default=date.today, validators=[InputRequired()])
    stage = StageField(_l("Starting stage"), default=1)
    injured_name = StringField(
        _l("Injured partner's name"), validators=[DataRequired(), Length(max=120)]
    )
    injured_email = EmailField(
        _l("Injured partner's email"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    involved_name = StringField(
        _l("Involved partner's name"), validators=[DataRequired(), Length(max=120)]
    )
    involved_email = EmailField(
        _l("Involved partner's email"), validators=[DataRequired(), Email(), Length(max=254)]
    )


class StageMoveForm(MendForm):
    target = StageField(_l("Move to stage"))
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Please give a short reason.")), Length(max=2000)],
        description=_l("Kept in the couple's stage history."),
    )


class StatusForm(MendForm):
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("active", _l("Active")),
            SelectChoice("paused", _l("Paused")),
            SelectChoice("closed", _l("Closed")),
        ],
        validators=[DataRequired()],
    )
