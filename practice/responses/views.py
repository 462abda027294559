"""The clinician reads a couple's answers: a filterable timeline, each answer, a review."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from practice.access import clinician_required, get_couple_or_404, get_response_or_404
from practice.db import db
from practice.exercises.services import definition_of
from practice.inputs import query_int
from practice.models import Assignment, ExerciseTemplate, Response
from practice.responses.forms import ReviewForm
from practice.responses.services import review
from practice.worksheets.answers import render_answers

bp = Blueprint("responses", __name__)

SLOT_LABELS = {"injured": "Injured partner", "involved": "Involved partner", "together": "Together"}


@bp.get("/couples/<int:couple_id>/responses")
@clinician_required
def timeline(couple_id: int):
    """Every submitted answer of the couple, newest first, filterable; new ones marked."""
    couple = get_couple_or_404(couple_id)
    query = (
        select(Response, Assignment, ExerciseTemplate)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
        .where(Assignment.couple_id == couple.id, Response.status == "submitted")
    )
    stage = query_int("stage")
    slot = request.args.get("partner")
    template_id = query_int("exercise")
    if stage in range(1, 8):
        query = query.where(ExerciseTemplate.stage == stage)
    if slot in SLOT_LABELS:
        query = query.where(Response.slot == slot)
    if template_id:
        query = query.where(ExerciseTemplate.id == template_id)
    if request.args.get("new") == "1":
        query = query.where(Response.reviewed_at.is_(None))
    rows = db.session.execute(query.order_by(Response.submitted_at.desc()).limit(300)).all()
    exercises = db.session.execute(
        select(ExerciseTemplate.id, ExerciseTemplate.title)
        .join(Assignment, Assignment.template_id == ExerciseTemplate.id)
        .where(Assignment.couple_id == couple.id)
        .distinct()
        .order_by(ExerciseTemplate.title)
    ).all()
    return render_template(
        "responses/timeline.html",
        couple=couple,
        rows=rows,
        exercises=exercises,
        filters={
            "stage": stage,
            "partner": slot,
            "exercise": template_id,
            "new": request.args.get("new") == "1",
        },
        slot_labels=SLOT_LABELS,
        excerpt=_excerpt,
    )


def _excerpt(response: Response) -> str:
    definition = definition_of(response.version)
    for field in definition.fields:
        value = response.answers.get(field.key)
        if field.kind in ("short_text", "long_text") and value:
            return value if len(value) <= 160 else value[:157].rstrip() + "…"
    rows = render_answers(definition.fields[:2], response.answers)
    return "; ".join(f"{r.label}: {r.value}" for r in rows)


@bp.route("/responses/<int:response_id>", methods=["GET", "POST"])
@clinician_required
def detail(response_id: int):
    """One answer, shown against the version it answered, with the clinician's private review."""
    response = get_response_or_404(response_id)
    definition = definition_of(response.version)
    form = ReviewForm()
    if not form.is_submitted():
        form.reviewed.data = response.reviewed_at is not None
        form.comment.data = response.clinician_comment
    if form.validate_on_submit():
        review(response, form.comment.data, form.reviewed.data, current_user)
        db.session.commit()
        flash("Review saved.", "success")
        return redirect(url_for("responses.detail", response_id=response.id))
    return render_template(
        "responses/detail.html",
        response=response,
        definition=definition,
        rows=render_answers(definition.fields, response.answers),
        form=form,
        slot_labels=SLOT_LABELS,
    ), 400 if form.is_submitted() else 200
