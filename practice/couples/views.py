"""The clinician's caseload and couple pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, func, select

from practice.access import (
    clinician_required,
    get_couple_or_404,
    get_couple_with_or_404,
    get_partner_or_404,
)
from practice.appointments.services import upcoming_and_past
from practice.assignments.services import rhythm_of
from practice.auth.forms import PostForm
from practice.couples.forms import NewCoupleForm, StageMoveForm, StatusForm
from practice.couples.services import (
    CoupleError,
    NewPartner,
    caseload,
    caseload_order_text,
    create_couple,
    invite_partner,
    move_stage,
    safety_concern,
    safety_concerns,
    set_status,
    stage_entered_at,
)
from practice.db import db
from practice.exercises.schedule import describe
from practice.mail import send_mail
from practice.measures.intake import offer_pcl5, offer_safety_check
from practice.messages.services import Reader, unread_by_couple, unread_by_thread
from practice.models import (
    AccountToken,
    Assignment,
    Couple,
    ExerciseTemplate,
    Partner,
    Response,
    SessionNote,
    StageChange,
    User,
    utcnow,
)
from practice.timefmt import local_today, practice_zone
from practice.urls import external_url

bp = Blueprint("couples", __name__, url_prefix="/couples")

# What the page says after a status change, one whole sentence per status.
STATUS_NOW = {
    "active": lambda label: _("%(couple)s is now active.", couple=label),
    "paused": lambda label: _("%(couple)s is now paused.", couple=label),
    "closed": lambda label: _("%(couple)s is now closed.", couple=label),
}

# What the couple page shows of each partner: plain rows, in the order of couple.partners.
_PARTNERS = (
    select(
        Partner.id,
        Partner.role,
        Partner.user_id,
        User.display_name,
        User.email,
        User.last_login_at,
        User.password_hash.is_(None).label("invited"),
    )
    .join(User, User.id == Partner.user_id)
    .where(Partner.couple_id == bindparam("couple_id"))
    .order_by(Partner.role)
)

# Built once, the couple's id bound per request: the couple page's exercise list (newest
# first, stopped ones left out), its stage history (oldest first) and its count of submitted
# answers not yet read.
# The list needs a few columns, not whole rows: plain rows cost less to load than assignments
# joined to their templates, and the clinician's note (encrypted) is not opened for nothing.
_CURRENT_ASSIGNMENTS = (
    select(
        Assignment.id,
        Assignment.schedule,
        Assignment.start_on,
        Assignment.end_on,
        Assignment.due_on,
        Assignment.weekdays,
        Assignment.every_weeks,
        Assignment.days_before,
        Assignment.answered_by,
        Assignment.status,
        ExerciseTemplate.title,
        ExerciseTemplate.slug,
        ExerciseTemplate.owner_id,
    )
    .join(ExerciseTemplate, ExerciseTemplate.id == Assignment.template_id)
    .where(Assignment.couple_id == bindparam("couple_id"), Assignment.status != "stopped")
    .order_by(Assignment.created_at.desc())
)
_STAGE_HISTORY = (
    select(StageChange)
    .where(StageChange.couple_id == bindparam("couple_id"))
    .order_by(StageChange.changed_at)
)
_UNREVIEWED_ANSWERS = (
    select(func.count())
    .select_from(Response)
    .join(Assignment, Assignment.id == Response.assignment_id)
    .where(
        Assignment.couple_id == bindparam("couple_id"),
        Response.status == "submitted",
        Response.reviewed_at.is_(None),
    )
)
# On the couple page the count comes with the couple's row (one query fewer).
WITH_UNREVIEWED = (_UNREVIEWED_ANSWERS.scalar_subquery().label("unreviewed"),)
# The couple page's header: its unread answers and whether it has a safety concern.
WITH_PAGE_HEADER = (
    *WITH_UNREVIEWED,
    safety_concern(bindparam("couple_id")).label("safety_concern"),
)


@bp.get("/")
@clinician_required
def dashboard():
    """The clinician's caseload: every couple with stage, status and what is next."""
    now = utcnow()
    rows = caseload(db.session, current_user, now, local_today(practice_zone(), now))
    unread = unread_by_couple(db.session, current_user.id)
    return render_template(
        "couples/dashboard.html", rows=rows, now=now, order=caseload_order_text(), unread=unread
    )


@bp.route("/new", methods=["GET", "POST"])
@clinician_required
def new():
    """Add a couple and invite both partners."""
    form = NewCoupleForm()
    if form.validate_on_submit():
        try:
            couple = create_couple(
                db.session,
                current_user,
                label=form.label.data,
                started_on=form.started_on.data,
                stage=form.stage.data,
                partners=(
                    NewPartner("injured", form.injured_name.data, form.injured_email.data),
                    NewPartner("involved", form.involved_name.data, form.involved_email.data),
                ),
            )
            for partner in couple.partners:
                _send_invitation(partner)
            today = local_today(practice_zone(), utcnow())
            offer_safety_check(db.session, couple, current_user, today)
            offer_pcl5(db.session, couple, current_user, today)
        except CoupleError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "%(couple)s is added. Both partners have been sent an invitation.",
                    couple=couple.label,
                ),
                "success",
            )
            return redirect(url_for("couples.detail", couple_id=couple.id))
    status = 400 if form.is_submitted() else 200
    return render_template("couples/new.html", form=form), status


@bp.get("/<int:couple_id>")
@clinician_required
def detail(couple_id: int):
    """One couple: partners, stage and its history, appointments."""
    couple, (unreviewed, concern) = get_couple_with_or_404(couple_id, WITH_PAGE_HEADER)
    return _render_detail(couple, unreviewed=unreviewed, safety_concern=bool(concern))


