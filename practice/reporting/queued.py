"""Reports printed by a `practice worker`: the request a clinician sees, and the job's work.

A request holds ids, dates and plain words only; the worker gathers the couple's record itself.
The database, not Redis, is the record of what is still to print: Redis only carries the job
that wakes a worker. So a request whose job Redis lost (Redis restarted, or could not be
reached when the clinician asked) is queued again by `resume_waiting`, and a print cut short
(its worker killed, the database restarting under it) is tried again, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.audit.capture import record
from practice.couples.closing import CLINICIAN_MESSAGE, CoupleClosed
from practice.i18n import lazy_gettext as _l
from practice.jobs import QueueUnavailable, enqueue, job_id_for, jobs_alive
from practice.models import ReportRequest, utcnow
from practice.reporting.archive import ArchiveError, keep
from practice.reporting.gather import ReportError
from practice.reporting.pipeline import report_html
from practice.reporting.printing import RenderError, render
from practice.timefmt import practice_zone

FAILED = _l(
    "The report could not be printed. Please try again; if it keeps happening, tell your "
    "practice's administrator."
)
WAITING = ("queued", "running")
# Far longer than any print may take (a render is stopped after a minute): a request still
# "running" after this was left by a worker that stopped mid-print.
ABANDONED_AFTER = timedelta(minutes=10)
# A request committed a moment ago may not have its job yet: the web queues it just after.
RESUME_AFTER = timedelta(seconds=5)
MAX_ATTEMPTS = 3
GAVE_UP = _l(
    "Printing was cut short three times (the print worker or the database was restarting). "
    "Nothing was kept; please print it again."
)


class JobFailed(RuntimeError):
    """A job stopped for an unexpected reason; the message holds no clinical words."""


def request_report(
    db: Session,
    couple_id: int,
    requester_id: int | None,
    period: Period,
    audience: str,
    paper: str,
    include_differences: bool = False,
    language: str = "",
) -> ReportRequest:
    """A new request, waiting for a worker; printed in `language` (empty: the clinician's)."""
    wanted = ReportRequest(
        language=language,
        couple_id=couple_id,
        requested_by_id=requester_id,
        audience=audience,
        paper=paper,
        include_differences=include_differences,
        period_start=period.start,
        period_end=period.end,
        status="queued",
    )
    db.add(wanted)
    db.flush()
    return wanted


def recent_requests(db: Session, clinician_id: int, since: datetime) -> int:
    """Reports this clinician asked a worker for since a moment (for the per-minute limit)."""
    return db.scalar(
        select(func.count()).where(
            ReportRequest.requested_by_id == clinician_id, ReportRequest.created_at >= since
        )
    )


def queue_request(db: Session, wanted: ReportRequest, watched: bool = False) -> bool:
    """Commit the request, then queue its job: True when queued. When Redis cannot be reached
    the request stays queued in the database (False), and resume_waiting queues it once Redis
    is back. A watched request (a clinician waiting on its page) goes ahead of a batch's."""
    # Committed before queuing: a worker may pick the job up at once and must find the row.
    db.commit()
    try:
        _enqueue(wanted.id, wanted.attempts, first=watched)
    except QueueUnavailable:
        return False
    return True


def _job_key(request_id: int, attempts: int) -> str:
    # One job per attempt, so a job that ran (and failed) is never mistaken for the next.
    return f"{request_id}-{attempts}"


def _enqueue(request_id: int, attempts: int, first: bool = False) -> None:
    enqueue("print_report", key=_job_key(request_id, attempts), first=first, request_id=request_id)


def _job_id(wanted: ReportRequest) -> str:
    """The id of the job that prints (or is printing) this request's current attempt."""
    # A running request's job was queued before its attempt was counted.
    attempts = wanted.attempts - 1 if wanted.status == "running" else wanted.attempts
    return job_id_for(current_app, "print_report", _job_key(wanted.id, attempts))


def resume_waiting(db: Session, now: datetime, request_id: int | None = None) -> int:
    """Queue again what Redis no longer holds: queued requests whose job is gone, and prints
    cut short (a worker killed, the database restarting) while attempts remain; a print cut
    short too often is marked failed. Returns how many were queued again.

    Raises QueueUnavailable when Redis still can't be reached."""
    query = select(ReportRequest).where(
        ReportRequest.status.in_(WAITING), ReportRequest.updated_at < now - RESUME_AFTER
    )
    if request_id is not None:
        query = query.where(ReportRequest.id == request_id)
    waiting = db.scalars(query).all()
    alive = jobs_alive(current_app._get_current_object(), [_job_id(w) for w in waiting])
    resumed = 0
    for wanted in waiting:
        abandoned = wanted.status == "running" and wanted.updated_at < now - ABANDONED_AFTER
        if not abandoned and _job_id(wanted) in alive:
            continue
        if wanted.status == "running" and wanted.attempts >= MAX_ATTEMPTS:
            _fail(db, wanted, GAVE_UP)
            continue
        wanted.status = "queued"
        db.commit()
        _enqueue(wanted.id, wanted.attempts, first=request_id is not None)
        resumed += 1
    return resumed


def _fail(db: Session, wanted: ReportRequest, message: str) -> None:
    wanted.status = "failed"
    wanted.error = str(message)[:300]
    db.commit()


def _clinician_language(db: Session, couple_id: int) -> str:
    """A request from before languages were kept: the clinician's language."""
    from practice.models import Couple
    from practice.reporting.language import clinician_language

    couple = db.get(Couple, couple_id)
    return clinician_language(couple.clinician if couple else None)


def _claim(db: Session, request_id: int) -> ReportRequest | None:
    """Take a queued request for this job, so two jobs for one request never both print."""
    taken = db.execute(
        update(ReportRequest)
        .where(ReportRequest.id == request_id, ReportRequest.status == "queued")
        .values(status="running", attempts=ReportRequest.attempts + 1, updated_at=utcnow())
    ).rowcount
    db.commit()
    return db.get(ReportRequest, request_id) if taken else None


def print_request(db: Session, request_id: int, folder: str) -> str:
    """Print, keep and record one requested report; returns the request's final status.

    A job for a request that another job took, printed or gave up on does nothing."""
    wanted = _claim(db, request_id)
    if wanted is None:
        current = db.get(ReportRequest, request_id)
        return current.status if current else "gone"
    period = Period(wanted.period_start, wanted.period_end)
    try:
        language = wanted.language or _clinician_language(db, wanted.couple_id)
        html = report_html(
            db,
            wanted.couple_id,
            period,
            wanted.audience,
            utcnow(),
            practice_zone(),
            wanted.paper,
            include_differences=wanted.include_differences,
            language=language,
        )
        db.commit()  # nothing written: end the transaction so printing holds no lock
        pdf = render(html)
        report = keep(
            db,
            folder,
            wanted.couple_id,
            wanted.requested_by_id,
            period,
            wanted.audience,
            wanted.paper,
            pdf,
        )
    except (ReportError, RenderError, ArchiveError) as exc:
        db.rollback()
        _fail(db, wanted, str(exc))
        return "failed"
    except CoupleClosed:
        db.rollback()
        _fail(db, wanted, CLINICIAN_MESSAGE)
        return "failed"
    except DBAPIError as exc:
        # The database went away under the print (a restart): the request stays "running"
        # and resume_waiting tries it again once the job is seen to have failed.
        db.rollback()
        raise JobFailed(f"report request {request_id}: {type(exc).__name__}") from None
    except Exception as exc:
        db.rollback()
        _fail(db, wanted, FAILED)
        current_app.logger.exception("Report request %s failed", request_id)
        # Only the kind of error goes back to Redis: its message might quote the record.
        raise JobFailed(f"report request {request_id}: {type(exc).__name__}") from None
    record("printed", "report", report.id, wanted.couple_id, user_id=wanted.requested_by_id)
    wanted.status = "ready"
    wanted.report_id = report.id
    wanted.error = None
    db.commit()
    return "ready"
