"""When an assignment's occurrences fall, and the state of each. Plain functions (only the
reader's language from Flask-Babel, for the words).

Occurrences are derived from the rule, never stored: a year of daily check-ins costs nothing
until someone answers one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from flask import has_app_context
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from practice.i18n import lazy_gettext as _l

WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
# A recurring occurrence can still be answered (late) for this many days; then it is missed.
GRACE_DAYS = 7


class RuleError(ValueError):
    """A schedule that cannot work; the message is shown to the clinician."""


def weekday_mask(days: Iterable[int]) -> int:
    """Bit mask of weekdays (Monday = 0)."""
    mask = 0
    for day in days:
        if not 0 <= day <= 6:
            raise RuleError(_("Weekdays run from Monday (0) to Sunday (6)."))
        mask |= 1 << day
    return mask


def mask_days(mask: int) -> list[int]:
    """The weekdays (Monday = 0) in a mask."""
    return [d for d in range(7) if mask & (1 << d)]


# Measure schedules (issue 19): every N weeks from the start date; N days before each
# appointment; on the day of each stage change. The last two take their days from the
# couple's calendar and stage history (`measure_schedule_days` in assignments/services.py).
DERIVED = ("appts", "stages")
SCHEDULES = ("once", "daily", "weekly", "weeks", *DERIVED)


@dataclass(frozen=True)
class Rule:
    schedule: str  # once, daily, weekly, weeks (every N weeks), appts, stages
    start_on: date
    end_on: date | None = None
    due_on: date | None = None
    weekdays: int = 0
    pauses: tuple[tuple[date, date | None], ...] = ()
    every_weeks: int = 0  # weeks: the N in "every N weeks"
    days_before: int = 0  # appts: sent this many days before each appointment
    days: tuple[date, ...] = ()  # appts, stages: the derived occurrence days
    # A questionnaire: an occurrence closes when the next one is due (see occurrence_closes_on).
    closes_at_next: bool = False


def check_rule(rule: Rule) -> None:
    """Raise RuleError unless the rule makes sense."""
    if rule.schedule not in SCHEDULES:
        raise RuleError(
            _(
                "Choose once, daily or weekly, or every few weeks, before each appointment or "
                "at each stage change."
            )
        )
    if rule.schedule == "once":
        if rule.due_on is None:
            raise RuleError(_("Please give a due date."))
        if rule.due_on < rule.start_on:
            raise RuleError(_("The due date is before the start date."))
        return
    if rule.end_on is not None and rule.end_on < rule.start_on:
        raise RuleError(_("The end date is before the start date."))
    if rule.schedule == "weeks" and not 1 <= rule.every_weeks <= 52:
        raise RuleError(_("Every how many weeks? Please give a number from 1 to 52."))
    if rule.schedule == "appts" and not 0 <= rule.days_before <= 28:
        raise RuleError(_("Days before each appointment: please give a number from 0 to 28."))
    if rule.schedule == "weekly" and not rule.weekdays:
        raise RuleError(_("Choose at least one weekday."))
    if rule.schedule == "weekly" and not occurrences(rule, rule.start_on, _last_day(rule)):
        raise RuleError(_("None of the chosen weekdays falls between the start and end dates."))


def _last_day(rule: Rule) -> date:
    return (rule.end_on or rule.start_on + timedelta(days=6)) + timedelta(days=1)


def _paused(rule: Rule, day: date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in rule.pauses)


def is_occurrence(rule: Rule, day: date) -> bool:
    """True when the rule has an occurrence on this day (pauses excluded)."""
    if rule.schedule == "once":
        return day == rule.due_on and not _paused(rule, day)
    if day < rule.start_on or (rule.end_on is not None and day > rule.end_on):
        return False
    if rule.schedule == "weekly" and not rule.weekdays & (1 << day.weekday()):
        return False
    if rule.schedule == "weeks" and (day - rule.start_on).days % (7 * rule.every_weeks):
        return False
    if rule.schedule in DERIVED and day not in rule.days:
        return False
    return not _paused(rule, day)


def occurrences(rule: Rule, start: date, end: date) -> list[date]:
    """Occurrence days in [start, end), oldest first."""
    if rule.schedule == "once":
        due = rule.due_on
        return [due] if due and start <= due < end and is_occurrence(rule, due) else []
    first = max(start, rule.start_on)
    last = end if rule.end_on is None else min(end, rule.end_on + timedelta(days=1))
    if rule.schedule in DERIVED:
        return sorted({d for d in rule.days if first <= d < last and is_occurrence(rule, d)})
    days = []
    day = first
    while day < last:
        if is_occurrence(rule, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _days_after(day: date, days: int) -> date:
    # A day typed into a URL may be the last day a date can hold.
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


def occurrence_closes_on(rule: Rule, day: date) -> date | None:
    """The first day this occurrence can no longer be answered (it then counts as missed).

    A recurring occurrence stays open for GRACE_DAYS after its day (the backfill window). A
    questionnaire closes sooner, on the day the next one is due, so two of them (a PHQ-9 for
    last week and one for this week) are never open at once; a one-off questionnaire closes
    GRACE_DAYS after its due day. Any other one-off exercise never closes (None)."""
    window_ends = _days_after(day, GRACE_DAYS + 1)
    if rule.schedule == "once":
        return window_ends if rule.closes_at_next else None
    if rule.closes_at_next:
        for offset in range(1, GRACE_DAYS + 1):
            following = _days_after(day, offset)
            if is_occurrence(rule, following):
                return following
    return window_ends


def occurrence_state(rule: Rule, day: date, today: date, submitted_on: date | None) -> str:
    """upcoming, due, overdue, done, late or missed."""
    if submitted_on is not None:
        return "done" if submitted_on <= day else "late"
    if day > today:
        return "upcoming"
    if day == today:
        return "due"
    closes = occurrence_closes_on(rule, day)
    if closes is None or today < closes:
        return "overdue"
    return "missed"


def can_answer(rule: Rule, day: date, today: date) -> bool:
    """True when this occurrence can be answered today (once: from its start date on)."""
    if not is_occurrence(rule, day):
        return False
    closes = occurrence_closes_on(rule, day)
    if closes is not None and today >= closes:
        return False
    if rule.schedule == "once":
        return rule.start_on <= today
    return day <= today


def _reader_locale() -> str:
    """The reader's language when there is a request, else English (plain calls and tests)."""
    return str(get_locale() or "en") if has_app_context() else "en"


