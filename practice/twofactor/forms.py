"""Forms for the second step, setting up, and switching two-step sign-in off."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from practice.auth.passwords import MAX_LENGTH
from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l


class CodeForm(MendForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(message=_l("Please enter the six-digit code.")), Length(max=40)],
        description=_l("Six digits. A new one appears every 30 seconds."),
    )


class SecondStepForm(MendForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Please enter a code.")), Length(max=40)],
        description=_l(
            "The six-digit code from your authenticator app, or one of your recovery codes."
        ),
    )


class TurnOffForm(MendForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[Optional(), Length(max=40)],
    )
    password = PasswordField(
        _l("Or your password"),
        validators=[Optional(), Length(max=MAX_LENGTH)],
    )

    def validate_code(self, field: StringField) -> None:
        if not (field.data or "").strip() and not self.password.data:
            raise ValidationError(_l("Please enter a current code or your password."))
