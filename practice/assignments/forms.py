"""The clinician's form for assigning an exercise to a couple."""

from __future__ import annotations

from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
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
            SelectChoice("weeks", "Every few weeks (questionnaires, for example)"),
            SelectChoice("appts", "Before each appointment"),
            SelectChoice("stages", "At each stage change"),
        ],
        default="once",
    )
    every_weeks = IntegerField(
        "Every how many weeks",
        validators=[Optional(), NumberRange(min=1, max=52, message="From 1 to 52 weeks, please.")],
        description="Counted from the start date, e.g. 4 for every four weeks.",
    )
    days_before = IntegerField(
        "Days before each appointment",
        validators=[Optional(), NumberRange(min=0, max=28, message="From 0 to 28 days, please.")],
        description="Sent this many days before each appointment in the calendar.",
    )
    start_on = DateField(
        "Starts on", validators=[InputRequired(message="Please give a start date.")]
    )
    due_on = DateField("Due by (once)", validators=[Optional()])
    end_on = DateField("Ends on (repeating schedules, optional)", validators=[Optional()])
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


def schedule_numbers(form: AssignmentForm) -> tuple[int, int]:
    """The N of "every N weeks" and the days before appointments, as chosen (0 when unused)."""
    weeks = form.every_weeks.data if form.schedule.data == "weeks" else 0
    before = form.days_before.data if form.schedule.data == "appts" else 0
    return int(weeks or 0), int(before or 0)
