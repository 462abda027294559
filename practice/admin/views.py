"""Account administration. Admins manage accounts and read no clinical content."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from practice.access import admin_required
from practice.admin.forms import (
    NewStaffForm,
    PracticeSettingsForm,
    PracticeThresholdForm,
    parse_number,
)
from practice.admin.services import AccountError, create_user, issue_set_password_link, set_active
from practice.auth.forms import PostForm
from practice.db import db
from practice.mail import send_mail
from practice.models import User
from practice.twofactor.services import practice_settings, reset_by_admin, save_practice_settings
from practice.urls import external_url

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    """Every account with its role and state, and a form to add clinicians and admins."""
    form = NewStaffForm()
    if form.validate_on_submit():
        user = create_user(
            db.session,
            email=form.email.data,
            display_name=form.display_name.data,
            role=form.role.data,
        )
        config = current_app.config
        issued = issue_set_password_link(
            db.session, config["SECRET_KEY"], user, config["SET_PASSWORD_HOURS"], by=current_user
        )
        link = external_url("auth.set_password", token=issued.secret)
        # In the new account's language: the practice's, until they choose their own.
        with force_locale(user.language or config["LOCALE"]):
            subject = _("Your Mend account")
            body = _(
                "Hello %(name)s,\n\nAn account has been made for you in Mend. "
                "Choose your password here (the link works once, for %(hours)d hours):\n"
                "%(link)s\n",
                name=user.display_name,
                hours=config["SET_PASSWORD_HOURS"],
                link=link,
            )
        send_mail(user.email, subject, body)
        db.session.commit()
        flash(
            _(
                "%(email)s is added and has been emailed a link to choose a password.",
                email=user.email,
            ),
            "success",
        )
        return redirect(url_for("admin.users"))
    accounts = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/users.html", form=form, accounts=accounts, post_form=PostForm()
    ), status


@bp.post("/users/<int:user_id>/active")
@admin_required
def toggle_active(user_id: int):
    """Switch an account on or off."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        set_active(db.session, user, not user.is_active, current_user)
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        if user.is_active:
            flash(_("%(email)s is switched on.", email=user.email), "success")
        else:
            flash(
                _("%(email)s is switched off; its sessions have ended.", email=user.email),
                "success",
            )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/two-step/reset")
@admin_required
def reset_two_factor(user_id: int):
    """Lost phone: switch the account's two-step sign-in off and end all its sessions."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    reset_by_admin(db.session, user)
    db.session.commit()
    flash(
        _(
            "Two-step sign-in is reset for %(email)s, and its sessions have ended. They sign in "
            "with their password and can set it up again.",
            email=user.email,
        ),
        "success",
    )
    return redirect(url_for("admin.users"))


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    """The practice's settings: whether clinicians and admins must use two-step sign-in, and
    the note on when messages are read, and the default session-note format."""
    form = PracticeSettingsForm(obj=practice_settings(db.session))
    if form.validate_on_submit():
        save_practice_settings(
            db.session,
            require_two_factor_staff=form.require_two_factor_staff.data,
            availability_note=form.availability_note.data or "",
            note_format=form.note_format.data,
        )
        db.session.commit()
        flash(_("The practice settings are saved."), "success")
        return redirect(url_for("admin.settings"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/settings.html", form=form), status


@bp.route("/thresholds", methods=["GET", "POST"])
@admin_required
def thresholds():
    """Practice-set reliable-change thresholds, with their citation and every change made."""
    from practice.measures.instruments import INSTRUMENTS
    from practice.measures.thresholds import (
        clear_practice_threshold,
        practice_values,
        set_practice_threshold,
        settable_instruments,
        threshold_history,
        thresholds_in_force,
    )

    form = PracticeThresholdForm()
    form.instrument.choices = [
        SelectChoice(key, INSTRUMENTS[key].name) for key in settable_instruments()
    ]
    if form.validate_on_submit():
        if form.clear.data:
            clear_practice_threshold(db.session, form.instrument.data, current_user)
            message = _("The practice-set value is no longer used.")
        else:
            set_practice_threshold(
                db.session,
                form.instrument.data,
                parse_number(form.reference_sd.data),
                parse_number(form.reliability.data),
                form.citation.data,
                current_user,
            )
            message = _("The practice-set value is saved and will be printed with its citation.")
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("admin.thresholds"))
    in_force = thresholds_in_force(practice_values(db.session))
    names = {uid: name for uid, name in db.session.execute(select(User.id, User.display_name))}
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/thresholds.html",
        form=form,
        instruments=INSTRUMENTS,
        in_force=in_force,
        history=threshold_history(db.session),
        names=names,
    ), status
