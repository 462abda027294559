"""Scheduling, editing and cancelling a couple's appointments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from practice.access import clinician_required, get_appointment_or_404, get_couple_or_404
from practice.appointments.forms import AppointmentForm
from practice.appointments.services import (
    AppointmentError,
    cancel_appointment,
    schedule_appointment,
    update_appointment,
)
from practice.auth.forms import PostForm
from practice.db import db
from practice.models import utcnow
from practice.reporting.prepared import (
    appointment_cancelled,
    appointment_moved,
    prepare_if_soon,
    queue_prepared,
)
from practice.timefmt import format_datetime, from_local, practice_zone, to_local

bp = Blueprint("appointments", __name__)


def _link(form: AppointmentForm) -> str | None:
    """The meeting link, kept only for an online session."""
    return form.meeting_link.data if form.mode.data == "online" else None


@bp.route("/couples/<int:couple_id>/appointments/new", methods=["GET", "POST"])
@clinician_required
def new(couple_id: int):
    """Schedule an appointment for a couple."""
    couple = get_couple_or_404(couple_id)
    form = AppointmentForm()
    if form.validate_on_submit():
        zone = practice_zone()
        try:
            appointment = schedule_appointment(
                db.session,
                couple,
                from_local(form.starts_at.data, zone),
                form.duration_minutes.data,
                form.agenda_note.data,
                meeting_link=_link(form),
            )
            soon = prepare_if_soon(db.session, appointment, utcnow(), zone)
        except AppointmentError as exc:
            db.session.rollback()
            form.starts_at.errors = [*form.starts_at.errors, str(exc)]
        else:
            db.session.commit()
            queue_prepared(db.session, soon)
            when = format_datetime(appointment.starts_at, zone)
            flash(_("Appointment scheduled for %(when)s.", when=when), "success")
            return redirect(url_for("couples.detail", couple_id=couple.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "appointments/form.html", form=form, couple=couple, appointment=None
    ), status


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
@clinician_required
def edit(appointment_id: int):
    """Change an appointment's time, length or agenda note."""
    appointment = get_appointment_or_404(appointment_id)
    zone = practice_zone()
    form = AppointmentForm()
    if not form.is_submitted():
        form.starts_at.data = to_local(appointment.starts_at, zone).replace(tzinfo=None)
        form.duration_minutes.data = appointment.duration_minutes
        form.agenda_note.data = appointment.agenda_note
        form.mode.data = appointment.mode
        form.meeting_link.data = appointment.meeting_link
    if form.validate_on_submit():
        try:
            moved = update_appointment(
                db.session,
                appointment,
                from_local(form.starts_at.data, zone),
                form.duration_minutes.data,
                form.agenda_note.data,
                meeting_link=_link(form),
            )
            again = appointment_moved(db.session, appointment, utcnow(), zone) if moved else None
        except AppointmentError as exc:
            db.session.rollback()
            form.starts_at.errors = [*form.starts_at.errors, str(exc)]
        else:
            db.session.commit()
            queue_prepared(db.session, again)
            flash(_("Appointment updated."), "success")
            return redirect(url_for("couples.detail", couple_id=appointment.couple_id))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "appointments/form.html",
            form=form,
            couple=appointment.couple,
            appointment=appointment,
            cancel_form=PostForm(),
            now=utcnow(),
        ),
        status,
    )


@bp.post("/appointments/<int:appointment_id>/cancel")
@clinician_required
def cancel(appointment_id: int):
    """Cancel an upcoming appointment."""
    appointment = get_appointment_or_404(appointment_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        cancel_appointment(appointment)
        appointment_cancelled(db.session, appointment)
    except AppointmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Appointment cancelled."), "success")
    return redirect(url_for("couples.detail", couple_id=appointment.couple_id))
