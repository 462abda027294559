"""Scheduling, editing and cancelling appointments; the previous and next one around a time."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import BindParameter, bindparam, or_, select
from sqlalchemy.orm import Session

from practice.couples.closing import ensure_open
from practice.models import Appointment, Couple, utcnow

MAX_DURATION = timedelta(minutes=480)


class AppointmentError(ValueError):
    """An appointment that cannot be saved; the message is shown to the clinician."""


def _live(couple_id: int | BindParameter[int]):
    return select(Appointment).where(
        Appointment.couple_id == couple_id, Appointment.cancelled_at.is_(None)
    )


def previous_appointment(db: Session, couple_id: int, moment: datetime) -> Appointment | None:
    """The latest appointment that started before the moment (not cancelled)."""
    return db.scalar(
        _live(couple_id)
        .where(Appointment.starts_at < moment)
        .order_by(Appointment.starts_at.desc())
        .limit(1)
    )


def next_appointment(db: Session, couple_id: int, moment: datetime) -> Appointment | None:
    """The first appointment that starts at or after the moment (not cancelled)."""
    return db.scalar(
        _live(couple_id)
        .where(Appointment.starts_at >= moment)
        .order_by(Appointment.starts_at)
        .limit(1)
    )


LINK_SHOWN_BEFORE = timedelta(minutes=30)


def link_now(db: Session, couple_id: int, now: datetime) -> Appointment | None:
    """The online session whose meeting link the partners see now: from 30 minutes before it
    starts until it ends."""
    candidates = db.scalars(
        _live(couple_id)
        .where(
            Appointment.mode == "online",
            Appointment.starts_at <= now + LINK_SHOWN_BEFORE,
            Appointment.starts_at > now - MAX_DURATION,
        )
        .order_by(Appointment.starts_at)
    )
    return next((a for a in candidates if a.meeting_link and a.ends_at > now), None)


def _upcoming_and_recent_past():
    couple_id, now = bindparam("couple_id"), bindparam("now")
    recent_past = (
        select(Appointment.id)
        .where(
            Appointment.couple_id == couple_id,
            Appointment.cancelled_at.is_(None),
            Appointment.starts_at < now,
        )
        .order_by(Appointment.starts_at.desc())
        .limit(bindparam("past_limit"))
    )
    return (
        _live(couple_id)
        .where(or_(Appointment.starts_at >= now, Appointment.id.in_(recent_past)))
        .order_by(Appointment.starts_at)
    )


# Built once (every couple page runs it); the couple, the moment and the limit bound per call.
_UPCOMING_AND_RECENT_PAST = _upcoming_and_recent_past()


def upcoming_and_past(
    db: Session, couple: Couple, now: datetime, past_limit: int = 10
) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming appointments (soonest first) and the most recent past ones (latest first), in
    one query."""
    shown = db.scalars(
        _UPCOMING_AND_RECENT_PAST,
        {"couple_id": couple.id, "now": now, "past_limit": past_limit},
    ).all()
    upcoming = [a for a in shown if a.starts_at >= now]
    past = [a for a in reversed(shown) if a.starts_at < now]
    return upcoming, past


def _check(
    db: Session,
    couple: Couple,
    starts_at: datetime,
    duration_minutes: int,
    now: datetime,
    ignore_id: int | None = None,
) -> None:
    ensure_open(couple)
    if not 10 <= duration_minutes <= 480:
        raise AppointmentError(_("An appointment lasts between 10 and 480 minutes."))
    if starts_at <= now:
        raise AppointmentError(
            _("That time has already passed. Please choose a time in the future.")
        )
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    # Only appointments starting within MAX_DURATION before this one can overlap it.
    nearby = db.scalars(
        _live(couple.id).where(
            Appointment.starts_at > starts_at - MAX_DURATION, Appointment.starts_at < ends_at
        )
    )
    for other in nearby:
        if other.id != ignore_id and other.ends_at > starts_at:
            raise AppointmentError(
                "This overlaps another appointment with this couple. Please choose another time."
            )


def schedule_appointment(
    db: Session,
    couple: Couple,
    starts_at: datetime,
    duration_minutes: int,
    agenda_note: str | None,
    now: datetime | None = None,
    meeting_link: str | None = None,
) -> Appointment:
    """Add an appointment in the future that does not overlap the couple's others (online
    when it has a meeting link)."""
    _check(db, couple, starts_at, duration_minutes, now or utcnow())
    appointment = Appointment(
        couple_id=couple.id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        agenda_note=(agenda_note or "").strip() or None,
        mode="online" if meeting_link else "in_person",
        meeting_link=meeting_link or None,
    )
    db.add(appointment)
    db.flush()
    return appointment


def update_appointment(
    db: Session,
    appointment: Appointment,
    starts_at: datetime,
    duration_minutes: int,
    agenda_note: str | None,
    now: datetime | None = None,
    meeting_link: str | None = None,
) -> bool:
    """Move or re-time an upcoming appointment, change where it is, or its agenda note.
    True when it moved (its prepared report no longer fits)."""
    now = now or utcnow()
    ensure_open(appointment.couple)
    if appointment.cancelled_at is not None:
        raise AppointmentError(_("This appointment was cancelled."))
    if appointment.starts_at != starts_at or appointment.duration_minutes != duration_minutes:
        _check(db, appointment.couple, starts_at, duration_minutes, now, ignore_id=appointment.id)
    moved = appointment.starts_at != starts_at
    mode = "online" if meeting_link else "in_person"
    # A calendar replaces the event when its SEQUENCE grows; the agenda note is not in it.
    if (
        moved
        or appointment.duration_minutes != duration_minutes
        or appointment.mode != mode
        or appointment.meeting_link != (meeting_link or None)
    ):
        appointment.sequence += 1
    appointment.starts_at = starts_at
    appointment.duration_minutes = duration_minutes
    appointment.agenda_note = (agenda_note or "").strip() or None
    appointment.mode = mode
    appointment.meeting_link = meeting_link or None
    db.flush()
    return moved


def cancel_appointment(appointment: Appointment, now: datetime | None = None) -> None:
    """Cancel an upcoming appointment (kept, marked cancelled)."""
    now = now or utcnow()
    ensure_open(appointment.couple)
    if appointment.cancelled_at is not None:
        raise AppointmentError(_("This appointment was already cancelled."))
    if appointment.starts_at <= now:
        raise AppointmentError(_("Past appointments cannot be cancelled."))
    appointment.cancelled_at = now
    appointment.sequence += 1
