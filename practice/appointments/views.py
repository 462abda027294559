"""Scheduling, editing and cancelling a couple's appointments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

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
from practice.timefmt import format_datetime, from_local, practice_zone, to_local

bp = Blueprint("appointments", __name__)


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
            )
        except AppointmentError as exc:
            db.session.rollback()
            form.starts_at.errors = [*form.starts_at.errors, str(exc)]
        else:
            db.session.commit()
            when = format_datetime(appointment.starts_at, zone)
            flash(f"Appointment scheduled for {when}.", "success")
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
    if form.validate_on_submit():
        try:
            update_appointment(
                db.session,
                appointment,
                from_local(form.starts_at.data, zone),
                form.duration_minutes.data,
                form.agenda_note.data,
            )
        except AppointmentError as exc:
            db.session.rollback()
            form.starts_at.errors = [*form.starts_at.errors, str(exc)]
        else:
            db.session.commit()
            flash("Appointment updated.", "success")
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
    except AppointmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Appointment cancelled.", "success")
    return redirect(url_for("couples.detail", couple_id=appointment.couple_id))
