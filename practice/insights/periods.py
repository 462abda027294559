"""The periods a clinician can look at: since the last appointment, 2 weeks, 3 months, custom."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from practice.analytics.data import Period
from practice.i18n import lazy_gettext as _l

CHOICES = {
    "last": _l("Since the last appointment"),
    "14": _l("Last 2 weeks"),
    "90": _l("Last 3 months"),
    "custom": _l("Custom dates"),
}


class PeriodError(ValueError):
    """Custom dates that don't make a period; the message is shown as it is."""


def choose_period(
    choice: str,
    today: date,
    last_appointment: date | None,
    start: str | None = None,
    end: str | None = None,
) -> tuple[str, Period]:
    """The period for a choice (falling back to the last appointment, then 2 weeks)."""
    tomorrow = today + timedelta(days=1)
    if choice == "custom":
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError as exc:
            raise PeriodError(
                _("Please give a start and an end date, such as 2026-11-01.")
            ) from exc
        if last < first:
            raise PeriodError(_("The end date is before the start date."))
        if (last - first).days > 800:
            raise PeriodError(_("Please choose at most about two years."))
        return "custom", Period(first, last + timedelta(days=1))
    if choice == "90":
        return "90", Period(today - timedelta(days=89), tomorrow)
    if choice == "14":
        return "14", Period(today - timedelta(days=13), tomorrow)
    if last_appointment is not None and last_appointment < today:
        return "last", Period(last_appointment, tomorrow)
    return "14", Period(today - timedelta(days=13), tomorrow)
