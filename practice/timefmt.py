"""Converting between stored UTC and the practice's local time, and formatting for people.

Dates and times are written in the reader's language with Babel (month and day names, order),
always in the practice's one time zone (PRACTICE_TIMEZONE). The language is flask_babel's: the
request's reader, or the one a report is printed in (force_locale); English without either.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as babel_dates
from flask import current_app, has_app_context
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

# Babel patterns per language. English keeps Mend's own layout ("Tue 3 Dec 2026, 14:30", a
# 24-hour clock, the day before the month); a language without its own entry uses these too,
# with its own month and day names.
PATTERNS: dict[str, dict[str, str]] = {
    "en": {
        "datetime": "EEE d MMM y, HH:mm",  # Tue 3 Dec 2026, 14:30
        "date": "d MMM y",  # 3 Dec 2026
        "weekday_date": "EEE d MMM y",  # Tue 3 Dec 2026
        "weekday": "EEE d MMM",  # Tue 3 Dec
        "day_month": "d MMM",  # 3 Dec
        "time": "HH:mm",  # 14:30
    },
    # Spanish: "jue 3 dic 2026, 14:30", "3 dic 2026" (CLDR's names, a 24-hour clock).
    "es": {
        "datetime": "EEE d MMM y, HH:mm",
        "date": "d MMM y",
        "weekday_date": "EEE d MMM y",
        "weekday": "EEE d MMM",
        "day_month": "d MMM",
        "time": "HH:mm",
    },
}


def reader_locale() -> str:
    """The language dates and numbers are written in: flask_babel's locale (the request's
    reader, or force_locale's), else English."""
    if has_app_context():
        locale = get_locale()
        if locale is not None:
            return str(locale)
    return "en"


def _pattern(kind: str, locale: str) -> str:
    found = PATTERNS.get(locale) or PATTERNS.get(locale.split("_")[0]) or PATTERNS["en"]
    return found[kind]


def format_local(value: date | datetime, kind: str) -> str:
    """A date or a local wall-clock time in one of PATTERNS' layouts, in the reader's language."""
    locale = reader_locale()
    pattern = _pattern(kind, locale)
    if isinstance(value, datetime):
        # Already in the zone wanted: Babel must not move it (tzinfo=its own zone).
        return babel_dates.format_datetime(value, pattern, tzinfo=value.tzinfo, locale=locale)
    return babel_dates.format_date(value, pattern, locale=locale)


def practice_zone() -> ZoneInfo:
    """The practice's time zone (PRACTICE_TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def check_zone(name: str) -> None:
    """Raise ValueError with a plain message for an unknown time zone name."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone {name!r}; use a name such as Europe/London.") from exc


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A UTC moment as wall-clock time in the zone."""
    return moment.astimezone(zone)


def from_local(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time typed in the zone, as an aware UTC moment."""
    return naive.replace(tzinfo=zone).astimezone(UTC)


def local_today(zone: ZoneInfo, now: datetime) -> date:
    """The calendar day it is in the zone."""
    return now.astimezone(zone).date()


def format_datetime(moment: datetime | None, zone: ZoneInfo) -> str:
    """'Tue 3 Dec 2026, 14:30' in the zone; empty for None."""
    if moment is None:
        return ""
    return format_local(to_local(moment, zone), "datetime")


def format_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """'14:30' in the zone; empty for None."""
    if moment is None:
        return ""
    return format_local(to_local(moment, zone), "time")


def format_date(day: date | datetime | None, zone: tzinfo | None = None) -> str:
    """'3 Dec 2026'; a moment is dated in the zone (when given); empty for None."""
    if day is None:
        return ""
    if isinstance(day, datetime) and zone is not None:
        day = to_local(day, zone)
    if isinstance(day, datetime):
        day = day.date()
    return format_local(day, "date")


def format_weekday_date(day: date) -> str:
    """'Tue 3 Dec 2026'."""
    return format_local(day, "weekday_date")


def format_weekday(day: date | None) -> str:
    """'Tue 3 Dec'; empty for None."""
    return format_local(day, "weekday") if day else ""


def format_day_month(day: date) -> str:
    """'3 Dec' (chart axes)."""
    return format_local(day, "day_month")


def calendar_days_between(start: datetime, end: datetime, zone: tzinfo) -> int:
    """How many calendar days in the zone from start's day to end's day (09:00 on 12 Mar to
    08:05 on 25 Mar is 13): the count a person makes from a calendar, not whole 24 hours."""
    return (end.astimezone(zone).date() - start.astimezone(zone).date()).days


def format_since(moment: datetime | None, now: datetime, zone: tzinfo) -> str:
    """A rough, friendly age in calendar days of the zone: 'today', 'yesterday', '5 days ago',
    '3 weeks ago'."""
    if moment is None:
        return _("never")
    days = calendar_days_between(moment, now, zone)
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    if days < 21:
        return ngettext("%(num)d day ago", "%(num)d days ago", days)
    if days < 70:
        return ngettext("%(num)d week ago", "%(num)d weeks ago", days // 7)
    return ngettext("%(num)d month ago", "%(num)d months ago", days // 30)
