"""Forms for writing messages and choosing how Mend tells you about them."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l
from practice.inputs import count_words
from practice.messages.services import MAX_LENGTH, MessageRefused, clean_body


def _checked_body(_form, field) -> None:
    try:
        clean_body(field.data)
    except MessageRefused as exc:
        raise ValidationError(str(exc)) from None


class MessageForm(MendForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[_checked_body],
        description=LazyString(
            lambda: _(
                "Up to %(most)s characters. Links are fine; pictures are not shown.",
                most=count_words(MAX_LENGTH),
            )
        ),
    )
    # A new key for each page: a form sent twice with the same key makes one message.
    submit_key = HiddenField()


class EditForm(MendForm):
    body = TextAreaField(_l("Your message"), validators=[_checked_body])


class ComposeForm(MessageForm):
    """The clinician writes to one partner, to both (each privately), or to all three."""

    to = RadioField(
        _l("To"),
        choices=[
            SelectChoice("injured", _l("The injured partner only")),
            SelectChoice("involved", _l("The involved partner only")),
            SelectChoice("both", _l("Both partners, each in their own private conversation")),
            SelectChoice("together", _l("All three of us")),
        ],
        validators=[InputRequired(message=_l("Please choose who the message is for."))],
    )


class MessagingOffForm(MendForm):
    reason = TextAreaField(
        _l("What the partners will read"),
        validators=[Length(max=500, message=_l("Please keep this under 500 characters."))],
        description=_l(
            "Shown to both partners above their conversations, e.g. “Let's keep these "
            "conversations for our sessions for now.”"
        ),
    )


class NoticesForm(MendForm):
    notices = RadioField(
        _l("Email me about new messages"),
        choices=[
            SelectChoice(
                "immediate",
                _l("Soon after they arrive (at most one email an hour per conversation)"),
            ),
            SelectChoice("digest", _l("Once a day, if there are unread messages")),
            SelectChoice("none", _l("Never: I'll look in Mend")),
        ],
        validators=[InputRequired(message=_l("Please choose one."))],
    )


class ClinicianNoticesForm(NoticesForm):
    availability_note = StringField(
        _l("When you read messages"),
        validators=[Length(max=300, message=_l("Please keep this under 300 characters."))],
        description=_l(
            "Shown above every conversation your clients open, e.g. “I read messages on "
            "weekdays and reply within two working days.” Leave empty to use the practice's note."
        ),
    )
