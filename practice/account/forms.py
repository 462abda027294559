"""Changing the password while signed in, and signing out one device."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from practice.auth.passwords import MAX_LENGTH, password_problem
from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l


class ChangePasswordForm(MendForm):
    current = PasswordField(
        _l("Your current password"),
        validators=[
            DataRequired(message=_l("Please enter your current password.")),
            Length(max=MAX_LENGTH),
        ],
    )
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[Optional(), Length(max=40)],
        description=_l(
            "Two-step sign-in is on, so Mend asks for a current code too (or one of "
            "your recovery codes)."
        ),
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Please choose a new password."))],
        description=_l(
            "At least 15 characters. A few ordinary words in a row are easy to remember."
        ),
    )
    confirm = PasswordField(
        _l("The new password again"),
        validators=[
            DataRequired(message=_l("Please type the new password again.")),
            EqualTo("password", message=_l("The two new passwords differ.")),
        ],
    )

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", email=self._email)
        if problem:
            raise ValidationError(problem)


class EndSessionForm(MendForm):
    """Sign out one device: the reference of one of the person's own sessions."""

    session = HiddenField(validators=[DataRequired(), Length(max=40)])
