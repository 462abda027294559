"""The client's home page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from practice.access import client_required, get_couple_or_404, own_partner
from practice.appointments.services import link_now, next_appointment
from practice.auth.forms import PostForm
from practice.db import db
from practice.models import utcnow
from practice.stages import STAGES

bp = Blueprint("client", __name__)


@bp.get("/home")
@client_required
def home():
    """A partner's home: who is in their work together, the stage, the next appointment."""
    partner = own_partner()
    couple = get_couple_or_404(partner.couple_id)
    other = couple.partner("involved" if partner.role == "injured" else "injured")
    now = utcnow()
    return render_template(
        "client/home.html",
        me=current_user,
        partner=partner,
        other=other,
        couple=couple,
        stage=STAGES[couple.stage],
        next_appointment=next_appointment(db.session, couple.id, now),
        session_link=link_now(db.session, couple.id, now),
        now=now,
    )


@bp.route("/settings", methods=["GET", "POST"])
@client_required
def settings():
    """A partner's own settings: email reminders on or off."""
    form = PostForm()
    if form.validate_on_submit():
        current_user.reminders_enabled = request.form.get("reminders") == "on"
        db.session.commit()
        flash(
            _("Reminders are on.") if current_user.reminders_enabled else _("Reminders are off."),
            "success",
        )
        return redirect(url_for("client.settings"))
    return render_template("client/settings.html", form=form)
