"""Rows for tests, made directly through the models (the HTTP tests then use the app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from practice.auth.passwords import hash_password
from practice.models import Appointment, Couple, Partner, StageChange, User, utcnow

PASSWORD = "a calm test password for mend"  # noqa: S105
_HASH = hash_password(PASSWORD)  # hashing once keeps the suite fast


def make_user(db: Session, email: str, role: str, name: str | None = None, **kwargs) -> User:
    """An active account that signs in with PASSWORD."""
    kwargs.setdefault("password_hash", _HASH)
    user = User(email=email, display_name=name or email.split("@")[0].title(), role=role, **kwargs)
    db.add(user)
    db.flush()
    return user


def make_couple(
    db: Session,
    clinician: User,
    label: str,
    injured_email: str,
    involved_email: str,
    stage: int = 1,
) -> Couple:
    """A couple with both partners already joined."""
    couple = Couple(
        label=label, clinician=clinician, stage=stage, started_on=date.today() - timedelta(days=30)
    )
    db.add(couple)
    couple.partners.append(Partner(user=make_user(db, injured_email, "client"), role="injured"))
    couple.partners.append(Partner(user=make_user(db, involved_email, "client"), role="involved"))
    couple.stage_changes.append(StageChange(from_stage=None, to_stage=stage, reason="start"))
    db.add(couple)
    db.flush()
    return couple


def make_appointment(
    db: Session, couple: Couple, days_ahead: float, minutes: int = 50
) -> Appointment:
    """An appointment days_ahead from now (negative: in the past)."""
    appointment = Appointment(
        couple_id=couple.id,
        starts_at=utcnow().replace(second=0, microsecond=0) + timedelta(days=days_ahead),
        duration_minutes=minutes,
        agenda_note="agenda note for the clinician only",
    )
    db.add(appointment)
    db.flush()
    return appointment


@dataclass
class World:
    clinician_a: int
    clinician_b: int
    admin: int
    couple_a: int
    couple_b: int
    appointment_a: int
    appointment_b: int
    partner_a_injured: int
    partner_b_injured: int


def make_world(db: Session) -> World:
    """Clinician A with couple A, clinician B with couple B, an admin; one appointment each."""
    a = make_user(db, "a@clinic.test", "clinician", "Dr A")
    b = make_user(db, "b@clinic.test", "clinician", "Dr B")
    admin = make_user(db, "admin@clinic.test", "admin", "Admin")
    couple_a = make_couple(db, a, "Couple A", "ia@client.test", "va@client.test", stage=2)
    couple_b = make_couple(db, b, "Couple B", "ib@client.test", "vb@client.test", stage=4)
    return World(
        clinician_a=a.id,
        clinician_b=b.id,
        admin=admin.id,
        couple_a=couple_a.id,
        couple_b=couple_b.id,
        appointment_a=make_appointment(db, couple_a, 3).id,
        appointment_b=make_appointment(db, couple_b, 4).id,
        partner_a_injured=couple_a.partner("injured").id,
        partner_b_injured=couple_b.partner("injured").id,
    )
