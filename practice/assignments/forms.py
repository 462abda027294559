"""The clinician's form for assigning an exercise to a couple."""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import get_locale
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
from practice.i18n import lazy_gettext as _l


def weekday_choices() -> list[SelectChoice]:
    """Monday to Sunday, named in the reader's language (Babel's names; 0 is Monday)."""
    names = get_day_names("wide", locale=get_locale() or "en")
    return [SelectChoice(str(i), names[i]) for i in range(len(WEEKDAY_NAMES))]


class WeekdaysField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignmentForm(MendForm):
    template_id = SelectField(_l("Exercise"), coerce=int, validators=[InputRequired()])
    answered_by = SelectField(_l("Who answers"), choices=WHO)
    visibility = SelectField(_l("Who can read the answers"), choices=VISIBILITY)
    schedule = RadioField(
        _l("How often"),
        choices=[
            SelectChoice("once", _l("Once, by a due date")),
            SelectChoice("daily", _l("Every day")),
            SelectChoice("weekly", _l("Weekly, on chosen days")),
            SelectChoice("weeks", _l("Every few weeks (questionnaires, for example)")),
            SelectChoice("appts", _l("Before each appointment")),
            SelectChoice("stages", _l("At each stage change")),
        ],
        default="once",
    )
    every_weeks = IntegerField(
        _l("Every how many weeks"),
        validators=[
            Optional(),
            NumberRange(min=1, max=52, message=_l("From 1 to 52 weeks, please.")),
        ],
        description=_l("Counted from the start date, e.g. 4 for every four weeks."),
    )
    days_before = IntegerField(
        _l("Days before each appointment"),
        validators=[
            Optional(),
            NumberRange(min=0, max=28, message=_l("From 0 to 28 days, please.")),
        ],
        description=_l("Sent this many days before each appointment in the calendar."),
    )
    start_on = DateField(
        _l("Starts on"), validators=[InputRequired(message=_l("Please give a start date."))]
    )
    due_on = DateField(_l("Due by (once)"), validators=[Optional()])
    end_on = DateField(_l("Ends on (repeating schedules, optional)"), validators=[Optional()])
    weekdays = WeekdaysField(
        _l("On these days (weekly)"),
        choices=weekday_choices,
    )
    note = TextAreaField(
        _l("A note for the couple (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown with the exercise, e.g. why now, or how to approach it."),
    )


class PlanItemForm(MendForm):
    template_id = SelectField(_l("Exercise"), coerce=int, validators=[InputRequired()])
    answered_by = SelectField(_l("Who answers"), choices=WHO)
    schedule = SelectField(
        _l("How often"),
        choices=[
            SelectChoice("once", _l("Once")),
            SelectChoice("daily", _l("Daily")),
            SelectChoice("weekly", _l("Weekly")),
        ],
    )
    weekdays = WeekdaysField(
        _l("On these days (weekly)"),
        choices=weekday_choices,
    )
    due_in_days = SelectField(
        _l("Due (once)"),
        coerce=int,
        choices=[
            SelectChoice(d, _l("%(num)d days after assigning", num=d)) for d in (3, 7, 10, 14, 21)
        ],
        default=7,
    )
    needs_injured_consent = SelectField(
        _l("Before it starts"),
        choices=[
            SelectChoice("no", _l("Start straight away")),
            SelectChoice("yes", _l("Ask the injured partner first")),
        ],
    )


def schedule_numbers(form: AssignmentForm) -> tuple[int, int]:
    """The N of "every N weeks" and the days before appointments, as chosen (0 when unused)."""
    weeks = form.every_weeks.data if form.schedule.data == "weeks" else 0
    before = form.days_before.data if form.schedule.data == "appts" else 0
    return int(weeks or 0), int(before or 0)
