"""A person's own account, for partners and staff alike: change the password, see where they
are signed in, sign out one device or everywhere."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from practice.account.forms import ChangePasswordForm, EndSessionForm
from practice.audit.capture import record
from practice.auth.devices import device_in_words
from practice.auth.forms import PostForm
from practice.auth.passwords import hash_password, verify_password
from practice.auth.sessions import (
    active_sessions,
    end_all_sessions,
    end_one_session,
    end_other_sessions,
    end_session,
    is_current,
    session_reference,
)
from practice.db import db
from practice.i18n import lazy_gettext as _l
from practice.twofactor.services import accept_recovery_code, accept_totp

bp = Blueprint("account", __name__, url_prefix="/account")

WRONG_PASSWORD = _l("That isn't your current password. Please try again.")
WRONG_CODE = _l("That code didn't work. Please try the newest code, or a recovery code.")


def _sessions():
    config = current_app.config
    minutes = config["IDLE_MINUTES_CLIENT" if current_user.is_client else "IDLE_MINUTES_STAFF"]
    rows = active_sessions(
        db.session,
        current_user.id,
        timedelta(hours=config["SESSION_HOURS"]),
        timedelta(minutes=minutes),
    )
    token = current_user.get_id()
    return [(row, is_current(row, token)) for row in rows]


def _page(password_form: ChangePasswordForm | None = None, status: int = 200):
    return render_template(
        "account/manage.html",
        password_form=password_form or ChangePasswordForm(),
        sessions=[
            (row, current, session_reference(row), device_in_words(row.device))
            for row, current in _sessions()
        ],
        post_form=PostForm(),
    ), status


@bp.get("")
@login_required
def manage():
    """The account page: password, and every device signed in to this account."""
    return _page()


@bp.post("/password")
@login_required
def change_password():
    """A new password, after the current one (and a code when two-step sign-in is on); every
    other device is signed out."""
    user = current_user
    form = ChangePasswordForm(email=user.email)
    if not form.validate_on_submit():
        return _page(form, 400)
    if not verify_password(user.password_hash, form.current.data):
        form.current.errors.append(WRONG_PASSWORD)
        record("password_refused", "user", user.id, outcome="failed")
        db.session.commit()
        return _page(form, 400)
    if user.has_two_factor:
        code = form.code.data or ""
        if not code.strip():
            form.code.errors.append(_("Please enter a current code from your authenticator app."))
            return _page(form, 400)
        by_code = accept_totp(db.session, user, code)
        if not (by_code or accept_recovery_code(db.session, user, code)):
            form.code.errors.append(WRONG_CODE)
            record("password_refused", "user", user.id, outcome="failed")
            db.session.commit()
            return _page(form, 400)
    user.password_hash = hash_password(form.password.data)
    end_other_sessions(db.session, user.id, user.get_id())
    record("password_changed", "user", user.id)
    db.session.commit()
    flash(
        _(
            "Your password is changed. Every other phone or computer that was signed in is now "
            "signed out."
        ),
        "success",
    )
    return redirect(url_for("account.manage"))


@bp.post("/sign-out-device")
@login_required
def end_device():
    """Sign out one device of this account (this one too, if chosen)."""
    form = EndSessionForm()
    if not form.validate_on_submit():
        flash(_("Mend couldn't tell which device you meant. Please try again."), "error")
        return redirect(url_for("account.manage"))
    chosen = next(
        (
            (row, current)
            for row, current in _sessions()
            if session_reference(row) == form.session.data
        ),
        None,
    )
    if chosen is None or not end_one_session(db.session, current_user.id, chosen[0].id):
        flash(_("That device is already signed out."), "info")
        return redirect(url_for("account.manage"))
    record("signed_out_one", "user", current_user.id)
    if chosen[1]:
        end_session(db.session, None)
        db.session.commit()
        flash(_("You are signed out. Take care."), "info")
        return redirect(url_for("auth.login"))
    db.session.commit()
    flash(
        _("That device is signed out. If it opens Mend again, it will be asked to sign in."),
        "success",
    )
    return redirect(url_for("account.manage"))


@bp.post("/sign-out-everywhere")
@login_required
def end_everywhere():
    """Sign out every device of this account, this one included."""
    if not PostForm().validate_on_submit():
        flash(_("Something went wrong there. Please try again."), "error")
        return redirect(url_for("account.manage"))
    user_id = current_user.id
    record("signed_out_all", "user", user_id)
    end_all_sessions(db.session, user_id)
    end_session(db.session, None)
    db.session.commit()
    flash(_("You are signed out everywhere, on this device too. Take care."), "info")
    return redirect(url_for("auth.login"))