@bp.route("/<int:couple_id>/stage", methods=["GET", "POST"])
@clinician_required
def change_stage(couple_id: int):
    """Move the couple forward or back a stage, with a reason: a page of its own, with the
    seven stages in view while choosing."""
    couple = get_couple_or_404(couple_id)
    # The next stage is offered first; a sent form keeps what was chosen.
    offered = {} if request.method == "POST" else {"target": min(couple.stage + 1, 7)}
    form = StageMoveForm(**offered)
    if form.validate_on_submit():
        try:
            move_stage(db.session, couple, form.target.data, form.reason.data, current_user)
            offer_pcl5(db.session, couple, current_user, local_today(practice_zone(), utcnow()))
        except CoupleError as exc:
            db.session.rollback()
            form.target.errors = [str(exc)]
        else:
            db.session.commit()
            flash(
                _("%(couple)s is now in stage %(stage)d.", couple=couple.label, stage=couple.stage),
                "success",
            )
            return redirect(url_for("couples.detail", couple_id=couple.id))
    status = 400 if form.is_submitted() else 200
    return render_template("couples/stage.html", couple=couple, form=form), status


@bp.post("/<int:couple_id>/status")
@clinician_required
def change_status(couple_id: int):
    """Mark the couple active, paused or closed."""
    couple = get_couple_or_404(couple_id)
    form = StatusForm()
    if form.validate_on_submit():
        set_status(couple, form.status.data)
        db.session.commit()
        flash(STATUS_NOW[couple.status](couple.label), "success")
        return redirect(url_for("couples.detail", couple_id=couple.id))
    return _render_detail(couple, 400, status_form=form)


@bp.post("/<int:couple_id>/partners/<int:partner_id>/invite")
@clinician_required
def reinvite(couple_id: int, partner_id: int):
    """Send a partner a new invitation link; the earlier one stops working."""
    couple = get_couple_or_404(couple_id)
    partner = get_partner_or_404(couple, partner_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        _send_invitation(partner)
    except CoupleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _("A new invitation is on its way to %(email)s.", email=partner.user.email), "success"
        )
    return redirect(url_for("couples.detail", couple_id=couple.id))


def _send_invitation(partner: Partner) -> None:
    config = current_app.config
    issued = invite_partner(
        db.session, config["SECRET_KEY"], partner, current_user, config["INVITATION_DAYS"]
    )
    link = external_url("auth.accept_invitation", token=issued.secret)
    # In the partner's language: their own choice if they made one, else the practice's.
    with force_locale(partner.user.language or config["LOCALE"]):
        subject = _("Your invitation to Mend")
        body = _(
            "Hello %(name)s,\n\n"
            "%(clinician)s has invited you to Mend, the space you will use between your "
            "sessions together.\n\n"
            "To choose your password and sign in, open this link (it works once, for "
            "%(days)d days):\n%(link)s\n\n"
            "If you were not expecting this, you can ignore this email.\n",
            name=partner.user.display_name,
            clinician=current_user.display_name,
            days=config["INVITATION_DAYS"],
            link=link,
        )
    send_mail(partner.user.email, subject, body)


def _pending_invitations(partners: list) -> dict[int, AccountToken]:
    """The live invitation of each partner who has not joined yet, by partner id."""
    pending = {p.user_id: p.id for p in partners if p.invited}
    if not pending:
        return {}
    tokens = db.session.scalars(
        select(AccountToken).where(
            AccountToken.user_id.in_(pending),
            AccountToken.purpose == "invitation",
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
    )
    return {pending[t.user_id]: t for t in tokens}


def _render_detail(
    couple: Couple,
    status: int = 200,
    unreviewed: int | None = None,
    safety_concern: bool | None = None,
    **forms,
):
    """The couple page; a failed form passed in keeps its input and messages."""
    now = utcnow()
    upcoming, past = upcoming_and_past(db.session, couple, now)
    ids = {"couple_id": couple.id}
    partners = db.rows(_PARTNERS, ids).all()
    pending = any(p.invited for p in partners)
    context = {
        "status_form": StatusForm(status=couple.status),
        # Only a partner still to join has a button (send a new invitation) that needs it.
        "post_form": PostForm() if pending else None,
    }
    context.update(forms)
    assignments = db.rows(_CURRENT_ASSIGNMENTS, ids).all()
    if unreviewed is None:
        unreviewed = db.rows(_UNREVIEWED_ANSWERS, ids).scalar()
    if safety_concern is None:
        safety_concern = couple.id in safety_concerns(db.session, [couple.id])
    stage_history = db.session.scalars(_STAGE_HISTORY, ids).all()
    past_notes = (
        {
            n.appointment_id: n
            for n in db.session.scalars(
                select(SessionNote).where(SessionNote.appointment_id.in_([a.id for a in past]))
            )
        }
        if past
        else {}
    )
    html = render_template(
        "couples/detail.html",
        past_notes=past_notes,
        unread_messages=unread_by_thread(
            db.session, Reader(current_user.id, "clinician"), couple.id
        ),
        safety_concern=safety_concern,
        assignments=assignments,
        unreviewed=unreviewed,
        describe_rule=lambda a: describe(rhythm_of(a)),
        couple=couple,
        partners=partners,
        invitations=_pending_invitations(partners),
        stage_history=stage_history,
        stage_since=stage_entered_at(couple, stage_history),
        upcoming=upcoming,
        past=past,
        now=now,
        **context,
    )
    return html, status
