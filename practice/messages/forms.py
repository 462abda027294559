"""Forms for writing messages and choosing how Mend tells you about them."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from practice.forms import MendForm
from practice.messages.services import MAX_LENGTH, MessageRefused, clean_body


def _checked_body(_form, field) -> None:
    try:
        clean_body(field.data)
    except MessageRefused as exc:
        raise ValidationError(str(exc)) from None


class MessageForm(MendForm):
    body = TextAreaField(
        "Your message",
        validators=[_checked_body],
        description=f"Up to {MAX_LENGTH:,} characters. Links are fine; pictures are not shown.",
    )
    # A new key for each page: a form sent twice with the same key makes one message.
    submit_key = HiddenField()


class EditForm(MendForm):
    body = TextAreaField("Your message", validators=[_checked_body])


class ComposeForm(MessageForm):
    """The clinician writes to one partner, to both (each privately), or to all three."""

    to = RadioField(
        "To",
        choices=[
            SelectChoice("injured", "The injured partner only"),
            SelectChoice("involved", "The involved partner only"),
            SelectChoice("both", "Both partners, each in their own private conversation"),
            SelectChoice("together", "All three of us"),
        ],
        validators=[InputRequired(message="Please choose who the message is for.")],
    )


class MessagingOffForm(MendForm):
    reason = TextAreaField(
        "What the partners will read",
        validators=[Length(max=500, message="Please keep this under 500 characters.")],
        description="Shown to both partners above their conversations, e.g. “Let's keep these "
        "conversations for our sessions for now.”",
    )


class NoticesForm(MendForm):
    notices = RadioField(
        "Email me about new messages",
        choices=[
            SelectChoice(
                "immediate", "Soon after they arrive (at most one email an hour per conversation)"
            ),
            SelectChoice("digest", "Once a day, if there are unread messages"),
            SelectChoice("none", "Never: I'll look in Mend"),
        ],
        validators=[InputRequired(message="Please choose one.")],
    )


class ClinicianNoticesForm(NoticesForm):
    availability_note = StringField(
        "When you read messages",
        validators=[Length(max=300, message="Please keep this under 300 characters.")],
        description="Shown above every conversation your clients open, e.g. “I read messages on "
        "weekdays and reply within two working days.” Leave empty to use the practice's note.",
    )
