"""Messages between sessions: a partner's two conversations, the clinician's three per couple,
changing a message in its first minutes, and how each person hears of new ones."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from practice.access import (
    client_required,
    clinician_required,
    get_couple_or_404,
    get_message_or_404,
    own_partner,
    role_required,
)
from practice.audit.capture import record
from practice.auth.forms import PostForm
from practice.db import db
from practice.measures.crisis import lines_for
from practice.messages.forms import (
    ClinicianNoticesForm,
    ComposeForm,
    EditForm,
    MessageForm,
    MessagingOffForm,
    NoticesForm,
)
from practice.messages.services import (
    CHANGE_WINDOW,
    MessageRefused,
    Reader,
    check_conversation,
    conversation,
    edit_message,
    last_messages,
    mark_for_session,
    mark_read,
    may_change,
    note_presence,
    participants,
    read_marks,
    send_message,
    sending_closed,
    set_messaging,
    thread_stamp,
    unread_by_thread,
    withdraw_message,
)
from practice.models import Couple, Partner, utcnow
from practice.twofactor.services import practice_settings

bp = Blueprint("messages", __name__)

MAX_ID = 2**31 - 1
WITH_PEOPLE = (
    selectinload(Couple.partners).selectinload(Partner.user),
    selectinload(Couple.clinician),
)


def _names(couple: Couple) -> dict[str, str]:
    names = {p.role: p.user.display_name for p in couple.partners}
    names["clinician"] = couple.clinician.display_name
    return names


def _named(sentence: str, **names: str) -> Markup:
    """A translated sentence with each name escaped and isolated in <bdi>, so a name written
    right to left does not reorder the words around it."""
    # Only the fixed <bdi> tags are markup; the names are escaped by Markup's %.
    isolated = {key: Markup("<bdi>%s</bdi>") % name for key, name in names.items()}  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
    return escape(sentence) % isolated


def thread_title(couple: Couple, thread: str, place: str) -> Markup | str:
    if place != "clinician" and thread != "together":
        return _named(_("Just you and %(clinician)s"), clinician=couple.clinician.display_name)
    if thread == "together":
        return _("All three of us")
    names = _names(couple)
    return _named(
        _("Private: %(partner)s and %(clinician)s"),
        partner=names.get(thread, ""),
        clinician=names["clinician"],
    )


def _only(name: str | None, nobody: str) -> Markup | str:
    """A choice of who a message is for: "Robin only", or the role's words without a name."""
    return _named(_("%(name)s only"), name=name) if name else nobody


