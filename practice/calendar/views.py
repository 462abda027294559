"""A person's private calendar link, the feed it opens, and one appointment as a file."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from practice.access import client_required, get_appointment_or_404, role_required
from practice.audit.capture import record
from practice.auth.forms import PostForm
from practice.calendar.feeds import (
    active_feed,
    clinician_events,
    feed_for_token,
    issue_feed,
    partner_event,
    partner_events,
    revoke_feeds,
)
from practice.calendar.forms import TitleForm
from practice.calendar.ics import to_ical
from practice.db import db
from practice.downloads import file_response
from practice.models import Couple, User, utcnow
from practice.urls import external_url

bp = Blueprint("calendar", __name__)
people = role_required("clinician", "client")


def _page(new_url: str | None = None, title_form: TitleForm | None = None, status: int = 200):
    feed = active_feed(db.session, current_user)
    form = title_form or TitleForm(title_style=feed.title_style if feed else "label")
    response = Response(
        render_template(
            "calendar/settings.html",
            feed=feed,
            new_url=new_url,
            title_form=form,
            post_form=PostForm(),
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/calendar")
@people
def settings():
    """Whether this person has a calendar link, and making, replacing or switching it off."""
    return _page()


@bp.post("/calendar/link")
@people
def make_link():
    """A new private link (any earlier one stops working), shown once."""
    if not PostForm().validate_on_submit():
        abort(400)
    feed, token = issue_feed(db.session, current_user, utcnow())
    record("created", "calendar_feed", feed.id)
    db.session.commit()
    # The token exists only in this response: only its SHA-256 is kept.
    return _page(new_url=external_url("calendar.feed", key=token))


@bp.post("/calendar/link/off")
@people
def revoke_link():
    """Switch the private link off: calendars using it stop updating."""
    if not PostForm().validate_on_submit():
        abort(400)
    working = active_feed(db.session, current_user)
    if working is not None:
        revoke_feeds(db.session, current_user, utcnow())
        record("deleted", "calendar_feed", working.id)
        flash(
            "Your calendar link is switched off. Calendars that used it stop updating.", "success"
        )
    db.session.commit()
    return redirect(url_for("calendar.settings"))


@bp.post("/calendar/title")
@role_required("clinician")
def change_title():
    """Whether events carry the couple's label or just "Session"."""
    form = TitleForm()
    feed = active_feed(db.session, current_user)
    if not form.validate_on_submit():
        return _page(title_form=form, status=400)
    if feed is None:
        form.title_style.errors = ["Make a calendar link first; the choice belongs to it."]
        return _page(title_form=form, status=400)
    feed.title_style = form.title_style.data
    db.session.commit()
    flash(_("Saved. Calendars show the change when they next look at the feed."), "success")
    return redirect(url_for("calendar.settings"))


@bp.get("/calendar/feed.ics")
def feed():
    """The feed a private link opens (no sign-in: the link is the key). Unknown or switched
    off: a plain 404 that says nothing about why."""
    # In the query string: request logs and the audit trail never keep query strings.
    found = feed_for_token(db.session, request.args.get("key"))
    if found is None:
        abort(404)
    owner = db.session.get(User, found.user_id)
    now = utcnow()
    base = current_app.config["BASE_URL"]
    if owner.role == "clinician":
        events = clinician_events(
            db.session,
            found,
            now,
            base,
            lambda couple_id: external_url("couples.detail", couple_id=couple_id),
        )
    else:
        events = partner_events(db.session, found, now, base, external_url("client.home"))
    # Read without a sign-in: the feed's id stands for the reader.
    record("viewed", "calendar_feed", found.id, user_id=found.user_id)
    db.session.commit()
    body = to_ical(events, current_app.config["TIMEZONE"], "Mend sessions", now)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/my/appointments/<int:appointment_id>/calendar.ics")
@client_required
def appointment_file(appointment_id: int):
    """One appointment to add to a partner's own calendar."""
    appointment = get_appointment_or_404(appointment_id)
    couple = db.session.get(Couple, appointment.couple_id)
    event = partner_event(
        appointment, couple.clinician, current_app.config["BASE_URL"], external_url("client.home")
    )
    body = to_ical([event], current_app.config["TIMEZONE"], "Mend session", utcnow())
    day = appointment.starts_at.date().isoformat()
    return file_response(body, "text/calendar", f"mend-session-{day}.ics")
