"""Deleting the records of couples closed longer ago than the retention period.

The only place clinical records are deleted: the couple with everything in it (the database
cascades), its report PDFs on disk, and its partners' client accounts and sessions.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from practice.models import (
    Appointment,
    Assignment,
    Boundary,
    BoundaryLog,
    BoundaryRevision,
    Couple,
    MeasureScore,
    Message,
    Partner,
    Report,
    Response,
    SafetyCheck,
    SessionNote,
    StageChange,
    User,
)


@dataclass(frozen=True)
class Expired:
    """One couple due for deletion: ids, dates and counts, never what anyone wrote."""

    couple_id: int
    closed_at: datetime
    counts: dict[str, int]
    report_files: tuple[str, ...]
    client_user_ids: tuple[int, ...]


def cutoff(now: datetime, years: int) -> datetime:
    """The moment `years` before now (29 February falls back to the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def _count(db: Session, query) -> int:
    return db.scalar(select(func.count()).select_from(query.subquery()))


def _counts(db: Session, couple_id: int) -> dict[str, int]:
    in_couple = Assignment.couple_id == couple_id
    return {
        "partners": _count(db, select(Partner.id).where(Partner.couple_id == couple_id)),
        "stage_changes": _count(
            db, select(StageChange.id).where(StageChange.couple_id == couple_id)
        ),
        "assignments": _count(db, select(Assignment.id).where(in_couple)),
        "responses": _count(
            db,
            select(Response.id)
            .join(Assignment, Assignment.id == Response.assignment_id)
            .where(in_couple),
        ),
        "boundaries": _count(db, select(Boundary.id).where(Boundary.couple_id == couple_id)),
        "boundary_revisions": _count(
            db,
            select(BoundaryRevision.id)
            .join(Boundary, Boundary.id == BoundaryRevision.boundary_id)
            .where(Boundary.couple_id == couple_id),
        ),
        "boundary_logs": _count(
            db,
            select(BoundaryLog.id)
            .join(Boundary, Boundary.id == BoundaryLog.boundary_id)
            .where(Boundary.couple_id == couple_id),
        ),
        "measure_scores": _count(
            db, select(MeasureScore.id).where(MeasureScore.couple_id == couple_id)
        ),
        "safety_checks": _count(
            db, select(SafetyCheck.id).where(SafetyCheck.couple_id == couple_id)
        ),
        "appointments": _count(
            db, select(Appointment.id).where(Appointment.couple_id == couple_id)
        ),
        "reports": _count(db, select(Report.id).where(Report.couple_id == couple_id)),
        "messages": _count(db, select(Message.id).where(Message.couple_id == couple_id)),
        "session_notes": _count(
            db, select(SessionNote.id).where(SessionNote.couple_id == couple_id)
        ),
    }


def find_expired(db: Session, now: datetime, years: int) -> list[Expired]:
    """Closed couples whose closing is more than `years` before now, oldest first."""
    couples = db.scalars(
        select(Couple)
        .where(
            Couple.status == "closed",
            Couple.closed_at.is_not(None),
            Couple.closed_at < cutoff(now, years),
        )
        .order_by(Couple.closed_at, Couple.id)
    ).all()
    expired = []
    for couple in couples:
        files = db.scalars(select(Report.file_name).where(Report.couple_id == couple.id)).all()
        files += db.scalars(
            select(SessionNote.pdf_file).where(
                SessionNote.couple_id == couple.id, SessionNote.pdf_file.is_not(None)
            )
        ).all()
        clients = db.scalars(
            select(User.id)
            .join(Partner, Partner.user_id == User.id)
            .where(Partner.couple_id == couple.id, User.role == "client")
        ).all()
        counts = {**_counts(db, couple.id), "client_accounts": len(clients)}
        expired.append(Expired(couple.id, couple.closed_at, counts, tuple(files), tuple(clients)))
    return expired


def purge(db: Session, expired: list[Expired]) -> None:
    """Delete these couples with everything in them, and their partners' accounts when those
    belong to no other couple (sessions and links go with the account)."""
    if not expired:
        return
    couple_ids = [e.couple_id for e in expired]
    users = {u for e in expired for u in e.client_user_ids}
    db.execute(delete(Couple).where(Couple.id.in_(couple_ids)))
    still_partners = set(
        db.scalars(select(Partner.user_id).where(Partner.user_id.in_(users))).all()
    )
    gone = users - still_partners
    if gone:
        db.execute(delete(User).where(User.id.in_(gone), User.role == "client"))
    db.flush()
    db.expire_all()


def remove_report_files(folder: str, expired: list[Expired]) -> list[str]:
    """Delete the couples' report PDFs; returns the names that could not be removed."""
    failed = []
    for name in (n for e in expired for n in e.report_files):
        path = Path(folder) / name
        try:
            path.unlink(missing_ok=True)
        except OSError:
            failed.append(name)
        with contextlib.suppress(OSError):
            path.with_name(name + ".part").unlink(missing_ok=True)
    return failed