def describe(rule: Rule) -> str:
    """'Once, due 3 Dec 2026', 'Daily from ...', 'Weekly on Monday and Thursday', in the
    reader's language (whole sentences, so each language words them its own way)."""
    locale = _reader_locale()

    def fmt(day: date) -> str:
        return format_date(day, "d MMM y", locale=locale)

    start = fmt(rule.start_on)
    end = fmt(rule.end_on) if rule.end_on else None
    if rule.schedule == "once":
        return _("Once, due %(day)s", day=fmt(rule.due_on)) if rule.due_on else _("Once")
    if rule.schedule == "daily":
        if end:
            return _("Daily from %(start)s until %(end)s", start=start, end=end)
        return _("Daily from %(start)s", start=start)
    if rule.schedule == "weeks":
        if end:
            return ngettext(
                "Every week from %(start)s until %(end)s",
                "Every %(num)d weeks from %(start)s until %(end)s",
                rule.every_weeks,
                start=start,
                end=end,
            )
        return ngettext(
            "Every week from %(start)s",
            "Every %(num)d weeks from %(start)s",
            rule.every_weeks,
            start=start,
        )
    if rule.schedule == "appts":
        if not rule.days_before:
            if end:
                return _(
                    "On the day of each appointment, from %(start)s until %(end)s",
                    start=start,
                    end=end,
                )
            return _("On the day of each appointment, from %(start)s", start=start)
        if end:
            return ngettext(
                "%(num)d day before each appointment, from %(start)s until %(end)s",
                "%(num)d days before each appointment, from %(start)s until %(end)s",
                rule.days_before,
                start=start,
                end=end,
            )
        return ngettext(
            "%(num)d day before each appointment, from %(start)s",
            "%(num)d days before each appointment, from %(start)s",
            rule.days_before,
            start=start,
        )
    if rule.schedule == "stages":
        if end:
            return _("At each stage change, from %(start)s until %(end)s", start=start, end=end)
        return _("At each stage change, from %(start)s", start=start)
    names = [str(WEEKDAY_NAMES[d]) for d in mask_days(rule.weekdays)]
    days = names[0]
    if len(names) > 1:
        days = _("%(items)s and %(last)s", items=", ".join(names[:-1]), last=names[-1])
    if end:
        return _(
            "Weekly on %(days)s, from %(start)s until %(end)s", days=days, start=start, end=end
        )
    return _("Weekly on %(days)s, from %(start)s", days=days, start=start)
