"""The clinician's forms for session notes."""

from __future__ import annotations

from functools import cache

from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l
from practice.notes.formats import SECTION_MAX, NoteFormat, formats
from practice.notes.plan import PLAN_ITEM_MAX
from practice.notes.services import ADDENDUM_MAX


def _format_choices() -> list[SelectChoice]:
    return [SelectChoice(key, f.name) for key, f in formats().items()]


class StartNoteForm(MendForm):
    note_format = SelectField(_l("Format"), choices=_format_choices)


CONTACT_CHOICES = [
    SelectChoice("phone", _l("Phone call")),
    SelectChoice("video", _l("Video call")),
    SelectChoice("message", _l("Written contact (email, letter)")),
    SelectChoice("crisis", _l("Crisis contact")),
    SelectChoice("other", _l("Other contact")),
]


class ContactNoteForm(MendForm):
    held_at = DateTimeLocalField(
        _l("When it happened"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message=_l("Please give the date and time of the contact."))],
    )
    contact_kind = SelectField(_l("Kind of contact"), choices=CONTACT_CHOICES)
    note_format = SelectField(_l("Format"), choices=_format_choices)


class NoteFormatChoiceForm(MendForm):
    note_format = SelectField(
        _l("Your session-note format"),
        choices=lambda: [SelectChoice("", _("The practice's default")), *_format_choices()],
        validators=[Optional()],
    )


class NoteSectionsForm(MendForm):
    revision = HiddenField()


def sections_form(note_format: NoteFormat) -> type[NoteSectionsForm]:
    """A form class with one text area per section of the format, in the reader's language."""
    return _sections_form(note_format, get_locale().language if get_locale() else "en")


@cache
def _sections_form(note_format: NoteFormat, language: str) -> type[NoteSectionsForm]:
    # One class per format and language: labels and prompts are the section's words in it.
    fields = {
        section.key: TextAreaField(
            section.title,
            description=section.prompt,
            validators=[
                Length(
                    max=SECTION_MAX,
                    message=_(
                        "Please keep each section under %(max)s characters.",
                        max=format_number(SECTION_MAX),
                    ),
                )
            ],
        )
        for section in note_format.sections
    }
    return type(f"{note_format.key.upper()}SectionsForm", (NoteSectionsForm,), fields)


class PlanItemTextForm(MendForm):
    text = StringField(
        _l("New plan item"),
        validators=[
            DataRequired(message=_l("Please write the plan item first.")),
            Length(max=PLAN_ITEM_MAX),
        ],
        description=_l(
            "One step, e.g. “Daily check-in for both, weekdays” or “Talk about "
            "phone transparency next time”."
        ),
    )


class RemoveLineForm(MendForm):
    """The remove button of one pre-filled line; the line's key is its own input, since one
    form object serves every line of the page."""


class AddendumForm(MendForm):
    body = TextAreaField(
        _l("Addendum"),
        validators=[
            DataRequired(message=_l("Please write the addendum first.")),
            Length(max=ADDENDUM_MAX),
        ],
        description=_l("Dated and signed when you save it, and shown under the note."),
    )


class AgendaForm(MendForm):
    appointment_id = SelectField(_l("Appointment"), coerce=int, validators=[InputRequired()])
