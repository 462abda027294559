"""Forms for proposing, revising and logging boundaries."""

from __future__ import annotations

from wtforms import BooleanField, DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l

PERIODS = [SelectChoice("daily", _l("Every day")), SelectChoice("weekly", _l("Every week"))]


class BoundaryForm(MendForm):
    text = TextAreaField(
        _l("What we agree"),
        validators=[DataRequired(message=_l("Please say what is agreed.")), Length(max=2000)],
        description=_l('In plain words, e.g. "No contact with the other person, in any form."'),
    )
    consequence = TextAreaField(
        _l("If it is crossed"),
        validators=[Optional(), Length(max=2000)],
        description=_l('What both agree will happen, e.g. "You tell me the same day."'),
    )
    check_period = RadioField(_l("How often we check it"), choices=PERIODS, default="daily")
    review_on = DateField(_l("Review it on"), validators=[Optional()])


class ReviseForm(BoundaryForm):
    summary = TextAreaField(
        _l("What changed and why"), validators=[DataRequired(), Length(max=2000)]
    )
    agreed_in_session = BooleanField(_l("Both partners agreed to this in session"))


class SessionBoundaryForm(BoundaryForm):
    agreed_in_session = BooleanField(_l("Both partners agreed to this in session (it starts now)"))
