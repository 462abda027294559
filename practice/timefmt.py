"""Converting between stored UTC and the practice's local time, and formatting for people."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app


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
    local = to_local(moment, zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def format_date(day: date | datetime | None, zone: tzinfo | None = None) -> str:
    """'3 Dec 2026'; a moment is dated in the zone (when given); empty for None."""
    if day is None:
        return ""
    if isinstance(day, datetime) and zone is not None:
        day = to_local(day, zone)
    return f"{day.day} {day:%b %Y}"


def calendar_days_between(start: datetime, end: datetime, zone: tzinfo) -> int:
    """How many calendar days in the zone from start's day to end's day (09:00 on 12 Mar to
    08:05 on 25 Mar is 13): the count a person makes from a calendar, not whole 24 hours."""
    return (end.astimezone(zone).date() - start.astimezone(zone).date()).days


def format_since(moment: datetime | None, now: datetime, zone: tzinfo) -> str:
    """A rough, friendly age in calendar days of the zone: 'today', 'yesterday', '5 days ago',
    '3 weeks ago'."""
    if moment is None:
        return "never"
    days = calendar_days_between(moment, now, zone)
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 21:
        return f"{days} days ago"
    if days < 70:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"
