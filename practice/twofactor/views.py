"""Setting up two-step sign-in, recovery codes, switching it off, and the practice's rule."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from practice.auth.forms import PostForm
from practice.auth.passwords import verify_password
from practice.auth.sessions import end_other_sessions
from practice.db import db
from practice.i18n import lazy_gettext as _l
from practice.twofactor.forms import CodeForm, TurnOffForm
from practice.twofactor.services import (
    accept_totp,
    confirm_enrolment,
    grouped,
    issue_recovery_codes,
    must_enrol,
    practice_settings,
    qr_data_uri,
    recovery_codes_left,
    start_enrolment,
    turn_off,
)

bp = Blueprint("twofactor", __name__, url_prefix="/account/two-step")

CODE_REFUSED = _l(
    "That code didn't work. Please check the time on your phone and try the newest code."
)


@bp.before_app_request
def _require_enrolment():
    """When the practice requires it, staff without two-step sign-in may only set it up."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.startswith(("auth.", "twofactor.")):
        return None
    if not current_user.is_authenticated or not current_user.is_staff:
        return None
    if current_user.has_two_factor or not must_enrol(db.session, current_user):
        return None
    flash(
        _(
            "Your practice asks everyone on the team to use two-step sign-in. Please set it up "
            "before you carry on."
        ),
        "info",
    )
    return redirect(url_for("twofactor.manage"))


def _page(code_form=None, off_form=None, status: int = 200):
    user = current_user
    pending = user.totp_secret is not None and not user.has_two_factor
    return render_template(
        "twofactor/manage.html",
        pending=pending,
        secret=grouped(user.totp_secret) if pending else "",
        qr=qr_data_uri(user) if pending else "",
        codes_left=recovery_codes_left(db.session, user) if user.has_two_factor else 0,
        required=user.is_staff and practice_settings(db.session).require_two_factor_staff,
        code_form=code_form or CodeForm(),
        off_form=off_form or TurnOffForm(),
        post_form=PostForm(),
    ), status


def _show_codes(codes: list[str], first_time: bool):
    # The plain codes exist only in this response: never stored, never put in the cookie.
    page = render_template("twofactor/recovery_codes.html", codes=codes, first_time=first_time)
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@login_required
def manage():
    """Two-step sign-in for the signed-in user: what it is, setting it up, or its state."""
    return _page()


@bp.post("/start")
@login_required
def start():
    """Make a new pending secret to scan; nothing changes at sign-in until it is confirmed."""
    if not PostForm().validate_on_submit():
        return _page(status=400)
    if current_user.has_two_factor:
        flash("Two-step sign-in is already on.", "info")
        return redirect(url_for("twofactor.manage"))
    start_enrolment(db.session, current_user)
    db.session.commit()
    return redirect(url_for("twofactor.manage"))


@bp.post("/confirm")
@login_required
def confirm():
    """Switch two-step sign-in on with a current code and show the recovery codes once."""
    form = CodeForm()
    if form.validate_on_submit():
        codes = confirm_enrolment(db.session, current_user, form.code.data)
        if codes is not None:
            end_other_sessions(db.session, current_user.id, current_user.get_id())
            db.session.commit()
            return _show_codes(codes, first_time=True)
        form.code.errors.append(CODE_REFUSED)
    return _page(code_form=form, status=400)


@bp.post("/recovery-codes")
@login_required
def regenerate():
    """New recovery codes (the old ones stop working), after a current code."""
    form = CodeForm()
    if not current_user.has_two_factor:
        return redirect(url_for("twofactor.manage"))
    if form.validate_on_submit():
        if accept_totp(db.session, current_user, form.code.data):
            codes = issue_recovery_codes(db.session, current_user)
            db.session.commit()
            return _show_codes(codes, first_time=False)
        form.code.errors.append(CODE_REFUSED)
    return _page(code_form=form, status=400)


@bp.post("/off")
@login_required
def switch_off():
    """Switch two-step sign-in off, after a current code or the password."""
    form = TurnOffForm()
    user = current_user
    if user.totp_secret is None:
        return redirect(url_for("twofactor.manage"))
    if not user.has_two_factor:
        # A setup never confirmed protects nothing yet: cancelling it needs no code.
        if not PostForm().validate_on_submit():
            return _page(status=400)
        turn_off(db.session, user)
        db.session.commit()
        flash(_("Setup cancelled. Nothing has changed at sign-in."), "info")
        return redirect(url_for("twofactor.manage"))
    if user.is_staff and practice_settings(db.session).require_two_factor_staff:
        form.form_errors.append(
            _(
                "Your practice asks everyone on the team to use two-step sign-in, so it stays "
                "on. If you've lost your phone, an admin can reset it for you."
            )
        )
        return _page(off_form=form, status=400)
    if form.validate_on_submit():
        code_ok = bool(form.code.data) and accept_totp(db.session, user, form.code.data)
        password_ok = bool(form.password.data) and verify_password(
            user.password_hash, form.password.data
        )
        if code_ok or password_ok:
            turn_off(db.session, user)
            db.session.commit()
            flash(_("Two-step sign-in is off. You sign in with your password alone."), "success")
            return redirect(url_for("twofactor.manage"))
        form.code.errors.append(_("That code or password didn't work. Please try again."))
    return _page(off_form=form, status=400)