def _before() -> int | None:
    """The ?before= message id of an older page; anything else is the latest page."""
    raw = request.args.get("before", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID else None


def _notify(couple: Couple, message) -> None:
    """Queue an email notice (no words) to each reader who wants one; a mail or queue problem
    never undoes a sent message."""
    from practice.jobs import QueueUnavailable, enqueue
    from practice.messages.notices import recipients_of

    for user_id in recipients_of(db.session, message):
        try:
            enqueue(
                "send_message_notice",
                user_id=user_id,
                couple_id=couple.id,
                thread=message.thread,
            )
        except QueueUnavailable:
            current_app.logger.warning("Message notice not queued (Redis unavailable)")
        except Exception:  # noqa: BLE001 (the message is sent; its notice is a courtesy)
            db.session.rollback()
            current_app.logger.exception("Message notice failed")


def availability(couple: Couple) -> str:
    note = (couple.clinician.availability_note or "").strip()
    if not note:
        note = (practice_settings(db.session).availability_note or "").strip()
    return note


def _thread_page(couple: Couple, thread: str, place: str, here: str, updates: str):
    """Show one conversation and take a new message for it."""
    now = utcnow()
    form = MessageForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                message, new = send_message(
                    db.session,
                    couple,
                    thread,
                    current_user,
                    place,
                    form.body.data,
                    form.submit_key.data,
                    now,
                )
            except MessageRefused as exc:
                db.session.rollback()
                form.body.errors = [*form.body.errors, str(exc)]
            else:
                db.session.commit()
                if new:
                    _notify(couple, message)
                    flash(_("Your message is sent."), "success")
                return redirect(f"{here}#m{message.id}")
        status = 400
    before = _before()
    messages, older = conversation(db.session, couple.id, thread, before)
    if before is None:
        latest = messages[-1].id if messages else 0
        mark_read(db.session, current_user.id, couple.id, thread, latest, now)
    marks = read_marks(db.session, couple.id, thread)
    others = [u.id for u, _p in participants(couple, thread) if u.id != current_user.id]
    record("viewed", "message_thread", None, couple.id)
    db.session.commit()
    if not form.submit_key.data or status == 200:
        form.submit_key.data = secrets.token_urlsafe(16)
    page = render_template(
        "messages/thread.html",
        couple=couple,
        thread=thread,
        place=place,
        title=thread_title(couple, thread, place),
        messages=messages,
        older=older,
        form=form,
        closed=sending_closed(couple),
        read_by=lambda m: all(marks.get(uid, 0) >= m.id for uid in others),
        changeable=lambda m: may_change(m, current_user.id, now),
        names=_names(couple),
        here=here,
        updates=updates,
        stamp=thread_stamp(db.session, couple.id, thread),
        availability=availability(couple),
        resources=lines_for(current_app.config["CRISIS_RESOURCES"]),
        post_form=PostForm(),
        window_minutes=int(CHANGE_WINDOW.total_seconds() // 60),
    )
    return page, status


def _updates(couple_id: int | None, kind: str):
    """What the conversation's page needs to show new messages without a reload: 304 when
    nothing changed (ETag, from the conversation's index), else the latest page as HTML."""
    now = utcnow()
    check = check_conversation(db.session, current_user.id, current_user.role, couple_id, kind)
    if check is None:
        abort(404)
    couple_id, thread, place = check.couple_id, check.thread, check.place
    etag = f'"{couple_id}-{thread}-{check.stamp}"'
    if etag in request.headers.get("If-None-Match", ""):
        # The page made the reader's mark when it opened; keep it fresh (once a minute).
        if check.seen_at is not None and now - check.seen_at > timedelta(minutes=1):
            note_presence(db.session, current_user.id, couple_id, thread, now)
            db.session.commit()
        response = make_response("", 304)
        response.headers["ETag"] = etag
        return response
    couple = get_couple_or_404(couple_id, *WITH_PEOPLE)
    messages, _older = conversation(db.session, couple.id, thread)
    if request.args.get("seen") == "1":
        latest = messages[-1].id if messages else 0
        mark_read(db.session, current_user.id, couple.id, thread, latest, now)
    else:
        note_presence(db.session, current_user.id, couple.id, thread, now)
    marks = read_marks(db.session, couple.id, thread)
    others = [u.id for u, _p in participants(couple, thread) if u.id != current_user.id]
    record("viewed", "message_thread", None, couple.id)
    db.session.commit()
    html = render_template(
        "messages/_messages.html",
        couple=couple,
        thread=thread,
        place=place,
        messages=messages,
        read_by=lambda m: all(marks.get(uid, 0) >= m.id for uid in others),
        changeable=lambda m: may_change(m, current_user.id, now),
        names=_names(couple),
        post_form=PostForm(),
        here=request.path.rsplit("/", 1)[0],
    )
    response = jsonify(html=html, count=len(messages))
    response.headers["ETag"] = etag
    return response


# A partner's conversations ---------------------------------------------------------------------


def _own_couple() -> tuple[Partner, Couple]:
    partner = own_partner()
    return partner, get_couple_or_404(partner.couple_id, *WITH_PEOPLE)


def _client_thread(kind: str, role: str) -> str:
    return "together" if kind == "together" else role


@bp.get("/messages")
@client_required
def inbox():
    """A partner's two conversations: with the clinician alone, and all three together."""
    partner, couple = _own_couple()
    reader = Reader(current_user.id, partner.role)
    unread = unread_by_thread(db.session, reader, couple.id)
    latest = last_messages(db.session, couple.id, reader.threads)
    rows = [
        {
            "kind": "private" if thread != "together" else "together",
            "title": thread_title(couple, thread, partner.role),
            "unread": unread.get(thread, 0),
            "latest": latest.get(thread),
        }
        for thread in (partner.role, "together")
    ]
    return render_template(
        "messages/inbox.html",
        couple=couple,
        rows=rows,
        closed=sending_closed(couple),
        availability=availability(couple),
        resources=lines_for(current_app.config["CRISIS_RESOURCES"]),
    )


@bp.route("/messages/<any(private, together):kind>", methods=["GET", "POST"])
@client_required
def client_thread(kind: str):
    partner, couple = _own_couple()
    thread = _client_thread(kind, partner.role)
    return _thread_page(
        couple,
        thread,
        partner.role,
        url_for("messages.client_thread", kind=kind),
        url_for("messages.client_updates", kind=kind),
    )


@bp.get("/messages/<any(private, together):kind>/updates")
@client_required
def client_updates(kind: str):
    return _updates(None, kind)


# The clinician's conversations with a couple ----------------------------------------------------


@bp.route("/couples/<int:couple_id>/messages", methods=["GET", "POST"])
@clinician_required
def couple_inbox(couple_id: int):
    """The three conversations with a couple, and a message to one partner, both or all."""
    couple = get_couple_or_404(couple_id, *WITH_PEOPLE)
    form = ComposeForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            threads = ["injured", "involved"] if form.to.data == "both" else [form.to.data]
            now = utcnow()
            sent = []
            try:
                for index, thread in enumerate(threads):
                    key = f"{form.submit_key.data}-{index}" if form.submit_key.data else None
                    message, new = send_message(
                        db.session,
                        couple,
                        thread,
                        current_user,
                        "clinician",
                        form.body.data,
                        key,
                        now,
                    )
                    sent.append((message, new))
            except MessageRefused as exc:
                db.session.rollback()
                form.body.errors = [*form.body.errors, str(exc)]
            else:
                db.session.commit()
                for message, new in sent:
                    if new:
                        _notify(couple, message)
                flash(_("Your message is sent."), "success")
                if len(sent) == 1:
                    message = sent[0][0]
                    url = url_for(
                        "messages.couple_thread", couple_id=couple.id, thread=message.thread
                    )
                    return redirect(f"{url}#m{message.id}")
                return redirect(url_for("messages.couple_inbox", couple_id=couple.id))
        status = 400
    if not form.submit_key.data or status == 200:
        form.submit_key.data = secrets.token_urlsafe(16)
    reader = Reader(current_user.id, "clinician")
    unread = unread_by_thread(db.session, reader, couple.id)
    latest = last_messages(db.session, couple.id, reader.threads)
    names = _names(couple)
    form.to.choices = [
        SelectChoice("injured", _only(names.get("injured"), _("The injured partner only"))),
        SelectChoice("involved", _only(names.get("involved"), _("The involved partner only"))),
        SelectChoice("both", _("Both partners, each in their own private conversation")),
        SelectChoice("together", _("All three of us")),
    ]
    rows = [
        {
            "thread": thread,
            "title": thread_title(couple, thread, "clinician"),
            "unread": unread.get(thread, 0),
            "latest": latest.get(thread),
        }
        for thread in ("injured", "involved", "together")
    ]
    page = render_template(
        "messages/couple_inbox.html",
        couple=couple,
        rows=rows,
        form=form,
        off_form=MessagingOffForm(),
        post_form=PostForm(),
        closed=sending_closed(couple),
    )
    return page, status


@bp.route(
    "/couples/<int:couple_id>/messages/<any(injured, involved, together):thread>",
    methods=["GET", "POST"],
)
@clinician_required
def couple_thread(couple_id: int, thread: str):
    couple = get_couple_or_404(couple_id, *WITH_PEOPLE)
    return _thread_page(
        couple,
        thread,
        "clinician",
        url_for("messages.couple_thread", couple_id=couple.id, thread=thread),
        url_for("messages.couple_updates", couple_id=couple.id, thread=thread),
    )


@bp.get("/couples/<int:couple_id>/messages/<any(injured, involved, together):thread>/updates")
@clinician_required
def couple_updates(couple_id: int, thread: str):
    return _updates(couple_id, thread)


@bp.post("/couples/<int:couple_id>/messaging")
@clinician_required
def switch(couple_id: int):
    """Turn messages off for a couple (with a note they read) or back on."""
    couple = get_couple_or_404(couple_id)
    turning_on = request.form.get("action") == "on"
    form = PostForm() if turning_on else MessagingOffForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("messages.couple_inbox", couple_id=couple.id))
    if couple.status == "closed":
        flash(_("This couple's record is closed."), "error")
        return redirect(url_for("messages.couple_inbox", couple_id=couple.id))
    reason = "" if turning_on else form.reason.data or ""
    set_messaging(db.session, couple, turning_on, reason, utcnow())
    db.session.commit()
    flash(
        _("Messages are on again for this couple.")
        if turning_on
        else _("Messages are paused for this couple. They can still read their conversations."),
        "success",
    )
    return redirect(url_for("messages.couple_inbox", couple_id=couple.id))


@bp.post("/couples/<int:couple_id>/messages/m/<int:message_id>/for-session")
@clinician_required
def for_session(couple_id: int, message_id: int):
    """Mark a message for the next session's agenda, or unmark it."""
    message, couple, _place = get_message_or_404(message_id, couple_id)
    form = PostForm()
    if form.validate_on_submit():
        on = request.form.get("on") == "1"
        mark_for_session(db.session, message, on, utcnow())
        db.session.commit()
        flash(
            _("Marked for the next session: it will be on the report's agenda.")
            if on
            else _("No longer marked for the next session."),
            "success",
        )
    url = url_for("messages.couple_thread", couple_id=couple.id, thread=message.thread)
    return redirect(f"{url}#m{message.id}")


# Changing one's own message in its first minutes --------------------------------------------------


def _thread_url(couple: Couple, thread: str, place: str) -> str:
    if place == "clinician":
        return url_for("messages.couple_thread", couple_id=couple.id, thread=thread)
    kind = "together" if thread == "together" else "private"
    return url_for("messages.client_thread", kind=kind)


def _edit(message_id: int, couple_id: int | None):
    message, couple, place = get_message_or_404(message_id, couple_id)
    back = _thread_url(couple, message.thread, place)
    now = utcnow()
    if not may_change(message, current_user.id, now):
        flash(
            _("Messages can be changed only by their writer, in the first five minutes."), "error"
        )
        return redirect(f"{back}#m{message.id}")
    form = EditForm(data={"body": message.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            edit_message(db.session, message, couple, current_user.id, form.body.data, now)
        except MessageRefused as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Your message is changed."), "success")
            return redirect(f"{back}#m{message.id}")
    status = 400 if form.is_submitted() else 200
    return render_template("messages/edit.html", form=form, back=back, message=message), status


def _withdraw(message_id: int, couple_id: int | None):
    message, couple, place = get_message_or_404(message_id, couple_id)
    back = _thread_url(couple, message.thread, place)
    form = PostForm()
    if form.validate_on_submit():
        try:
            withdraw_message(db.session, message, current_user.id, utcnow())
        except MessageRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Your message is withdrawn."), "success")
    return redirect(f"{back}#m{message.id}")


@bp.route("/messages/m/<int:message_id>/edit", methods=["GET", "POST"])
@client_required
def edit(message_id: int):
    return _edit(message_id, None)


@bp.post("/messages/m/<int:message_id>/withdraw")
@client_required
def withdraw(message_id: int):
    return _withdraw(message_id, None)


@bp.route("/couples/<int:couple_id>/messages/m/<int:message_id>/edit", methods=["GET", "POST"])
@clinician_required
def couple_edit(couple_id: int, message_id: int):
    return _edit(message_id, couple_id)


@bp.post("/couples/<int:couple_id>/messages/m/<int:message_id>/withdraw")
@clinician_required
def couple_withdraw(couple_id: int, message_id: int):
    return _withdraw(message_id, couple_id)


# How each person hears of new messages ----------------------------------------------------------


@bp.route("/messages/settings", methods=["GET", "POST"])
@role_required("clinician", "client")
def preferences():
    user = current_user
    form_class = ClinicianNoticesForm if user.is_clinician else NoticesForm
    form = form_class(obj=user if request.method == "GET" else None)
    if form.validate_on_submit():
        user.message_notices = form.notices.data
        if user.is_clinician:
            user.availability_note = (form.availability_note.data or "").strip()
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("messages.preferences"))
    status = 400 if form.is_submitted() else 200
    return render_template("messages/preferences.html", form=form), status
