"""Appointments as iCalendar (RFC 5545): plain values in, bytes out. No Flask, no database.

Times are written in the practice's zone with its VTIMEZONE, so a calendar shows 14:00 on both
sides of a daylight-saving change; each appointment keeps one UID for life, and its SEQUENCE
grows with every change, so a calendar replaces the event rather than adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as IcsEvent

PRODID = "-//Mend//Practice calendar//EN"


@dataclass(frozen=True)
class CalendarEvent:
    """One appointment as a calendar shows it: ids, times and plain words only."""

    uid: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    title: str
    description: str
    url: str | None
    location: str | None
    sequence: int
    cancelled: bool
    stamp: datetime  # when the appointment was made (RFC 5545 DTSTAMP): the same on every read


def to_ical(events: Iterable[CalendarEvent], zone_name: str, name: str, now: datetime) -> bytes:
    """A calendar with these events, their times in `zone_name` with its VTIMEZONE."""
    zone = ZoneInfo(zone_name)
    events = list(events)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone_name)
    for item in events:
        event = IcsEvent()
        event.add("uid", item.uid)
        event.add("dtstamp", item.stamp)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("summary", item.title)
        event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.location:
            event.add("location", item.location)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
        calendar.add_component(event)
    if events and zone_name != "UTC":
        # The zone's rules around these events only, rather than from 1970 on.
        first = min(e.starts_at for e in events).date() - timedelta(days=366)
        last = max(e.ends_at for e in events).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
