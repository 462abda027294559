"""The appointment form: local date and time, duration, agenda note."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from wtforms import DateTimeLocalField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l

DATETIME_MESSAGE = "Please give a date and time, such as 2026-12-03 14:30."


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the practice's zone, with one plain message for bad input."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(DATETIME_MESSAGE) from exc


class AppointmentForm(MendForm):
    starts_at = LocalDateTimeField(
        _l("Date and time"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[
            InputRequired(message=_l("Please give a date and time, such as 2026-12-03 14:30."))
        ],
    )
    duration_minutes = IntegerField(
        _l("Length in minutes"),
        default=50,
        validators=[
            InputRequired(message=_l("Please give the length in minutes.")),
            NumberRange(min=10, max=480, message=_l("Between 10 and 480 minutes.")),
        ],
    )
    mode = RadioField(
        _l("Where"),
        choices=[SelectChoice("in_person", _l("In person")), SelectChoice("online", _l("Online"))],
        default="in_person",
        # Not sent (an older form, a script): in person.
        validators=[Optional()],
    )
    meeting_link = StringField(
        _l("Meeting link (for an online session)"),
        # No Optional(): it would stop the check that an online session has a link.
        validators=[Length(max=500, message=_l("Please keep the link under 500 characters."))],
        description=_l(
            "Paste the https link of your video call. Both partners see it from 30 minutes "
            "before, in their reminder email and in their calendar."
        ),
    )
    agenda_note = TextAreaField(
        _l("Agenda note (only you see this)"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What you want to cover. The couple never sees this note."),
    )

    def validate_meeting_link(self, field) -> None:
        """An https address without a name or password in it; needed for an online session."""
        link = (field.data or "").strip()
        field.data = link or None
        if not link:
            if self.mode.data == "online":
                raise ValidationError(_("Please paste the meeting link for an online session."))
            return
        problem = meeting_link_problem(link)
        if problem:
            raise ValidationError(problem)


def meeting_link_problem(link: str) -> str | None:
    """Why a meeting link can't be used, or None."""
    try:
        parts = urlsplit(link)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "That doesn't look like a link. Please paste it again from your video service."
    if parts.scheme.lower() != "https":
        return "Please use a link that starts with https:// so the call is private."
    if parts.username is not None or parts.password is not None:
        return (
            "This link has a name or password inside it. Please use the invitation link your "
            "video service gives for guests."
        )
    if not host or "." not in host or any(c.isspace() for c in link):
        return "That doesn't look like a link. Please paste it again from your video service."
    return None
