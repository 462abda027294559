"""Boundaries: partners propose, accept and log them; clinicians revise them with the couple."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import selectinload

from practice.access import (
    client_required,
    clinician_required,
    get_boundary_or_404,
    get_couple_or_404,
    own_partner,
)
from practice.auth.forms import PostForm
from practice.boundaries.forms import BoundaryForm, ReviseForm, SessionBoundaryForm
from practice.boundaries.services import (
    BACKFILL_DAYS,
    BoundaryDraft,
    BoundaryError,
    accept,
    ask_to_discuss,
    log,
    pause,
    period_for,
    propose,
    resume,
    retire,
    revise,
)
from practice.db import db
from practice.inputs import REFUSED, has_controls, without_controls
from practice.models import Boundary, BoundaryLog, Partner, utcnow
from practice.timefmt import local_today, practice_zone

bp = Blueprint("boundaries", __name__)


def _today() -> date:
    return local_today(practice_zone(), utcnow())


def _draft(form: BoundaryForm) -> BoundaryDraft:
    return BoundaryDraft(
        form.text.data or "",
        form.consequence.data or "",
        form.check_period.data,
        form.review_on.data,
    )


# Partners ------------------------------------------------------------------------------------


@bp.route("/boundaries", methods=["GET", "POST"])
@client_required
def mine():
    """All boundaries on one screen: today's log with one tap each, proposals, a new proposal."""
    partner = own_partner()
    today = _today()
    try:
        day = date.fromisoformat(request.args.get("day") or today.isoformat())
    except ValueError:
        day = today
    if not today - timedelta(days=BACKFILL_DAYS) <= day <= today:
        day = today
    form = BoundaryForm()
    if form.validate_on_submit():
        try:
            propose(db.session, partner.couple, _draft(form), today, by_partner=partner)
        except BoundaryError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                "Proposed. Your partner will see it and can accept it or ask to talk it "
                "through in session.",
                "success",
            )
            return redirect(url_for("boundaries.mine"))
    return _render_mine(partner, day, today, form)


def _render_mine(partner, day, today, form, refused: dict | None = None):
    """The partner's boundaries page; `refused` holds a log that could not be saved (boundary
    id -> (message, the note as typed)), shown again with its words."""
    boundaries, logs = _boundaries_with_logs(partner, day)
    active = [b for b in boundaries if b.status == "active"]
    days = [today - timedelta(days=i) for i in range(BACKFILL_DAYS + 1)]
    return render_template(
        "boundaries/mine.html",
        refused=refused or {},
        partner=partner,
        active=active,
        proposed=[b for b in boundaries if b.status == "proposed"],
        paused=[b for b in boundaries if b.status == "paused"],
        logs=logs,
        day=day,
        days=days,
        today=today,
        form=form,
        post_form=PostForm(),
    ), 400 if form.is_submitted() else 200


# Built once (every visit to a partner's boundaries page runs it); ids and days bound per call.
_BOUNDARIES_WITH_LOGS = (
    select(Boundary, BoundaryLog)
    .outerjoin(
        BoundaryLog,
        and_(
            BoundaryLog.boundary_id == Boundary.id,
            BoundaryLog.partner_id == bindparam("partner_id"),
            BoundaryLog.period_start.in_([bindparam("day"), bindparam("monday")]),
        ),
    )
    .where(Boundary.couple_id == bindparam("couple_id"), Boundary.status != "retired")
    .order_by(Boundary.created_at, Boundary.id)
)


def _boundaries_with_logs(
    partner: Partner, day: date
) -> tuple[list[Boundary], dict[int, BoundaryLog]]:
    """The couple's boundaries (not retired) and, for the active ones, this partner's log of
    the day's period, in one query: each boundary with the partner's logs of that day or that
    week's Monday joined to it."""
    rows = db.session.execute(
        _BOUNDARIES_WITH_LOGS,
        {
            "couple_id": partner.couple_id,
            "partner_id": partner.id,
            "day": day,
            "monday": day - timedelta(days=day.weekday()),
        },
    ).all()
    boundaries = list(dict.fromkeys(boundary for boundary, _entry in rows))
    logs = {
        boundary.id: entry
        for boundary, entry in rows
        if entry is not None
        and boundary.status == "active"
        and entry.period_start == period_for(boundary, day)
    }
    return boundaries, logs


