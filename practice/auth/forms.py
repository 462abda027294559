"""Sign-in and password forms."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from practice.auth.passwords import MAX_LENGTH, password_problem
from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l


class LoginForm(MendForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()


class SetPasswordForm(MendForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        description=_l(
            "At least 15 characters. A few ordinary words in a row are easy to remember."
        ),
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", email=self._email)
        if problem:
            raise ValidationError(problem)


class ResetRequestForm(MendForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class PostForm(MendForm):
    """An empty form for buttons that POST (sign out, cancel): it only carries the CSRF token."""
