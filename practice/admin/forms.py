"""The admin's forms: adding clinicians and admins, and the practice's settings."""

from __future__ import annotations

from sqlalchemy import select
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from practice.db import db
from practice.forms import MendForm
from practice.models import User
from practice.notes.formats import formats


class NewStaffForm(MendForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField(
        "Role",
        choices=[SelectChoice("clinician", "Clinician"), SelectChoice("admin", "Admin")],
        validators=[DataRequired()],
    )

    def validate_email(self, field: EmailField) -> None:
        email = (field.data or "").strip().lower()
        if db.session.scalar(select(User.id).where(User.email == email)):
            raise ValidationError("An account with this email already exists.")


class PracticeSettingsForm(MendForm):
    require_two_factor_staff = BooleanField(
        "Require two-step sign-in for clinicians and admins",
        description="When on, a clinician or admin without it is asked to set it up the next "
        "time they use Mend, and can do nothing else until they have. Clients can always choose "
        "it for themselves.",
    )
    availability_note = StringField(
        "When the practice reads messages",
        validators=[Length(max=300, message="Please keep this under 300 characters.")],
        description="Shown above every conversation a client opens, unless their clinician set "
        "their own, e.g. “We read messages on weekdays and reply within two working days.”",
    )
    note_format = SelectField(
        "Session-note format",
        choices=[SelectChoice(key, f.name) for key, f in formats().items()],
        description="The format a new session note starts in, unless a clinician chose their "
        "own in their account.",
    )
