"""Signing in and out, and choosing a password from an invitation or set-password link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select, update

from practice.audit.capture import record
from practice.auth.forms import LoginForm, PostForm, ResetRequestForm, SetPasswordForm
from practice.auth.passwords import hash_password, needs_rehash, verify_password
from practice.auth.sessions import end_all_sessions, end_session, start_session
from practice.auth.tokens import TokenError, find_token
from practice.db import db
from practice.i18n import in_language_of
from practice.i18n import lazy_gettext as _l
from practice.models import AccountToken, User, utcnow
from practice.twofactor.forms import SecondStepForm
from practice.twofactor.pending import held_sign_in, hold_sign_in
from practice.twofactor.services import accept_recovery_code, accept_totp, recovery_codes_left

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = _l("That email and password don't match an active account. Please try again.")


def is_safe_next(target: str | None) -> bool:
    """True for a relative path on this site (never another host, scheme or protocol-relative)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def home_for(user: User) -> str:
    """Where a user lands after signing in."""
    if user.is_clinician:
        return url_for("couples.dashboard")
    if user.is_admin:
        return url_for("admin.users")
    return url_for("worksheets.today")


@bp.route("/")
def index():
    """Send a visitor to their home page or to sign in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        # Checking the password is slow on purpose: do it before taking the write lock.
        with db.reading() as reader:
            found = reader.scalar(select(User).where(User.email == email))
            password_ok = verify_password(
                found.password_hash if found else None, form.password.data
            )
        user = db.session.get(User, found.id) if found is not None else None
        if user is not None and password_ok and user.is_active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            target = form.next.data if is_safe_next(form.next.data) else ""
            if user.has_two_factor:
                hold_sign_in(user, target)
                db.session.commit()
                return redirect(url_for("auth.two_factor"))
            start_session(db.session, user)
            record("signed_in", "user", user.id, user_id=user.id)
            db.session.commit()
            return redirect(target or home_for(user))
        form.password.errors.append(SIGN_IN_FAILED)
        # The account's id when there is one; never the email that was typed.
        record("sign_in_failed", "user", user.id if user else None, outcome="failed")
    return render_template("auth/login.html", form=form)


CODE_REFUSED = _l("That code didn't work. Please check it and try again, or use a recovery code.")


@bp.route("/login/two-factor", methods=["GET", "POST"])
def two_factor():
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    held = held_sign_in(db.session)
    if held is None:
        flash(_("For your safety that sign-in has timed out. Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    user, target = held
    form = SecondStepForm()
    if form.validate_on_submit():
        code = form.code.data
        by_app = accept_totp(db.session, user, code)
        if by_app or accept_recovery_code(db.session, user, code):
            start_session(db.session, user)
            record("signed_in", "user", user.id, user_id=user.id)
            db.session.commit()
            if not by_app:
                left = recovery_codes_left(db.session, user)
                flash(
                    ngettext(
                        "You signed in with a recovery code; %(num)d left. You can make new ones "
                        "in Two-step sign-in.",
                        "You signed in with a recovery code; %(num)d left. You can make new ones "
                        "in Two-step sign-in.",
                        left,
                    ),
                    "info",
                )
            return redirect(target or home_for(user))
        form.code.errors.append(CODE_REFUSED)
        record("sign_in_failed", "user", user.id, outcome="failed", user_id=user.id)
    # A refused code re-renders the page (200), which the sign-in throttle counts as a failure.
    return render_template("auth/two_factor.html", form=form)


RESET_SENT = _l(
    "If that email belongs to an active Mend account, a link to choose a new password is on "
    "its way. It works once, for an hour."
)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a one-hour, single-use link to choose a new password (same answer for any email)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.is_active and user.password_hash is not None:
            from datetime import timedelta

            from practice.auth.tokens import issue_token
            from practice.mail import send_mail
            from practice.urls import external_url

            issued = issue_token(
                db.session,
                current_app.config["SECRET_KEY"],
                user,
                "set_password",
                timedelta(hours=1),
            )
            # In the account holder's language, not the language of whoever asked.
            with in_language_of(user):
                subject = _("Choose a new Mend password")
                body = _(
                    "Hello,\n\nSomeone asked to reset the password of your Mend account. If it "
                    "was you, choose a new password here (the link works once, for an hour):\n"
                    "%(link)s\n\n"
                    "If it wasn't you, you can ignore this email; your password stays as it is.\n",
                    link=external_url("auth.set_password", token=issued.secret),
                )
            send_mail(user.email, subject, body)
            db.session.commit()
        flash(str(RESET_SENT), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.get("/keep-alive")
@login_required
def keep_alive():
    """'Stay signed in': the request itself counts as activity."""
    return jsonify(ok=True)


@bp.post("/logout")
def logout():
    """Sign out: end the server-side session, so a copy of the cookie stops working too."""
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        record("signed_out", "user", current_user.id)
    end_session(db.session, current_user.get_id() if current_user.is_authenticated else None)
    db.session.commit()
    flash(_("You are signed out. Take care."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """A partner's invitation: choose a password and land on their home page."""
    return _choose_password(token, "invitation")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """A new clinician's or admin's one-time link to choose a password."""
    return _choose_password(token, "set_password")


def _choose_password(signed: str, purpose: str):
    try:
        row = find_token(db.session, current_app.config["SECRET_KEY"], purpose, signed)
    except TokenError as exc:
        return render_template("auth/link_problem.html", message=str(exc)), 400
    user = row.user
    form = SetPasswordForm(email=user.email)
    if form.validate_on_submit():
        # Claim the link atomically: a double submit or a second tab finds it already used.
        claimed = db.session.execute(
            update(AccountToken)
            .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
            .values(used_at=utcnow())
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            message = _("This link has already been used. Please sign in.")
            return render_template("auth/link_problem.html", message=message), 400
        end_all_sessions(db.session, user.id)
        user.password_hash = hash_password(form.password.data)
        if current_user.is_authenticated:
            end_session(db.session, current_user.get_id())
        if user.has_two_factor:
            # A link in an email is one factor: the second step is still asked for.
            hold_sign_in(user)
            db.session.commit()
            flash(_("Your password is set. One more step to sign in."), "success")
            return redirect(url_for("auth.two_factor"))
        start_session(db.session, user)
        record("signed_in", "user", user.id, user_id=user.id)
        db.session.commit()
        flash(_("Welcome to Mend. Your password is set."), "success")
        return redirect(home_for(user))
    return render_template("auth/choose_password.html", form=form, user=user, purpose=purpose)
