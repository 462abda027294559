"""The clinician's form for assigning an exercise to a couple."""

from __future__ import annotations

from wtforms import DateField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from practice.exercises.forms import VISIBILITY, WHO
from practice.exercises.schedule import WEEKDAY_NAMES
from practice.forms import MendForm


class WeekdaysField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignmentForm(MendForm):
    template_id = SelectField("Exercise", coerce=int, validators=[InputRequired()])
    answered_by = SelectField("Who answers", choices=WHO)
    visibility = SelectField("Who can read the answers", choices=VISIBILITY)
    schedule = RadioField(
        "How often",
        choices=[
            SelectChoice("once", "Once, by a due date"),
            SelectChoice("daily", "Every day"),
            SelectChoice("weekly", "Weekly, on chosen days"),
        ],
        default="once",
    )
    start_on = DateField(
        "Starts on", validators=[InputRequired(message="Please give a start date.")]
    )
    due_on = DateField("Due by (once)", validators=[Optional()])
    end_on = DateField("Ends on (daily and weekly, optional)", validators=[Optional()])
    weekdays = WeekdaysField(
        "On these days (weekly)",
        choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)],
    )
    note = TextAreaField(
        "A note for the couple (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Shown with the exercise, e.g. why now, or how to approach it.",
    )


class PlanItemForm(MendForm):
    template_id = SelectField("Exercise", coerce=int, validators=[InputRequired()])
    answered_by = SelectField("Who answers", choices=WHO)
    schedule = SelectField(
        "How often",
        choices=[
            SelectChoice("once", "Once"),
            SelectChoice("daily", "Daily"),
            SelectChoice("weekly", "Weekly"),
        ],
    )
    weekdays = WeekdaysField(
        "On these days (weekly)",
        choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)],
    )
    due_in_days = SelectField(
        "Due (once)",
        coerce=int,
        choices=[SelectChoice(d, f"{d} days after assigning") for d in (3, 7, 10, 14, 21)],
        default=7,
    )
    needs_injured_consent = SelectField(
        "Before it starts",
        choices=[
            SelectChoice("no", "Start straight away"),
            SelectChoice("yes", "Ask the injured partner first"),
        ],
    )
