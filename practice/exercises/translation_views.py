"""Translating a clinician's own exercise: the words of one language, the structure fixed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from practice.access import clinician_required
from practice.auth.forms import PostForm
from practice.db import db
from practice.exercises.forms import translation_form, translation_words
from practice.exercises.services import (
    TemplateError,
    definition_of,
    remove_translation,
    save_translation,
)
from practice.exercises.views import _own_template, bp
from practice.i18n import LANGUAGES, language_names
from practice.models import ExerciseTemplate


def _translatable(template_id: int, language: str) -> ExerciseTemplate:
    """An own exercise and a language it may be translated into (not its own); 404 otherwise."""
    template = _own_template(template_id)
    if language not in LANGUAGES or language == (template.language or "en"):
        abort(404)
    return template


@bp.route("/<int:template_id>/translate/<language>", methods=["GET", "POST"])
@clinician_required
def translate(template_id: int, language: str):
    """Add or change the translation of an own exercise: its words only, the structure fixed."""
    template = _translatable(template_id, language)
    if template.archived_at is not None:
        abort(403)
    written = definition_of(template.latest)
    form = translation_form(written, written.translations.get(language))
    if form.validate_on_submit():
        words, problems = translation_words(form, written)
        if problems:
            form.form_errors.extend(problems)
        else:
            try:
                save_translation(db.session, template, current_user, language, words)
            except TemplateError as exc:
                db.session.rollback()
                form.form_errors.extend(exc.problems)
            else:
                db.session.commit()
                flash(_("Translation saved."), "success")
                return redirect(url_for("exercises.detail", template_id=template.id, lang=language))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "exercises/translate.html",
        template=template,
        definition=written,
        form=form,
        language=language,
        language_name=language_names()[language],
        own_language_name=language_names().get(template.language or "en", template.language),
        post_form=PostForm(),
    ), status


@bp.post("/<int:template_id>/translate/<language>/remove")
@clinician_required
def remove_translation_view(template_id: int, language: str):
    """Remove the translation of an own exercise into one language."""
    template = _translatable(template_id, language)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        remove_translation(db.session, template, current_user, language)
    except TemplateError as exc:
        db.session.rollback()
        flash(" ".join(exc.problems), "error")
    else:
        db.session.commit()
        flash(_("Translation removed."), "success")
    return redirect(url_for("exercises.detail", template_id=template.id))
