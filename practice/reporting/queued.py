"""Reports printed by a `practice worker`: the request a clinician sees, and the job's work.

A request holds ids, dates and plain words only; the worker gathers the couple's record itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.audit.capture import record
from practice.couples.closing import CLINICIAN_MESSAGE, CoupleClosed
from practice.jobs import QueueUnavailable, enqueue
from practice.models import ReportRequest, utcnow
from practice.reporting.archive import ArchiveError, keep
from practice.reporting.gather import ReportError
from practice.reporting.pipeline import report_html
from practice.reporting.printing import RenderError, render
from practice.timefmt import practice_zone

UNAVAILABLE = (
    "Printing is unavailable for a moment. Nothing was printed; please try again in a few minutes."
)
FAILED = (
    "The report could not be printed. Please try again; if it keeps happening, tell your "
    "practice's administrator."
)
WAITING = ("queued", "running")
# Far longer than any print may take (a render is stopped after a minute): a request still
# "running" after this was left by a worker that stopped mid-print.
ABANDONED_AFTER = timedelta(minutes=10)
ABANDONED = (
    "Printing stopped part-way because the print worker was restarted. Nothing was kept; "
    "please print it again."
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
) -> ReportRequest:
    """A new request, waiting for a worker."""
    wanted = ReportRequest(
        couple_id=couple_id,
        requested_by_id=requester_id,
        audience=audience,
        paper=paper,
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


def queue_request(db: Session, wanted: ReportRequest) -> None:
    """Commit the request, then queue its job. When Redis cannot be reached the request is
    marked failed (never left waiting) and QueueUnavailable is raised."""
    # Committed before queuing: a worker may pick the job up at once and must find the row.
    db.commit()
    try:
        enqueue("print_report", request_id=wanted.id)
    except QueueUnavailable:
        _fail(db, wanted, UNAVAILABLE)
        raise


def _fail(db: Session, wanted: ReportRequest, message: str) -> None:
    wanted.status = "failed"
    wanted.error = message
    db.commit()


def fail_abandoned(db: Session, now: datetime) -> int:
    """Mark requests a stopped worker left "running" as failed, with a plain message."""
    left = db.scalars(
        select(ReportRequest).where(
            ReportRequest.status == "running", ReportRequest.updated_at < now - ABANDONED_AFTER
        )
    ).all()
    for wanted in left:
        wanted.status = "failed"
        wanted.error = ABANDONED
    db.commit()
    return len(left)


def print_request(db: Session, request_id: int, folder: str) -> str:
    """Print, keep and record one requested report; returns the request's final status.

    A retried job finds the request ready (or failed) and does nothing twice."""
    wanted = db.get(ReportRequest, request_id)
    if wanted is None or wanted.status not in WAITING:
        return wanted.status if wanted else "gone"
    wanted.status = "running"
    db.commit()
    period = Period(wanted.period_start, wanted.period_end)
    try:
        html = report_html(
            db,
            wanted.couple_id,
            period,
            wanted.audience,
            utcnow(),
            practice_zone(),
            wanted.paper,
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
