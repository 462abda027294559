"""Assigning exercises, following them, pausing and stopping; stage plans."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from practice.access import (
    clinician_required,
    get_assignment_or_404,
    get_couple_or_404,
    get_template_or_404,
)
from practice.assignments.forms import AssignmentForm, PlanItemForm, schedule_numbers
from practice.assignments.plans import (
    accept_plan,
    add_plan_item,
    describe_entry,
    plan_for,
    remove_plan_item,
    reset_plan,
    skip_plan,
)
from practice.assignments.services import (
    AssignmentChoice,
    AssignmentError,
    assign,
    completion,
    pause,
    resume,
    rule_of,
    slots_of,
    stop,
    submitted_days,
)
from practice.auth.forms import PostForm
from practice.db import db
from practice.exercises.schedule import (
    describe,
    occurrence_state,
    occurrences,
    weekday_mask,
)
from practice.exercises.services import definition_of
from practice.inputs import query_int
from practice.models import ExerciseTemplate, Response, utcnow
from practice.stages import STAGES
from practice.timefmt import local_today, practice_zone

bp = Blueprint("assignments", __name__)


def _today():
    return local_today(practice_zone(), utcnow())


def _template_choices():
    templates = db.session.scalars(
        select(ExerciseTemplate)
        .where(
            (ExerciseTemplate.owner_id.is_(None)) | (ExerciseTemplate.owner_id == current_user.id),
            ExerciseTemplate.archived_at.is_(None),
        )
        .order_by(ExerciseTemplate.stage, ExerciseTemplate.title)
    ).all()
    return [
        (
            t.id,
            _("Stage %(stage)d: %(title)s", stage=t.stage, title=t.title)
            if t.is_builtin
            else _("Stage %(stage)d: %(title)s (yours)", stage=t.stage, title=t.title),
        )
        for t in templates
    ]


@bp.route("/couples/<int:couple_id>/assign", methods=["GET", "POST"])
@clinician_required
def new(couple_id: int):
    """Assign an exercise to a couple, once or on a rhythm."""
    couple = get_couple_or_404(couple_id)
    form = AssignmentForm()
    form.template_id.choices = _template_choices()
    today = _today()
    if not form.is_submitted():
        form.start_on.data = today
        form.due_on.data = today + timedelta(days=7)
        chosen = query_int("template")
        if chosen:
            template = get_template_or_404(chosen)
            definition = definition_of(template.latest)
            form.template_id.data = template.id
            form.answered_by.data = definition.answered_by
            form.visibility.data = definition.visibility
            form.schedule.data = definition.recurrence or "once"
    if form.validate_on_submit():
        template = get_template_or_404(form.template_id.data)
        try:
            weekdays = weekday_mask(int(d) for d in form.weekdays.data or [])
            every_weeks, days_before = schedule_numbers(form)
            choice = AssignmentChoice(
                answered_by=form.answered_by.data,
                visibility=form.visibility.data,
                schedule=form.schedule.data,
                start_on=form.start_on.data,
                due_on=form.due_on.data,
                end_on=form.end_on.data,
                weekdays=weekdays,
                note=form.note.data,
                every_weeks=every_weeks,
                days_before=days_before,
            )
            assignment = assign(db.session, couple, template, current_user, choice, today)
        except (AssignmentError, ValueError) as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Assigned: %(title)s.", title=template.title), "success")
            return redirect(url_for("assignments.detail", assignment_id=assignment.id))
    status = 400 if form.is_submitted() else 200
    return render_template("assignments/new.html", form=form, couple=couple), status


@bp.get("/assignments/<int:assignment_id>")
@clinician_required
def detail(assignment_id: int):
    """One assignment: its rhythm, completion per partner and each occurrence so far."""
    assignment = get_assignment_or_404(assignment_id)
    today = _today()
    submitted = submitted_days(db.session, [assignment.id], practice_zone())
    rule = rule_of(assignment)
    if assignment.schedule == "once":
        days = [assignment.due_on]
    else:
        days = occurrences(
            rule, max(assignment.start_on, today - timedelta(days=60)), today + timedelta(days=8)
        )
    responses = {
        (r.occurrence_on, r.slot): r
        for r in db.session.scalars(
            select(Response).where(
                Response.assignment_id == assignment.id, Response.status == "submitted"
            )
        )
    }
    rows = []
    for day in reversed(days):
        states = []
        for slot in slots_of(assignment):
            state = occurrence_state(rule, day, today, submitted.get((assignment.id, day, slot)))
            states.append((slot, state, responses.get((day, slot))))
        rows.append((day, states))
    return render_template(
        "assignments/detail.html",
        assignment=assignment,
        rule_text=describe(rule),
        completion=completion(assignment, submitted, today),
        rows=rows,
        post_form=PostForm(),
    )


@bp.post("/assignments/<int:assignment_id>/<action>")
@clinician_required
def change(assignment_id: int, action: str):
    """Pause, resume or stop an assignment."""
    assignment = get_assignment_or_404(assignment_id)
    actions = {"pause": pause, "resume": resume, "stop": stop}
    if action not in actions:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        actions[action](assignment, _today())
    except AssignmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            {"pause": _("Paused."), "resume": _("Resumed."), "stop": _("Stopped.")}[action],
            "success",
        )
    return redirect(url_for("assignments.detail", assignment_id=assignment.id))


@bp.route("/couples/<int:couple_id>/plan", methods=["GET", "POST"])
@clinician_required
def plan(couple_id: int):
    """The plan for the couple's new stage: accept it in one step, adjust it, or skip it."""
    couple = get_couple_or_404(couple_id)
    if couple.plan_offer_stage is None:
        flash(_("There is no stage plan waiting for this couple."), "info")
        return redirect(url_for("couples.detail", couple_id=couple.id))
    entries, own = plan_for(db.session, current_user, couple.plan_offer_stage)
    form = PostForm()
    if form.validate_on_submit():
        if request.form.get("decision") == "skip":
            skip_plan(couple)
            db.session.commit()
            flash(_("Plan skipped. You can assign exercises one by one at any time."), "info")
            return redirect(url_for("couples.detail", couple_id=couple.id))
        chosen = [int(i) for i in request.form.getlist("entry") if i.isascii() and i.isdigit()]
        try:
            made = accept_plan(db.session, couple, current_user, chosen, _today())
        except AssignmentError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            waiting = sum(1 for a in made if a.status == "awaiting_consent")
            message = ngettext(
                "%(num)d exercise assigned.", "%(num)d exercises assigned.", len(made)
            )
            if waiting:
                message += " " + ngettext(
                    "%(num)d will start once the injured partner says they are ready.",
                    "%(num)d will start once the injured partner says they are ready.",
                    waiting,
                )
            flash(message, "success")
            return redirect(url_for("couples.detail", couple_id=couple.id))
    return render_template(
        "assignments/plan.html",
        couple=couple,
        entries=entries,
        own=own,
        form=form,
        describe_entry=describe_entry,
        stage=STAGES[couple.plan_offer_stage],
    )


