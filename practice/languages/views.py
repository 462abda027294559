"""The language chooser: a signed-in person's choice is kept in their account, anyone else's in
their session cookie."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from practice.db import db
from practice.i18n import LANGUAGES, SESSION_KEY
from practice.languages.forms import LanguageForm

bp = Blueprint("languages", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("auth.index")


@bp.route("/language", methods=["GET", "POST"])
def choose():
    """Choose the language Mend speaks to you."""
    chosen = current_user.language if current_user.is_authenticated else session.get(SESSION_KEY)
    form = LanguageForm(language=chosen or "", next=request.args.get("next", ""))
    if form.validate_on_submit():
        code = form.language.data if form.language.data in LANGUAGES else ""
        if current_user.is_authenticated:
            current_user.language = code
            db.session.commit()
        elif code:
            session[SESSION_KEY] = code
        else:
            session.pop(SESSION_KEY, None)
        return redirect(_safe_next(form.next.data))
    status = 400 if form.is_submitted() else 200
    return render_template("languages/choose.html", form=form), status
