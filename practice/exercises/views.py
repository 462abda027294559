"""The exercise library and the clinician's form builder (every step a plain form post)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from practice.access import clinician_required, couples_for, get_template_or_404
from practice.auth.forms import PostForm
from practice.db import db
from practice.exercises.builder import (
    BuilderError,
    add_field,
    move_field,
    remove_field,
    replace_field,
)
from practice.exercises.definitions import KIND_LABELS
from practice.exercises.forms import (
    FieldForm,
    NewTemplateForm,
    TemplateEditForm,
)
from practice.exercises.services import (
    TemplateError,
    copy_template,
    create_template,
    definition_of,
    in_language,
    languages_of_template,
    set_archived,
    update_definition,
)
from practice.exercises.translations import translation_gaps
from practice.i18n import LANGUAGES, language_names, reader_language
from practice.inputs import query_int
from practice.measures.instruments import missing_translation_note
from practice.models import Couple, ExerciseTemplate
from practice.worksheets.forms import build_form

bp = Blueprint("exercises", __name__, url_prefix="/library")


@bp.get("/")
@clinician_required
def index():
    """Built-in and own exercises, by stage."""
    stage = query_int("stage")
    show_archived = request.args.get("archived") == "1"
    query = select(ExerciseTemplate).where(
        (ExerciseTemplate.owner_id.is_(None)) | (ExerciseTemplate.owner_id == current_user.id)
    )
    if stage in range(1, 8):
        query = query.where(ExerciseTemplate.stage == stage)
    if not show_archived:
        query = query.where(ExerciseTemplate.archived_at.is_(None))
    source = request.args.get("source", "")
    if source == "builtin":
        query = query.where(ExerciseTemplate.owner_id.is_(None))
    elif source == "mine":
        query = query.where(ExerciseTemplate.owner_id == current_user.id)
    else:
        source = ""
    templates = db.session.scalars(
        query.order_by(
            ExerciseTemplate.stage, ExerciseTemplate.owner_id.is_(None), ExerciseTemplate.title
        )
    ).all()
    search = (request.args.get("q") or "")[:200].strip()
    language = reader_language()
    # Each card in the reader's language where the exercise has it (built-in: the library's).
    shown = [(t, in_language(definition_of(t.latest), t, language)) for t in templates]
    cards = [(t, d, purpose_excerpt(d.purpose)) for t, d in shown]
    if search:
        words = search.casefold().split()
        cards = [
            (t, d, excerpt)
            for t, d, excerpt in cards
            if all(w in f"{d.title} {d.purpose}".casefold() for w in words)
        ]
    return render_template(
        "exercises/index.html",
        cards=cards,
        stage=stage,
        show_archived=show_archived,
        source=source,
        search=search,
        language_names=language_names(),
    )


def purpose_excerpt(markdown_text: str, limit: int = 160) -> str:
    """The start of an exercise's purpose as one plain line, for the library's cards."""
    text = " ".join(markdown_text.replace("#", " ").replace("*", "").replace("_", " ").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


@bp.get("/<int:template_id>")
@clinician_required
def detail(template_id: int):
    """An exercise: its purpose and instructions, and a preview as each partner sees it."""
    template = get_template_or_404(template_id)
    written = definition_of(template.latest)
    languages = languages_of_template(template)
    language = request.args.get("lang") or reader_language()
    if language not in languages:
        language = languages[0]
    definition = in_language(written, template, language)
    roles = ("injured", "involved")
    if definition.answered_by in ("injured", "involved"):
        roles = (definition.answered_by,)
    role = request.args.get("as", roles[0])
    if role not in roles:
        role = roles[0]
    couples = db.session.scalars(
        couples_for(current_user).where(Couple.status != "closed").order_by(Couple.label)
    ).all()
    instrument_notes = []
    if template.is_builtin and written.measure:
        instrument_notes = [
            note
            for code in LANGUAGES
            if (note := missing_translation_note(written.measure, code)) is not None
        ]
    translations = []
    if not template.is_builtin:
        own = template.language or "en"
        for code, name in language_names().items():
            if code == own:
                continue
            stored = code in written.translations
            translations.append(
                (code, name, stored, stored and not translation_gaps(written, code))
            )
    return render_template(
        "exercises/detail.html",
        template=template,
        definition=definition,
        preview=build_form(definition, role),
        role=role,
        roles=roles,
        couples=couples,
        post_form=PostForm(),
        language=language,
        languages=languages,
        language_names=language_names(),
        instrument_notes=instrument_notes,
        translations=translations,
    )


@bp.route("/new", methods=["GET", "POST"])
@clinician_required
def new():
    """Start a new exercise of one's own."""
    form = NewTemplateForm()
    if not form.is_submitted():
        # The author's own language by default: their choice, else the one they read Mend in.
        chosen = getattr(current_user, "language", "") or reader_language()
        form.language.data = chosen if chosen in LANGUAGES else "en"
    if form.validate_on_submit():
        raw = form.apply_to({})
        raw["fields"] = [
            {"key": "answer_1", "label": form.first_label.data, "kind": form.first_kind.data}
        ]
        if form.first_kind.data == "scale":
            raw["fields"][0].update(min=0, max=10)
        if form.first_kind.data in ("single_choice", "multi_choice"):
            raw["fields"][0]["options"] = [_("Yes"), _("Not yet")]
        try:
            template = create_template(db.session, current_user, raw, language=form.language.data)
        except TemplateError as exc:
            db.session.rollback()
            form.form_errors.extend(exc.problems)
        else:
            db.session.commit()
            flash(_("Exercise created. Add and arrange its questions below."), "success")
            return redirect(url_for("exercises.edit", template_id=template.id))
    return render_template("exercises/new.html", form=form), 400 if form.is_submitted() else 200


