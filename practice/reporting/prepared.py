"""Reports ready before the clinician asks: the clinician's copy for each of tomorrow's
appointments, prepared the evening before (and when a session is booked for the next 24 h),
kept in the archive, and honest about what arrived after it was prepared.

One row per couple and day (PreparedReport). Asking for a preparation bumps the row's
`generation` and puts it back to "queued"; a job claims the row for its generation, so a job
queued twice, or by two schedulers, prints once, and a job for a generation that was
superseded (the appointment moved meanwhile) does nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from practice.audit.capture import record
from practice.couples.closing import CoupleClosed
from practice.i18n import lazy_gettext as _l
from practice.models import (
    Appointment,
    Assignment,
    Boundary,
    BoundaryLog,
    Couple,
    Message,
    PreparedReport,
    Response,
    utcnow,
)
from practice.reporting.archive import ArchiveError, keep
from practice.reporting.gather import ReportError, default_period
from practice.reporting.pipeline import report_html
from practice.reporting.printing import RenderError, render

SOON = timedelta(hours=24)  # booking this close to the session prepares its report at once
ABANDONED_AFTER = timedelta(minutes=10)  # a print takes a minute at most
FAILED = _l("The report could not be prepared. Print it from the report page instead.")
CLOSED = _l("The couple's record is closed.")


def _local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def _ask(db: Session, appointment: Appointment, zone: tzinfo) -> PreparedReport:
    """The row for this appointment's couple and day, set to be prepared (again)."""
    day = _local_day(appointment.starts_at, zone)
    row = db.scalar(
        select(PreparedReport).where(
            PreparedReport.couple_id == appointment.couple_id, PreparedReport.for_date == day
        )
    )
    if row is None:
        row = PreparedReport(
            couple_id=appointment.couple_id,
            appointment_id=appointment.id,
            for_date=day,
            status="queued",
            generation=1,
        )
        db.add(row)
    else:
        row.appointment_id = appointment.id
        row.status = "queued"
        row.generation += 1
        row.error = None
    db.flush()
    return row


def prepare_if_soon(
    db: Session, appointment: Appointment, now: datetime, zone: tzinfo
) -> PreparedReport | None:
    """A session booked for the next 24 hours gets its report prepared now, not tonight."""
    if not now < appointment.starts_at <= now + SOON:
        return None
    return _ask(db, appointment, zone)


def appointment_moved(
    db: Session, appointment: Appointment, now: datetime, zone: tzinfo
) -> PreparedReport | None:
    """A prepared report of a moved appointment is marked out of date and prepared again."""
    rows = db.scalars(
        select(PreparedReport).where(PreparedReport.appointment_id == appointment.id)
    ).all()
    if not rows:
        return prepare_if_soon(db, appointment, now, zone)
    day = _local_day(appointment.starts_at, zone)
    for row in rows:
        if row.for_date != day:
            # Its day changed: the row moves with it, unless that day already has one.
            taken = db.scalar(
                select(PreparedReport.id).where(
                    PreparedReport.couple_id == row.couple_id,
                    PreparedReport.for_date == day,
                    PreparedReport.id != row.id,
                )
            )
            if taken:
                db.delete(row)
                continue
            row.for_date = day
        row.outdated = "moved"
    db.flush()
    return _ask(db, appointment, zone)


def appointment_cancelled(db: Session, appointment: Appointment) -> None:
    """No report is prepared for a cancelled session (a kept PDF stays in the archive)."""
    db.execute(delete(PreparedReport).where(PreparedReport.appointment_id == appointment.id))


def ask_again(db: Session, row: PreparedReport) -> PreparedReport:
    """The clinician's "Prepare again"."""
    row.status = "queued"
    row.generation += 1
    row.error = None
    db.flush()
    return row


def evening_batch(db: Session, now: datetime, zone: tzinfo) -> list[PreparedReport]:
    """Rows to prepare tonight: each of tomorrow's appointments with a couple that is not
    closed, unless its report was already prepared today (booked this afternoon)."""
    today = _local_day(now, zone)
    tomorrow = today + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone)
    appointments = db.scalars(
        select(Appointment)
        .join(Couple, Couple.id == Appointment.couple_id)
        .where(
            Appointment.starts_at >= start,
            Appointment.starts_at < start + timedelta(days=1),
            Appointment.cancelled_at.is_(None),
            Couple.status != "closed",
        )
        .order_by(Appointment.starts_at)
    ).all()
    existing = {
        row.couple_id: row
        for row in db.scalars(select(PreparedReport).where(PreparedReport.for_date == tomorrow))
    }
    batch = []
    for appointment in appointments:
        row = existing.get(appointment.couple_id)
        fresh = row is not None and (
            row.status in ("queued", "running")
            or (row.prepared_at is not None and _local_day(row.prepared_at, zone) == today)
        )
        if fresh and row.appointment_id == appointment.id:
            continue
        row = _ask(db, appointment, zone)
        existing[appointment.couple_id] = row
        batch.append(row)
    return batch


def job_key(row: PreparedReport) -> str:
    """One job per couple, day and generation: two schedulers queue the same id."""
    return f"{row.couple_id}-{row.for_date.isoformat()}-{row.generation}"


def queue_prepared(db: Session, row: PreparedReport | None) -> None:
    """After the commit: with a job queue, queue the row's job now; without one, the next
    `practice run-scheduled` prepares it (a booking never waits on the printer)."""
    from practice.jobs import QueueUnavailable, enqueue, queue_configured

    if row is None or not queue_configured():
        return
    # When Redis is away the row stays queued; the scheduler's sweep queues it once it is back.
    with contextlib.suppress(QueueUnavailable):
        enqueue("prepare_report", key=job_key(row), prepared_id=row.id, generation=row.generation)


