"""The clinician's forms for session notes."""

from __future__ import annotations

from functools import cache

from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from practice.forms import MendForm
from practice.notes.formats import SECTION_MAX, NoteFormat, formats
from practice.notes.plan import PLAN_ITEM_MAX
from practice.notes.services import ADDENDUM_MAX


def _format_choices() -> list[SelectChoice]:
    return [SelectChoice(key, f.name) for key, f in formats().items()]


class StartNoteForm(MendForm):
    note_format = SelectField("Format", choices=_format_choices)


CONTACT_CHOICES = [
    SelectChoice("phone", "Phone call"),
    SelectChoice("video", "Video call"),
    SelectChoice("message", "Written contact (email, letter)"),
    SelectChoice("crisis", "Crisis contact"),
    SelectChoice("other", "Other contact"),
]


class ContactNoteForm(MendForm):
    held_at = DateTimeLocalField(
        "When it happened",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message="Please give the date and time of the contact.")],
    )
    contact_kind = SelectField("Kind of contact", choices=CONTACT_CHOICES)
    note_format = SelectField("Format", choices=_format_choices)


class NoteFormatChoiceForm(MendForm):
    note_format = SelectField(
        "Your session-note format",
        choices=lambda: [SelectChoice("", "The practice's default"), *_format_choices()],
        validators=[Optional()],
    )


class NoteSectionsForm(MendForm):
    revision = HiddenField()


@cache
def sections_form(note_format: NoteFormat) -> type[NoteSectionsForm]:
    """A form class with one text area per section of the format."""
    fields = {
        section.key: TextAreaField(
            section.title,
            description=section.prompt,
            validators=[
                Length(
                    max=SECTION_MAX,
                    message=f"Please keep each section under {SECTION_MAX:,} characters.",
                )
            ],
        )
        for section in note_format.sections
    }
    return type(f"{note_format.key.upper()}SectionsForm", (NoteSectionsForm,), fields)


class PlanItemTextForm(MendForm):
    text = StringField(
        "New plan item",
        validators=[
            DataRequired(message="Please write the plan item first."),
            Length(max=PLAN_ITEM_MAX),
        ],
        description="One step, e.g. “Daily check-in for both, weekdays” or “Talk about "
        "phone transparency next time”.",
    )


class RemoveLineForm(MendForm):
    """The remove button of one pre-filled line; the line's key is its own input, since one
    form object serves every line of the page."""


class AddendumForm(MendForm):
    body = TextAreaField(
        "Addendum",
        validators=[
            DataRequired(message="Please write the addendum first."),
            Length(max=ADDENDUM_MAX),
        ],
        description="Dated and signed when you save it, and shown under the note.",
    )


class AgendaForm(MendForm):
    appointment_id = SelectField("Appointment", coerce=int, validators=[InputRequired()])
