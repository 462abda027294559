"""Which sessions still wait for a signed note (a clause the caseload's one query uses)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists

from practice.models import Appointment, SessionNote


def note_due_clause(couple_id: Any, now: Any):
    """Appointments of the couple that have started, were not cancelled and have no signed
    note: a WHERE clause for a count (the caseload's "note due")."""
    signed = exists().where(
        SessionNote.appointment_id == Appointment.id, SessionNote.signed_at.is_not(None)
    )
    return and_(
        Appointment.couple_id == couple_id,
        Appointment.cancelled_at.is_(None),
        Appointment.starts_at < now,
        ~signed,
    )
