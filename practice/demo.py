"""Fictional demo practice: a clinician, an admin and three couples at different stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.auth.passwords import hash_password
from practice.demo_texts import demo_texts
from practice.models import Appointment, Couple, Partner, StageChange, User, utcnow

DEMO_PASSWORD = "mend-demo-password"  # noqa: S105 (fictional accounts only)
CLINICIAN_EMAIL = "clinician@mend.example"
ADMIN_EMAIL = "admin@mend.example"


@dataclass(frozen=True)
class DemoCouple:
    label: str
    injured: tuple[str, str]
    involved: tuple[str, str]
    weeks_ago: int
    stage_weeks: tuple[tuple[int, int, str], ...]  # (stage, weeks ago entered, reason)


def _couples() -> tuple[DemoCouple, ...]:
    """The demo couples, from practice/data/demo/practice.toml."""
    return tuple(
        DemoCouple(
            c["label"],
            tuple(c["injured"]),
            tuple(c["involved"]),
            c["weeks_ago"],
            tuple(tuple(stage) for stage in c["stages"]),
        )
        for c in demo_texts("practice")["couples"]
    )


DEMO_COUPLES = _couples()


def demo_logins() -> list[tuple[str, str]]:
    """(role, email) of every demo account, for printing."""
    logins = [(_("clinician"), CLINICIAN_EMAIL), (_("admin"), ADMIN_EMAIL)]
    for couple in DEMO_COUPLES:
        logins.append((_("injured partner, %(label)s", label=couple.label), couple.injured[1]))
        logins.append((_("involved partner, %(label)s", label=couple.label), couple.involved[1]))
    return logins


def load_demo(db: Session, now: datetime | None = None) -> tuple[bool, list[tuple[str, str]]]:
    """Add the demo practice unless it is already there. Returns (added anything, logins)."""
    from practice.demo_exercises import (
        add_demo_boundaries,
        add_demo_exercises,
        add_demo_measures,
        demo_clock,
    )
    from practice.exercises.services import sync_library

    sync_library(db)
    if db.scalar(select(User.id).where(User.email == CLINICIAN_EMAIL)) is not None:
        return False, demo_logins()
    now = now or utcnow()
    password = hash_password(DEMO_PASSWORD)
    clinician = User(
        email=CLINICIAN_EMAIL,
        display_name=demo_texts("practice")["clinician"]["name"],
        role="clinician",
        password_hash=password,
    )
    admin = User(
        email=ADMIN_EMAIL,
        display_name=demo_texts("practice")["admin"]["name"],
        role="admin",
        password_hash=password,
    )
    db.add_all([clinician, admin])
    couples = []
    for index, spec in enumerate(DEMO_COUPLES):
        started = now - timedelta(weeks=spec.weeks_ago)
        couple = Couple(
            label=spec.label,
            clinician=clinician,
            stage=spec.stage_weeks[-1][0],
            started_on=started.date(),
            created_at=started,
        )
        for role, (name, email) in (("injured", spec.injured), ("involved", spec.involved)):
            user = User(
                email=email,
                display_name=name,
                role="client",
                password_hash=password,
                created_at=started,
                last_login_at=now - timedelta(days=index + 1, hours=3 * index),
            )
            couple.partners.append(Partner(user=user, role=role))
        previous = None
        for stage, weeks, reason in spec.stage_weeks:
            couple.stage_changes.append(
                StageChange(
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=now - timedelta(weeks=weeks),
                    changed_by=clinician,
                    reason=reason,
                )
            )
            previous = stage
        db.add(couple)
        db.flush()
        couples.append(couple)
        _add_appointments(db, couple, spec.weeks_ago, index, now)
    from practice.demo_messages import add_demo_messages
    from practice.demo_notes import add_demo_notes
    from practice.demo_outcomes import add_demo_outcomes
    from practice.timefmt import practice_zone

    with demo_clock(now):  # answers "tonight" on a demo loaded in the morning are not dated ahead
        add_demo_exercises(db, couples, clinician, now.date())
        add_demo_boundaries(db, couples, now.date())
        add_demo_measures(db, couples, clinician, now.date())
        add_demo_outcomes(db, couples, clinician, admin, now.date())
        add_demo_messages(db, couples, now)
        add_demo_notes(db, couples, clinician, now, practice_zone())
    db.flush()
    return True, demo_logins()


def _add_appointments(db: Session, couple: Couple, weeks: int, index: int, now: datetime) -> None:
    """Weekly sessions since the start (the last fortnightly), and the next two ahead."""
    hour = (10, 14, 17)[index]
    words = demo_texts("practice")["appointments"]
    today = now.date()
    first = today - timedelta(weeks=weeks) + timedelta(days=index)
    day = first
    while day < today:
        starts = datetime.combine(day, time(hour, 0), tzinfo=UTC)
        note = words["recent_agenda"] if day >= today - timedelta(days=14) else None
        db.add(
            Appointment(
                couple_id=couple.id, starts_at=starts, duration_minutes=50, agenda_note=note
            )
        )
        day += timedelta(weeks=1 if (today - day).days > 35 else 2)
    for ahead in (1, 3):
        starts = datetime.combine(today + timedelta(days=ahead + index), time(hour, 0), tzinfo=UTC)
        note = words["next_agenda"] if ahead == 1 else None
        # Tomorrow's first session is online, with a link (a made-up address).
        online = ahead == 1 and index == 0
        db.add(
            Appointment(
                couple_id=couple.id,
                starts_at=starts,
                duration_minutes=50,
                agenda_note=note,
                mode="online" if online else "in_person",
                meeting_link=words["meeting_link"] if online else None,
            )
        )


def prepare_tomorrow(db: Session, folder: str, zone, now: datetime | None = None) -> int:
    """Prepare the reports of tomorrow's sessions, as the evening's scheduler would."""
    from practice.reporting.prepared import evening_batch, prepare

    batch = evening_batch(db, now or utcnow(), zone)
    db.commit()
    return sum(prepare(db, row.id, row.generation, folder, zone) == "ready" for row in batch)
