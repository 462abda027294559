"""Changing the password while signed in, and signing out one device."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from practice.auth.passwords import MAX_LENGTH, password_problem
from practice.forms import MendForm


class ChangePasswordForm(MendForm):
    current = PasswordField(
        "Your current password",
        validators=[
            DataRequired(message="Please enter your current password."),
            Length(max=MAX_LENGTH),
        ],
    )
    code = StringField(
        "Code from your authenticator app",
        validators=[Optional(), Length(max=40)],
        description="Two-step sign-in is on, so Mend asks for a current code too (or one of "
        "your recovery codes).",
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired(message="Please choose a new password.")],
        description="At least 15 characters. A few ordinary words in a row are easy to remember.",
    )
    confirm = PasswordField(
        "The new password again",
        validators=[
            DataRequired(message="Please type the new password again."),
            EqualTo("password", message="The two new passwords differ."),
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
