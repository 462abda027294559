"""Preparing, previewing, printing and reopening pre-session reports."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.access import clinician_required, get_couple_or_404, get_report_request_or_404
from practice.appointments.services import previous_appointment
from practice.audit.capture import record
from practice.auth.forms import PostForm
from practice.couples.closing import ensure_open
from practice.db import db
from practice.downloads import file_response
from practice.i18n import LANGUAGES, reader_language
from practice.insights.periods import CHOICES, PeriodError, choose_period
from practice.jobs import QueueUnavailable, queue_answers, queue_configured
from practice.models import Couple, Report, utcnow
from practice.reporting.archive import ArchiveError, keep, read, recent_count
from practice.reporting.gather import ReportError
from practice.reporting.language import couple_language
from practice.reporting.pipeline import report_html
from practice.reporting.printing import RenderError, render
from practice.reporting.queued import (
    WAITING,
    queue_request,
    recent_requests,
    request_report,
    resume_waiting,
)
from practice.timefmt import format_time, local_today, practice_zone

bp = Blueprint("reports", __name__)
REFRESH_SECONDS = 3  # how often a waiting report's page looks again


def _period(couple: Couple, session: Session | None = None):
    zone = practice_zone()
    now = utcnow()
    last = previous_appointment(session or db.session, couple.id, now)
    return choose_period(
        request.values.get("period", "last"),
        local_today(zone, now),
        last.starts_at.astimezone(zone).date() if last else None,
        request.values.get("start"),
        request.values.get("end"),
    )


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.values.get(name, allowed[0])
    return value if value in allowed else allowed[0]


@bp.get("/couples/<int:couple_id>/report")
@clinician_required
def prepare(couple_id: int):
    """Choose the period and audience; reopen earlier reports."""
    couple = get_couple_or_404(couple_id)
    kept = db.session.scalars(
        select(Report)
        .where(Report.couple_id == couple.id)
        .order_by(Report.created_at.desc())
        .limit(30)
    ).all()
    return render_template(
        "reports/prepare.html",
        couple=couple,
        choices=CHOICES,
        kept=kept,
        form=PostForm(),
        languages=LANGUAGES,
        couple_language=couple_language(couple),
    )


def _language(couple: Couple, audience: str) -> str:
    """The report's language: the couple's copy in the one the clinician picked (else the
    partners' common language, else the practice's); the clinician's copy in the language
    Mend speaks to the clinician."""
    if audience == "couple":
        chosen = request.values.get("language", "")
        return chosen if chosen in LANGUAGES else couple_language(couple)
    return reader_language()


def _include_differences() -> bool:
    """Whether the couple's copy prints where the partners' reports differ (the clinician's
    choice on the prepare page; left out unless asked)."""
    return request.values.get("differences") == "include"


@bp.get("/couples/<int:couple_id>/report/preview")
@clinician_required
def preview(couple_id: int):
    """The report as a web page (the same template the PDF uses)."""
    couple = get_couple_or_404(couple_id)
    audience = _choice("audience", ("clinician", "couple"))
    try:
        _name, period = _period(couple)
        html = report_html(
            db.session,
            couple.id,
            period,
            audience,
            utcnow(),
            practice_zone(),
            _choice("paper", ("A4", "letter")),
            inline_css=True,
            include_differences=_include_differences(),
            language=_language(couple, audience),
        )
    except (PeriodError, ReportError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("reports.prepare", couple_id=couple.id))
    return Response(html, mimetype="text/html")


@bp.post("/couples/<int:couple_id>/report")
@clinician_required
def generate(couple_id: int):
    """Print the report to PDF, keep it, and hand it over (with a job queue: ask a worker)."""
    couple = get_couple_or_404(couple_id)
    if not PostForm().validate_on_submit():
        abort(400)
    ensure_open(couple)  # refuse before the costly print, not only when keeping it
    queued = queue_configured()
    since = utcnow() - timedelta(minutes=1)
    counter = recent_requests if queued else recent_count
    if counter(db.session, current_user.id, since) >= current_app.config["REPORTS_PER_MINUTE"]:
        return render_template(
            "errors/error.html",
            code=429,
            title=_("That's a lot of reports at once"),
            message=_("Please wait a minute before printing another one."),
        ), 429
    audience = _choice("audience", ("clinician", "couple"))
    paper = _choice("paper", ("A4", "letter"))
    if queued:
        return _ask_worker(couple, audience, paper)
    differ = _include_differences()
    language = _language(couple, audience)
    # Printing takes a while: release the write lock for it (SQLite has one for everybody).
    db.session.commit()
    try:
        with db.reading() as reader:
            _name, period = _period(couple, reader)
            html = report_html(
                reader,
                couple.id,
                period,
                audience,
                utcnow(),
                practice_zone(),
                paper,
                include_differences=differ,
                language=language,
            )
        pdf = render(html)
        report = keep(
            db.session,
            current_app.config["REPORT_DIR"],
            couple.id,
            current_user.id,
            period,
            audience,
            paper,
            pdf,
        )
    except (PeriodError, ReportError, RenderError, ArchiveError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("reports.prepare", couple_id=couple.id))
    record("printed", "report", report.id, couple.id)
    db.session.commit()
    return redirect(url_for("reports.download", report_id=report.id))


def _ask_worker(couple: Couple, audience: str, paper: str):
    try:
        _name, period = _period(couple)
    except PeriodError as exc:
        flash(str(exc), "error")
        return redirect(url_for("reports.prepare", couple_id=couple.id))
    wanted = request_report(
        db.session,
        couple.id,
        current_user.id,
        period,
        audience,
        paper,
        _include_differences(),
        language=_language(couple, audience),
    )
    # Commits (the worker must find the request); ahead of any batch, since someone is waiting.
    # When Redis is away the request is kept, and its page says so.
    queue_request(db.session, wanted, watched=True)
    return redirect(url_for("reports.request_status", request_id=wanted.id))


@bp.get("/report-requests/<int:request_id>")
@clinician_required
def request_status(request_id: int):
    """Where a queued report is; refreshes itself until it is printed."""
    wanted = get_report_request_or_404(request_id)
    queue_reachable = True
    if wanted.status in WAITING and queue_configured():
        # Someone is watching: if Redis lost this request's job, queue it again now rather
        # than at the worker's next sweep.
        try:
            resume_waiting(db.session, utcnow(), request_id=wanted.id)
            queue_reachable = queue_answers(current_app)
        except QueueUnavailable:
            queue_reachable = False
    couple = db.session.get(Couple, wanted.couple_id)
    return render_template(
        "reports/request_status.html",
        wanted=wanted,
        couple=couple,
        waiting=wanted.status in WAITING,
        queue_reachable=queue_reachable,
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.get("/reports/<int:report_id>")
@clinician_required
def download(report_id: int):
    """A kept report, exactly as it was printed."""
    report = db.session.scalar(
        select(Report)
        .join(Couple, Couple.id == Report.couple_id)
        .where(Report.id == report_id, Couple.clinician_id == current_user.id)
    )
    if report is None:
        abort(404)
    try:
        data = read(current_app.config["REPORT_DIR"], report)
    except (OSError, ArchiveError):
        abort(410)
    couple = db.session.get(Couple, report.couple_id)
    record("exported", "report", report.id, couple.id)
    name = f"mend-{couple.label}-{report.period_start}-{report.audience}.pdf".replace(" ", "-")
    return file_response(data, "application/pdf", name)


@bp.app_template_global("prepared_report")
def prepared_report(couple_id: int):
    """For the couple page: the prepared report of the couple's next session, or None."""
    from practice.reporting.prepared import prepared_state

    zone = practice_zone()
    state = prepared_state(db.session, couple_id, utcnow(), zone)
    if state is None:
        return None
    at = format_time(state.prepared_at, zone) if state.prepared_at else None
    return {"state": state, "at": at, "form": PostForm()}


@bp.post("/prepared-reports/<int:prepared_id>/again")
@clinician_required
def prepare_again(prepared_id: int):
    """Prepare the report of the couple's next session again (queued; without a job queue,
    printed now)."""
    from practice.models import PreparedReport
    from practice.reporting.prepared import ask_again, prepare, queue_prepared

    row = db.session.scalar(
        select(PreparedReport)
        .join(Couple, Couple.id == PreparedReport.couple_id)
        .where(PreparedReport.id == prepared_id, Couple.clinician_id == current_user.id)
    )
    if row is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    couple = db.session.get(Couple, row.couple_id)
    ensure_open(couple)
    ask_again(db.session, row)
    db.session.commit()
    if queue_configured():
        queue_prepared(db.session, row)
        flash(
            _("The report is being prepared again; it will be ready in a minute or two."),
            "success",
        )
    else:
        outcome = prepare(
            db.session, row.id, row.generation, current_app.config["REPORT_DIR"], practice_zone()
        )
        if outcome == "ready":
            flash(_("The report was prepared again."), "success")
        else:
            flash(
                _("The report could not be prepared. You can print it from the report page."),
                "error",
            )
    return redirect(url_for("couples.detail", couple_id=couple.id))