def waiting(db: Session, now: datetime) -> list[PreparedReport]:
    """Rows still to prepare, and prints left running by a worker that stopped."""
    return list(
        db.scalars(
            select(PreparedReport)
            .where(
                (PreparedReport.status == "queued")
                | (
                    (PreparedReport.status == "running")
                    & (PreparedReport.updated_at < now - ABANDONED_AFTER)
                )
            )
            .order_by(PreparedReport.for_date, PreparedReport.id)
        )
    )


def _claim(db: Session, prepared_id: int, generation: int) -> PreparedReport | None:
    taken = db.execute(
        update(PreparedReport)
        .where(
            PreparedReport.id == prepared_id,
            PreparedReport.generation == generation,
            PreparedReport.status == "queued",
        )
        .values(status="running", updated_at=utcnow())
    ).rowcount
    db.commit()
    return db.get(PreparedReport, prepared_id) if taken else None


def prepare(db: Session, prepared_id: int, generation: int, folder: str, zone: tzinfo) -> str:
    """Print and keep one prepared report; "ready", "failed" or "skipped" (another job has it,
    or the generation was superseded)."""
    row = _claim(db, prepared_id, generation)
    if row is None:
        return "skipped"
    couple = db.get(Couple, row.couple_id)
    now = utcnow()
    try:
        period = default_period(db, row.couple_id, now, zone)
        html = report_html(
            db, row.couple_id, period, "clinician", now, zone, language=_language(couple)
        )
        db.commit()  # nothing written: printing holds no lock
        pdf = render(html)
        report = keep(
            db, folder, row.couple_id, couple.clinician_id, period, "clinician", "A4", pdf
        )
    except (ReportError, RenderError, ArchiveError, CoupleClosed) as exc:
        db.rollback()
        _finish(db, prepared_id, generation, status="failed", error=_plain(exc))
        return "failed"
    except DBAPIError:
        db.rollback()
        raise  # the row stays running; the sweep takes it again after ABANDONED_AFTER
    except Exception:
        db.rollback()
        current_app.logger.exception("Preparing report %s failed", prepared_id)
        _finish(db, prepared_id, generation, status="failed", error=str(FAILED))
        return "failed"
    record("printed", "report", report.id, row.couple_id, user_id=couple.clinician_id)
    done = _finish(
        db,
        prepared_id,
        generation,
        status="ready",
        report_id=report.id,
        prepared_at=utcnow(),
        covers_until=now,
        outdated=None,
        error=None,
    )
    return "ready" if done else "skipped"


def _language(couple: Couple) -> str:
    """The clinician's copy prints in the clinician's language."""
    from practice.reporting.language import clinician_language

    return clinician_language(couple.clinician)


def _plain(exc: Exception) -> str:
    return str(exc)[:300] if not isinstance(exc, CoupleClosed) else str(CLOSED)


def _finish(db: Session, prepared_id: int, generation: int, **values) -> bool:
    """Record the outcome, only if no newer preparation was asked for meanwhile."""
    done = db.execute(
        update(PreparedReport)
        .where(PreparedReport.id == prepared_id, PreparedReport.generation == generation)
        .values(updated_at=utcnow(), **values)
    ).rowcount
    db.commit()
    return bool(done)


# --- what the couple page shows ------------------------------------------------------------


def new_entries_since(db: Session, couple_id: int, since: datetime) -> int:
    """Entries that arrived after `since` which the clinician's copy would hold: submitted
    answers (check-ins, worksheets, questionnaires and safety checks are all answers; never
    drafts), boundary logs new or changed, and the partners' messages still standing."""
    answers = (
        select(func.count())
        .select_from(Response)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .where(
            Assignment.couple_id == couple_id,
            Response.status == "submitted",
            Response.submitted_at > since,
        )
    )
    logs = (
        select(func.count())
        .select_from(BoundaryLog)
        .join(Boundary, Boundary.id == BoundaryLog.boundary_id)
        .where(Boundary.couple_id == couple_id, BoundaryLog.updated_at > since)
    )
    messages = select(func.count()).where(
        Message.couple_id == couple_id,
        Message.author_role != "clinician",
        Message.withdrawn_at.is_(None),
        Message.created_at > since,
    )
    return sum(db.scalar(q) or 0 for q in (answers, logs, messages))


@dataclass(frozen=True)
class PreparedState:
    """The prepared report of a couple's next session, as the couple page shows it."""

    id: int
    for_date: date
    status: str
    report_id: int | None
    prepared_at: datetime | None
    outdated: str | None
    new_entries: int
    error: str | None


def prepared_state(db: Session, couple_id: int, now: datetime, zone: tzinfo):
    """The couple's prepared report for today or later (the soonest), or None."""
    row = db.scalar(
        select(PreparedReport)
        .where(
            PreparedReport.couple_id == couple_id,
            PreparedReport.for_date >= _local_day(now, zone),
        )
        .order_by(PreparedReport.for_date)
        .limit(1)
    )
    if row is None:
        return None
    new = new_entries_since(db, couple_id, row.covers_until) if row.covers_until else 0
    return PreparedState(
        id=row.id,
        for_date=row.for_date,
        status=row.status,
        report_id=row.report_id,
        prepared_at=row.prepared_at,
        outdated=row.outdated,
        new_entries=new,
        error=row.error,
    )
