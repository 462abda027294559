"""The admin's forms: adding clinicians and admins, and the practice's settings."""

from __future__ import annotations

import math

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from practice.db import db
from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l
from practice.models import User
from practice.notes.formats import formats


class NewStaffForm(MendForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("clinician", _l("Clinician")), SelectChoice("admin", _l("Admin"))],
        validators=[DataRequired()],
    )

    def validate_email(self, field: EmailField) -> None:
        email = (field.data or "").strip().lower()
        if db.session.scalar(select(User.id).where(User.email == email)):
            raise ValidationError(_("An account with this email already exists."))


class PracticeSettingsForm(MendForm):
    require_two_factor_staff = BooleanField(
        _l("Require two-step sign-in for clinicians and admins"),
        description=_l(
            "When on, a clinician or admin without it is asked to set it up the next time they "
            "use Mend, and can do nothing else until they have. Clients can always choose it "
            "for themselves."
        ),
    )
    availability_note = StringField(
        _l("When the practice reads messages"),
        validators=[Length(max=300, message=_l("Please keep this under 300 characters."))],
        description=_l(
            "Shown above every conversation a client opens, unless their clinician set "
            "their own, e.g. “We read messages on weekdays and reply within two working days.”"
        ),
    )
    note_format = SelectField(
        _l("Session-note format"),
        # Built per form, so each format's name is in the reader's language.
        choices=lambda: [SelectChoice(key, f.name) for key, f in formats().items()],
        description=_l(
            "The format a new session note starts in, unless a clinician chose their "
            "own in their account."
        ),
    )


class PracticeThresholdForm(MendForm):
    """A practice-set reliable-change basis for a questionnaire without a published one."""

    instrument = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    reference_sd = StringField(
        _l("Reference standard deviation (SD)"),
        validators=[Length(max=20)],
        description=_l(
            "The SD of the questionnaire's total score in the reference sample of the "
            "study you cite, e.g. 5.2."
        ),
    )
    reliability = StringField(
        _l("Reliability (r)"),
        validators=[Length(max=20)],
        description=_l(
            "Test-retest (or internal consistency) reliability from the same study, "
            "between 0 and 1, e.g. 0.84."
        ),
    )
    citation = TextAreaField(
        _l("Where these figures come from"),
        validators=[
            Length(max=1000, message=_l("Please keep the citation under 1000 characters."))
        ],
        description=_l(
            "Authors, year, title, journal and page: printed beside every use of the "
            "value (“practice-set, from …”)."
        ),
    )
    clear = BooleanField(_l("Stop using a practice-set value for this questionnaire"))

    def validate_reference_sd(self, field: StringField) -> None:
        if self.clear.data:
            return
        value = parse_number(field.data)
        if value is None or not value > 0:
            raise ValidationError(_("Please give the SD as a number above 0, e.g. 5.2."))

    def validate_reliability(self, field: StringField) -> None:
        if self.clear.data:
            return
        value = parse_number(field.data)
        if value is None or not 0 < value < 1:
            raise ValidationError(_("Please give the reliability as a number between 0 and 1."))

    def validate_citation(self, field: TextAreaField) -> None:
        if not self.clear.data and not (field.data or "").strip():
            raise ValidationError(_("Please say where the figures come from; Mend prints it."))


def parse_number(text: str | None) -> float | None:
    """A plain decimal number typed by a person (a comma taken as the decimal point)."""
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
