"""The clinician reads a couple's answers: a filterable timeline, each answer, a review."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from practice.access import clinician_required, get_couple_or_404, get_response_or_404
from practice.db import db
from practice.exercises.services import definition_of
from practice.i18n import lazy_gettext as _l
from practice.inputs import query_int
from practice.models import Assignment, ExerciseTemplate, MeasureScore, Response
from practice.responses.forms import ReviewForm
from practice.responses.services import review
from practice.worksheets.answers import render_answers

bp = Blueprint("responses", __name__)

SLOT_LABELS = {
    "injured": _l("Injured partner"),
    "involved": _l("Involved partner"),
    "together": _l("Together"),
}


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
    if slot in SLOT_LABELS:
        query = query.where(Response.slot == slot)
    if template_id:
        query = query.where(ExerciseTemplate.id == template_id)
    if request.args.get("new") == "1":
        query = query.where(Response.reviewed_at.is_(None))
    rows = db.session.execute(query.order_by(Response.submitted_at.desc()).limit(3000)).all()
    # The tag and the filter are the couple's stage when the answer was sent, not the
    # exercise's place in the library.
    stage_at = stages_when(couple)
    rows = [
        (response, assignment, template, stage_at(response.submitted_at))
        for response, assignment, template in rows
    ]
    if stage in range(1, 8):
        rows = [row for row in rows if row[3] == stage]
    rows = rows[:300]
    scores = {
        m.response_id: m
        for m in db.session.scalars(
            select(MeasureScore).where(MeasureScore.response_id.in_([r[0].id for r in rows]))
        )
    }
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
        excerpt=lambda response: _excerpt(response, scores.get(response.id)),
    )


def stages_when(couple):
    """A function from a moment to the couple's stage then (from its stage changes)."""
    changes = sorted((c.changed_at, c.to_stage) for c in couple.stage_changes)

    def stage_at(moment) -> int:
        stage = changes[0][1] if changes else couple.stage
        for changed_at, to_stage in changes:
            if moment is None or changed_at > moment:
                break
            stage = to_stage
        return stage

    return stage_at


def _clean(label: str) -> str:
    """A question as a summary's label: no closing full stop or colon before ": answer"."""
    return label.rstrip().rstrip(".:?!;,").rstrip() or label


def _excerpt(response: Response, score=None) -> str:
    if score is not None:
        return _("Score %(total)s: %(band)s", total=score.total, band=score.band)
    definition = definition_of(response.version)
    for field in definition.fields:
        value = response.answers.get(field.key)
        if field.kind in ("short_text", "long_text") and value:
            return value if len(value) <= 160 else value[:157].rstrip() + "…"
    rows = render_answers(definition.fields[:2], response.answers)
    return "; ".join(f"{_clean(r.label)}: {r.value}" for r in rows)


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
        flash(_("Review saved."), "success")
        return redirect(url_for("responses.detail", response_id=response.id))
    return render_template(
        "responses/detail.html",
        response=response,
        definition=definition,
        rows=render_answers(definition.fields, response.answers),
        form=form,
        slot_labels=SLOT_LABELS,
    ), 400 if form.is_submitted() else 200