def _own_template(template_id: int) -> ExerciseTemplate:
    template = get_template_or_404(template_id)
    if template.is_builtin:
        abort(403)
    return template


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@clinician_required
def edit(template_id: int):
    """Edit an own exercise's title, stage, texts and settings, and list its fields."""
    template = _own_template(template_id)
    definition = template.latest.definition
    form = TemplateEditForm(
        data=None if request.method == "POST" else {**definition, "language": template.language}
    )
    # A form sent without the language (older pages, scripts) keeps the exercise's own.
    language = form.language.data if "language" in request.form else template.language
    if form.validate_on_submit():
        try:
            if language in (definition.get("translations") or {}):
                raise TemplateError(
                    [
                        _(
                            "This exercise has a translation into %(language)s. Remove it "
                            "before saying the exercise is written in that language.",
                            language=language_names().get(language, language),
                        )
                    ]
                )
            update_definition(db.session, template, current_user, form.apply_to)
            template.language = language
        except TemplateError as exc:
            db.session.rollback()
            form.form_errors.extend(exc.problems)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("exercises.edit", template_id=template.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "exercises/edit.html",
        template=template,
        form=form,
        fields=template.latest.definition["fields"],
        post_form=PostForm(),
        kind_labels=KIND_LABELS,
        language_name=language_names().get(template.language or "en", template.language),
    ), status


@bp.route("/<int:template_id>/fields/new", methods=["GET", "POST"])
@clinician_required
def new_field(template_id: int):
    """Add a question to an own exercise."""
    template = _own_template(template_id)
    form = FieldForm()
    if not form.is_submitted():
        form.key.data = f"answer_{len(template.latest.definition['fields']) + 1}"
        form.kind.data = "long_text"
    return _save_field(template, form, lambda d: add_field(d, form.to_dict()))


@bp.route("/<int:template_id>/fields/<key>/edit", methods=["GET", "POST"])
@clinician_required
def edit_field(template_id: int, key: str):
    """Change one question of an own exercise."""
    template = _own_template(template_id)
    current = next((f for f in template.latest.definition["fields"] if f["key"] == key), None)
    if current is None:
        abort(404)
    form = FieldForm()
    if not form.is_submitted():
        form.fill_from(current)
    return _save_field(template, form, lambda d: replace_field(d, key, form.to_dict()), key)


def _save_field(template: ExerciseTemplate, form: FieldForm, change, key: str | None = None):
    if form.validate_on_submit():
        try:
            update_definition(db.session, template, current_user, change)
        except (TemplateError, BuilderError) as exc:
            db.session.rollback()
            form.form_errors.extend(getattr(exc, "problems", [str(exc)]))
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("exercises.edit", template_id=template.id))
    status = 400 if form.is_submitted() else 200
    return render_template("exercises/field.html", template=template, form=form, key=key), status


@bp.post("/<int:template_id>/fields/<key>/move")
@clinician_required
def move(template_id: int, key: str):
    """Move a question up or down."""
    template = _own_template(template_id)
    if not PostForm().validate_on_submit():
        abort(400)
    step = -1 if request.form.get("direction") == "up" else 1
    return _apply(template, lambda d: move_field(d, key, step), _("Moved."))


@bp.post("/<int:template_id>/fields/<key>/delete")
@clinician_required
def delete_field(template_id: int, key: str):
    """Remove a question (earlier answers keep the version they answered)."""
    template = _own_template(template_id)
    if not PostForm().validate_on_submit():
        abort(400)
    return _apply(template, lambda d: remove_field(d, key), _("Question removed."))


def _apply(template: ExerciseTemplate, change, message: str):
    try:
        update_definition(db.session, template, current_user, change)
    except (TemplateError, BuilderError) as exc:
        db.session.rollback()
        flash(" ".join(getattr(exc, "problems", [str(exc)])), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("exercises.edit", template_id=template.id))


@bp.post("/<int:template_id>/copy")
@clinician_required
def copy(template_id: int):
    """Make an own, editable copy of any exercise."""
    template = get_template_or_404(template_id)
    if not PostForm().validate_on_submit():
        abort(400)
    new = copy_template(db.session, template, current_user)
    db.session.commit()
    flash(_("Copied. This copy is yours to adapt."), "success")
    return redirect(url_for("exercises.edit", template_id=new.id))


@bp.post("/<int:template_id>/archive")
@clinician_required
def archive(template_id: int):
    """Archive an own exercise (no new assignments), or restore it."""
    template = _own_template(template_id)
    if not PostForm().validate_on_submit():
        abort(400)
    set_archived(template, template.archived_at is None)
    db.session.commit()
    flash(
        _("Archived. Earlier answers stay readable.") if template.archived_at else _("Restored."),
        "success",
    )
    return redirect(url_for("exercises.detail", template_id=template.id))


# The translation pages of own exercises register on this blueprint too.
from practice.exercises import translation_views  # noqa: E402, F401