@bp.route("/plans/<int:stage>", methods=["GET", "POST"])
@clinician_required
def edit_plan(stage: int):
    """A clinician's own plan for a stage: add or remove exercises, or go back to the default."""
    if stage not in STAGES:
        abort(404)
    form = PlanItemForm()
    form.template_id.choices = _template_choices()
    if form.validate_on_submit():
        template = get_template_or_404(form.template_id.data)
        try:
            add_plan_item(
                db.session,
                current_user,
                stage,
                template,
                form.answered_by.data,
                form.schedule.data,
                weekday_mask(int(d) for d in form.weekdays.data or []),
                form.due_in_days.data,
                form.needs_injured_consent.data == "yes",
            )
        except AssignmentError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Added to your plan."), "success")
            return redirect(url_for("assignments.edit_plan", stage=stage))
    entries, own = plan_for(db.session, current_user, stage)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "assignments/edit_plan.html",
        stage=STAGES[stage],
        entries=entries,
        own=own,
        form=form,
        post_form=PostForm(),
        describe_entry=describe_entry,
    ), status


@bp.post("/plans/<int:stage>/remove/<int:index>")
@clinician_required
def remove_from_plan(stage: int, index: int):
    """Remove one exercise from the clinician's plan for a stage."""
    if stage not in STAGES or not PostForm().validate_on_submit():
        abort(404 if stage not in STAGES else 400)
    try:
        remove_plan_item(db.session, current_user, stage, index)
    except AssignmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Removed from your plan."), "success")
    return redirect(url_for("assignments.edit_plan", stage=stage))


@bp.post("/plans/<int:stage>/reset")
@clinician_required
def reset(stage: int):
    """Go back to Mend's built-in plan for a stage."""
    if stage not in STAGES or not PostForm().validate_on_submit():
        abort(404 if stage not in STAGES else 400)
    reset_plan(db.session, current_user, stage)
    db.session.commit()
    flash(_("Back to Mend's built-in plan for this stage."), "success")
    return redirect(url_for("assignments.edit_plan", stage=stage))
