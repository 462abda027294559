"""Private calendar feeds: issuing, replacing and switching off a person's link, and the
events each person's calendar gets. A feed holds no clinical content: for a clinician the
couple's pseudonymous label (or just "Session") and a link to the couple's page; for a
partner, when the session is and, for an online session, its link."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from practice.calendar.ics import CalendarEvent
from practice.models import Appointment, CalendarFeed, Couple, Partner, User

DAYS_BACK = 30
DAYS_AHEAD = 180
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(db: Session, user: User) -> CalendarFeed | None:
    """The person's working feed, if they made one."""
    return db.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc())
        .limit(1)
    )


def revoke_feeds(db: Session, user: User, now: datetime) -> int:
    """Switch off every working feed of this person; how many there were."""
    return db.execute(
        update(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def issue_feed(db: Session, user: User, now: datetime) -> tuple[CalendarFeed, str]:
    """A new feed (the old one stops working) and its token, which is never stored."""
    previous = active_feed(db, user)
    style = previous.title_style if previous else "label"
    revoke_feeds(db, user, now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_sha256=_digest(token), title_style=style)
    db.add(feed)
    db.flush()
    return feed, token


def feed_for_token(db: Session, token: str | None) -> CalendarFeed | None:
    """The working feed this token opens, for an account still switched on; else None."""
    if not token or not TOKEN.fullmatch(token):
        return None
    feed = db.scalar(
        select(CalendarFeed)
        .join(User, User.id == CalendarFeed.user_id)
        .where(
            CalendarFeed.token_sha256 == _digest(token),
            CalendarFeed.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )
    # The lookup is by digest; compare again in constant time for good measure.
    if feed is None or not hmac.compare_digest(feed.token_sha256, _digest(token)):
        return None
    return feed


def _window(now: datetime):
    return (
        Appointment.starts_at >= now - timedelta(days=DAYS_BACK),
        Appointment.starts_at < now + timedelta(days=DAYS_AHEAD),
    )


def _uid(appointment_id: int, base_url: str) -> str:
    return f"mend-appointment-{appointment_id}@{urlsplit(base_url).hostname or 'mend'}"


def _where(appointment: Appointment) -> tuple[str | None, str]:
    if appointment.online:
        return _("Online"), _("Online session: %(link)s", link=appointment.meeting_link)
    return _("In person"), _("In person.")


def clinician_events(
    db: Session, feed: CalendarFeed, now: datetime, base_url: str, couple_url
) -> list[CalendarEvent]:
    """The clinician's appointments from 30 days back to 180 days ahead, cancelled ones marked."""
    rows = db.execute(
        select(Appointment, Couple.label)
        .join(Couple, Couple.id == Appointment.couple_id)
        .where(Couple.clinician_id == feed.user_id, *_window(now))
        .order_by(Appointment.starts_at)
    ).all()
    events = []
    for appointment, label in rows:
        location, where = _where(appointment)
        page = couple_url(appointment.couple_id)
        events.append(
            CalendarEvent(
                uid=_uid(appointment.id, base_url),
                starts_at=appointment.starts_at,
                ends_at=appointment.ends_at,
                title=label if feed.title_style == "label" else _("Session"),
                description=_("%(where)s\nCouple page: %(page)s", where=where, page=page),
                url=page,
                location=location,
                sequence=appointment.sequence,
                cancelled=appointment.cancelled_at is not None,
                stamp=appointment.created_at,
            )
        )
    return events


def partner_event(appointment: Appointment, clinician: User, base_url: str, home: str):
    """One appointment as a partner's calendar shows it: when, with whom, where; nothing else."""
    location, where = _where(appointment)
    return CalendarEvent(
        uid=_uid(appointment.id, base_url),
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        title=_("Session with %(name)s", name=clinician.display_name),
        description=_("%(where)s\nMend: %(home)s", where=where, home=home),
        url=home,
        location=location,
        sequence=appointment.sequence,
        cancelled=appointment.cancelled_at is not None,
        stamp=appointment.created_at,
    )


def partner_events(
    db: Session, feed: CalendarFeed, now: datetime, base_url: str, home: str
) -> list[CalendarEvent]:
    """The partner's couple's appointments in the same window."""
    partner = db.scalar(select(Partner).where(Partner.user_id == feed.user_id))
    if partner is None:
        return []
    couple = db.get(Couple, partner.couple_id)
    appointments = db.scalars(
        select(Appointment)
        .where(Appointment.couple_id == partner.couple_id, *_window(now))
        .order_by(Appointment.starts_at)
    ).all()
    return [partner_event(a, couple.clinician, base_url, home) for a in appointments]