@bp.post("/boundaries/<int:boundary_id>/log")
@client_required
def log_entry(boundary_id: int):
    """Record kept, crossed or not applicable for a day (one tap)."""
    partner = own_partner()
    boundary = get_boundary_or_404(boundary_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        day = None
    try:
        if day is None:
            raise BoundaryError(_("Please choose a day."))
        if has_controls(request.form.get("note")):
            raise BoundaryError(REFUSED)
        log(
            db.session,
            boundary,
            partner,
            day,
            request.form.get("status", ""),
            request.form.get("note"),
            _today(),
            zone=practice_zone(),
        )
    except BoundaryError as exc:
        db.session.rollback()
        # The page again, with the message by this boundary and the note as it was typed
        # (without characters that cannot be stored), rather than a redirect that loses it.
        today = _today()
        shown = day if day and today - timedelta(days=BACKFILL_DAYS) <= day <= today else today
        note = without_controls(request.form.get("note") or "")
        refused = {boundary.id: (str(exc), note)}
        if boundary.status != "active":
            flash(str(exc), "error")  # it has no place on the page to be said next to
        html, _status = _render_mine(partner, shown, today, BoundaryForm(formdata=None), refused)
        return html, 400
    db.session.commit()
    noted = {
        "kept": _("Noted as kept. Thank you for being honest."),
        "crossed": _("Noted as crossed. Thank you for being honest."),
        "na": _("Noted as not applicable. Thank you for being honest."),
    }
    flash(noted[request.form["status"]], "success")
    return redirect(url_for("boundaries.mine", day=day.isoformat()))


@bp.post("/boundaries/<int:boundary_id>/respond")
@client_required
def respond(boundary_id: int):
    """Accept a proposed boundary, or ask to talk about it in session."""
    partner = own_partner()
    boundary = get_boundary_or_404(boundary_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        if request.form.get("answer") == "accept":
            accept(boundary, partner)
            message = "Accepted. It is active now." if boundary.status == "active" else "Accepted."
        else:
            ask_to_discuss(boundary, partner)
            message = "Noted: you'd like to talk about it in session first."
    except BoundaryError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("boundaries.mine"))


@bp.get("/boundaries/<int:boundary_id>")
@client_required
def history(boundary_id: int):
    """A boundary's history: every version, what changed and who agreed."""
    boundary = get_boundary_or_404(boundary_id)
    return render_template("boundaries/history.html", boundary=boundary)


# Clinicians ----------------------------------------------------------------------------------


@bp.get("/boundaries/<int:boundary_id>/history")
@clinician_required
def clinician_history(boundary_id: int):
    """A boundary's history, for the clinician."""
    boundary = get_boundary_or_404(boundary_id)
    return render_template("boundaries/history.html", boundary=boundary)


@bp.route("/couples/<int:couple_id>/boundaries", methods=["GET", "POST"])
@clinician_required
def manage(couple_id: int):
    """All of a couple's boundaries, and a form to write one with the couple in session."""
    couple = get_couple_or_404(couple_id)
    form = SessionBoundaryForm()
    if form.validate_on_submit():
        try:
            boundary = propose(db.session, couple, _draft(form), _today(), by_user=current_user)
            if form.agreed_in_session.data:
                revise(
                    boundary,
                    _draft(form),
                    "Agreed in session",
                    current_user,
                    _today(),
                    agreed_in_session=True,
                )
        except BoundaryError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Boundary saved."), "success")
            return redirect(url_for("boundaries.manage", couple_id=couple.id))
    boundaries = db.session.scalars(
        select(Boundary)
        .where(Boundary.couple_id == couple.id)
        .options(selectinload(Boundary.revisions))
        .order_by(Boundary.status, Boundary.created_at)
    ).all()
    return render_template(
        "boundaries/manage.html",
        couple=couple,
        boundaries=boundaries,
        form=form,
        post_form=PostForm(),
    ), 400 if form.is_submitted() else 200


@bp.route("/boundaries/<int:boundary_id>/revise", methods=["GET", "POST"])
@clinician_required
def edit(boundary_id: int):
    """Change a boundary with the couple; the earlier wording stays in its history."""
    boundary = get_boundary_or_404(boundary_id)
    form = ReviseForm()
    if not form.is_submitted():
        form.text.data, form.consequence.data = boundary.text, boundary.consequence
        form.check_period.data, form.review_on.data = boundary.check_period, boundary.review_on
    if form.validate_on_submit():
        try:
            revise(
                boundary,
                _draft(form),
                form.summary.data,
                current_user,
                _today(),
                agreed_in_session=form.agreed_in_session.data,
            )
        except BoundaryError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Boundary updated; its history keeps the earlier wording."), "success")
            return redirect(url_for("boundaries.manage", couple_id=boundary.couple_id))
    return render_template("boundaries/revise.html", boundary=boundary, form=form), (
        400 if form.is_submitted() else 200
    )


@bp.post("/boundaries/<int:boundary_id>/status")
@clinician_required
def change_status(boundary_id: int):
    """Pause, resume or retire a boundary."""
    boundary = get_boundary_or_404(boundary_id)
    if not PostForm().validate_on_submit():
        abort(400)
    action = request.form.get("action")
    try:
        if action == "pause":
            pause(boundary, _today())
        elif action == "resume":
            resume(boundary, _today())
        elif action == "retire":
            retire(boundary)
        else:
            raise BoundaryError(_("Choose pause, resume or retire."))
    except BoundaryError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        done = {
            "active": _("Boundary active."),
            "paused": _("Boundary paused."),
            "retired": _("Boundary retired."),
            "proposed": _("Boundary proposed."),
        }
        flash(done.get(boundary.status, _("Boundary saved.")), "success")
    return redirect(url_for("boundaries.manage", couple_id=boundary.couple_id))
