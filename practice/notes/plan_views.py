"""Turning a note's plan item into what it asks for, one step each: an assignment, a boundary
proposal, a stage change, or an item on the next appointment's agenda."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from practice.access import clinician_required, get_note_or_404
from practice.appointments.services import upcoming_and_past
from practice.assignments.forms import AssignmentForm
from practice.assignments.services import AssignmentChoice, AssignmentError
from practice.boundaries.forms import BoundaryForm
from practice.boundaries.services import BoundaryDraft, BoundaryError
from practice.couples.forms import StageMoveForm
from practice.couples.services import CoupleError
from practice.db import db
from practice.exercises.schedule import weekday_mask
from practice.models import Couple, ExerciseTemplate, PlanItem, SessionNote, utcnow
from practice.notes.forms import AgendaForm
from practice.notes.plan import (
    make_agenda_item,
    make_assignment,
    make_boundary,
    make_stage_change,
)
from practice.notes.services import NoteError
from practice.timefmt import format_datetime, local_today, practice_zone

bp = Blueprint("note_plans", __name__)

ERRORS = (NoteError, AssignmentError, BoundaryError, CoupleError, ValueError)


def _today() -> date:
    return local_today(practice_zone(), utcnow())


def _item_or_404(note_id: int, item_id: int) -> tuple[SessionNote, PlanItem, Couple]:
    note = get_note_or_404(note_id)
    item = next((i for i in note.plan_items if i.id == item_id), None)
    if item is None:
        abort(404)
    return note, item, db.session.get(Couple, note.couple_id)


def _page(note, item, couple, form, action: str, heading: str, status: int = 200):
    if item.action is not None or note.signed:
        flash(
            _("This plan item has already been acted on.")
            if item.action
            else _("This note is signed, so its plan can no longer be acted on from here."),
            "error",
        )
        return redirect(url_for("notes.edit", note_id=note.id) + "#plan")
    return render_template(
        "notes/plan_action.html",
        note=note,
        item=item,
        couple=couple,
        form=form,
        action=action,
        heading=heading,
    ), status


def _done(note: SessionNote, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("notes.edit", note_id=note.id) + "#plan")


def _templates() -> list[ExerciseTemplate]:
    return list(
        db.session.scalars(
            select(ExerciseTemplate)
            .where(
                (ExerciseTemplate.owner_id.is_(None))
                | (ExerciseTemplate.owner_id == current_user.id),
                ExerciseTemplate.archived_at.is_(None),
            )
            .order_by(ExerciseTemplate.stage, ExerciseTemplate.title)
        )
    )


def _template(template_id: int | None) -> ExerciseTemplate | None:
    """One of the clinician's choosable exercises, archived ones included (they get a plain
    message rather than "not a valid choice")."""
    if template_id is None:
        return None
    return db.session.scalar(
        select(ExerciseTemplate).where(
            ExerciseTemplate.id == template_id,
            (ExerciseTemplate.owner_id.is_(None)) | (ExerciseTemplate.owner_id == current_user.id),
        )
    )


@bp.route("/notes/<int:note_id>/plan/<int:item_id>/assignment", methods=["GET", "POST"])
@clinician_required
def assignment(note_id: int, item_id: int):
    """The plan item becomes an assignment: exercise, rhythm, who answers."""
    note, item, couple = _item_or_404(note_id, item_id)
    form = AssignmentForm()
    choices = [
        SelectChoice(
            t.id,
            _("Stage %(stage)d: %(title)s", stage=t.stage, title=t.title)
            if t.is_builtin
            else _("Stage %(stage)d: %(title)s (yours)", stage=t.stage, title=t.title),
        )
        for t in _templates()
    ]
    form.template_id.choices = choices
    today = _today()
    if not form.is_submitted():
        form.start_on.data = today
        form.due_on.data = today + timedelta(days=7)
        form.note.data = item.text
    chosen = _template(form.template_id.data) if form.is_submitted() else None
    if chosen is not None and chosen.archived_at is not None:
        # Archived since the page was opened: say so in words, not "not a valid choice".
        form.template_id.choices = [*choices, SelectChoice(chosen.id, chosen.title)]
    if form.validate_on_submit():
        template = chosen
        if template is None:
            abort(404)
        try:
            choice = AssignmentChoice(
                answered_by=form.answered_by.data,
                visibility=form.visibility.data,
                schedule=form.schedule.data,
                start_on=form.start_on.data,
                due_on=form.due_on.data,
                end_on=form.end_on.data,
                weekdays=weekday_mask(int(d) for d in form.weekdays.data or []),
                note=form.note.data,
            )
            make_assignment(db.session, note, item, template, current_user, choice, today, utcnow())
        except ERRORS as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(note, _("Assigned: %(title)s.", title=template.title))
    status = 400 if form.is_submitted() else 200
    return _page(note, item, couple, form, "assignment", _("Make it an assignment"), status)


@bp.route("/notes/<int:note_id>/plan/<int:item_id>/boundary", methods=["GET", "POST"])
@clinician_required
def boundary(note_id: int, item_id: int):
    """The plan item becomes a boundary proposal both partners are asked to accept."""
    note, item, couple = _item_or_404(note_id, item_id)
    form = BoundaryForm()
    if not form.is_submitted():
        form.text.data = item.text
    if form.validate_on_submit():
        draft = BoundaryDraft(
            form.text.data or "",
            form.consequence.data or "",
            form.check_period.data,
            form.review_on.data,
        )
        try:
            make_boundary(db.session, note, item, draft, current_user, _today(), utcnow())
        except ERRORS as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(note, _("Boundary proposed: both partners are asked to accept it."))
    status = 400 if form.is_submitted() else 200
    return _page(note, item, couple, form, "boundary", _("Make it a boundary proposal"), status)


@bp.route("/notes/<int:note_id>/plan/<int:item_id>/stage", methods=["GET", "POST"])
@clinician_required
def stage(note_id: int, item_id: int):
    """The plan item becomes a move to another stage, with its reason."""
    note, item, couple = _item_or_404(note_id, item_id)
    form = StageMoveForm()
    if not form.is_submitted():
        form.target.data = min(couple.stage + 1, 7)
        form.reason.data = item.text
    if form.validate_on_submit():
        try:
            make_stage_change(
                db.session, note, item, form.target.data, form.reason.data, current_user, utcnow()
            )
        except ERRORS as exc:
            db.session.rollback()
            form.target.errors = [*form.target.errors, str(exc)]
        else:
            return _done(
                note,
                _("%(couple)s is now in stage %(stage)d.", couple=couple.label, stage=couple.stage),
            )
    status = 400 if form.is_submitted() else 200
    return _page(note, item, couple, form, "stage", _("Make it a stage change"), status)


@bp.route("/notes/<int:note_id>/plan/<int:item_id>/agenda", methods=["GET", "POST"])
@clinician_required
def agenda(note_id: int, item_id: int):
    """The plan item goes on an upcoming appointment's agenda (only the clinician sees it)."""
    note, item, couple = _item_or_404(note_id, item_id)
    now = utcnow()
    upcoming, _past = upcoming_and_past(db.session, couple, now, past_limit=0)
    form = AgendaForm()
    zone = practice_zone()
    form.appointment_id.choices = [
        SelectChoice(a.id, format_datetime(a.starts_at, zone)) for a in upcoming
    ]
    if not upcoming:
        form.form_errors.append(
            _(
                "There is no upcoming appointment to put this on. Schedule one from the "
                "couple's page first."
            )
        )
    if form.validate_on_submit() and upcoming:
        appointment = next(a for a in upcoming if a.id == form.appointment_id.data)
        try:
            make_agenda_item(db.session, note, item, appointment, now)
        except ERRORS as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            return _done(
                note,
                _(
                    "Added to the agenda for %(when)s.",
                    when=format_datetime(appointment.starts_at, zone),
                ),
            )
    status = 400 if form.is_submitted() else 200
    return _page(note, item, couple, form, "agenda", _("Put it on an agenda"), status)
