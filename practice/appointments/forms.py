"""The appointment form: local date and time, duration, agenda note."""

from __future__ import annotations

from wtforms import DateTimeLocalField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from practice.forms import MendForm

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
        "Date and time",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[
            InputRequired(message="Please give a date and time, such as 2026-12-03 14:30.")
        ],
    )
    duration_minutes = IntegerField(
        "Length in minutes",
        default=50,
        validators=[
            InputRequired(message="Please give the length in minutes."),
            NumberRange(min=10, max=480, message="Between 10 and 480 minutes."),
        ],
    )
    agenda_note = TextAreaField(
        "Agenda note (only you see this)",
        validators=[Optional(), Length(max=5000)],
        description="What you want to cover. The couple never sees this note.",
    )
