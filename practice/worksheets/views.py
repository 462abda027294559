"""A partner's Today page, worksheets (drafts, autosave, submit) and the answers they may read."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import joinedload

from practice.access import (
    client_required,
    get_client_assignment_or_404,
    get_client_response_or_404,
    own_partner,
    own_partner_and_assignment,
)
from practice.assignments.services import AssignmentError, give_consent, withdraw_consent
from practice.auth.forms import PostForm
from practice.auth.sessions import touch_session
from practice.couples.closing import CoupleClosed
from practice.db import db
from practice.exercises.services import definition_of, in_language
from practice.i18n import reader_language
from practice.inputs import REFUSED, has_controls, query_int, without_controls
from practice.measures.services import record_submission
from practice.models import Assignment, Partner, utcnow
from practice.timefmt import local_today, practice_zone
from practice.urls import ID_MAX
from practice.worksheets.answers import answers_visible_to, exercises_answered, render_answers
from practice.worksheets.consent import consent_previews
from practice.worksheets.forms import build_form, raw_values, typed_values, unknown_fields
from practice.worksheets.services import (
    AlreadySubmitted,
    JointNotReady,
    WorksheetClosed,
    author_of,
    author_token,
    choose_visibility,
    find_parked,
    open_worksheet,
    park_answers,
    save_draft,
    submit,
    tasks_for,
)

bp = Blueprint("worksheets", __name__)

PARKED_KEY = "parked_answers"
# Loader options as single objects, so the loaders reuse the statements built with them. An
# assignment's pauses decide which days are occurrences; Today says when the couple is closed.
WITH_PAUSES = joinedload(Assignment.pauses)
WITH_COUPLE = joinedload(Partner.couple)


def _today() -> date:
    return local_today(practice_zone(), utcnow())


def _day_or_404(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


@bp.get("/today")
@client_required
def today():
    """What is due today, overdue, and coming up this week for the signed-in partner."""
    partner = own_partner(WITH_COUPLE)  # the page says when it is closed
    groups = tasks_for(db.session, partner, _today(), practice_zone(), reader_language())
    previews = consent_previews(
        db.session, [t.assignment_id for t in groups["consent"]], "injured", reader_language()
    )
    return render_template(
        "worksheets/today.html",
        groups=groups,
        previews=previews,
        partner=partner,
        today=_today(),
        post_form=PostForm(),
    )


@bp.route("/tasks/<int:assignment_id>/<day>", methods=["GET", "POST"])
def worksheet(assignment_id: int, day: str):
    """Fill in one occurrence of an exercise: save a draft or send it."""
    if not current_user.is_authenticated:
        return _park_and_sign_in(assignment_id, day)
    return _worksheet(assignment_id, day)


@client_required
def _worksheet(assignment_id: int, day_text: str, stale_token: bool = False):
    partner, assignment = own_partner_and_assignment(assignment_id, WITH_PAUSES)
    day = _day_or_404(day_text)
    try:
        sheet = open_worksheet(db.session, partner, assignment, day, _today(), reader_language())
    except AlreadySubmitted as done:
        if request.method == "POST":
            flash(_("This was already sent. Here is what you wrote."), "info")
        return redirect(url_for("worksheets.answer", response_id=done.response.id))
    except WorksheetClosed as closed:
        return _closed(assignment, str(closed))
    if sheet is None:
        if request.method == "POST" and assignment.answered_by in (
            "each",
            "together",
            partner.role,
        ):
            # The day stopped being an occurrence while the page was open (a pause).
            return _closed(assignment, _("Your clinician has paused this exercise for now."))
        abort(404)
    definition = sheet.definition
    parked = find_parked(db.session, session.get(PARKED_KEY), assignment.id, day, partner.id)
    author = author_token(current_app.config["SECRET_KEY"], partner.id, assignment.id, day)
    restored = False
    status = 200
    conflict_text = None
    if stale_token:
        form = build_form(definition, sheet.role, request.form)
        form.revision.data = request.form.get("revision", "0")
        form.form_errors.append(
            _(
                "You signed in again since this page was opened, so for your safety nothing "
                "was saved yet. Your words are all here: please press the button again."
            )
        )
        status = 400
    elif request.method == "POST":
        form = build_form(definition, sheet.role, request.form)
        extra = unknown_fields(definition, sheet.role, request.form)
        form.validate()
        base = _int(form.revision.data)
        values = raw_values(definition, sheet.role, request.form)
        if extra:
            form.form_errors.append(
                _("This page sent answers this worksheet doesn't have. Please reload the page.")
            )
            status = 400
        elif request.form.get("action") == "submit":
            if form.errors:
                status = 400
                kept = save_draft(db.session, sheet, partner, values, base)  # words are kept
                db.session.commit()
                form.revision.data = str(kept.response.revision)
            else:
                try:
                    result = submit(
                        db.session,
                        sheet,
                        partner,
                        typed_values(definition, sheet.role, form),
                        base,
                        _visibility_choice(definition, assignment),
                    )
                except JointNotReady as exc:
                    db.session.commit()
                    form.form_errors.append(str(exc))
                    form.revision.data = str(sheet.response.revision)
                    status = 400
                except AlreadySubmitted as done:
                    db.session.rollback()
                    return redirect(url_for("worksheets.answer", response_id=done.response.id))
                else:
                    if result.conflict:
                        conflict_text = values
                        status = 409
                    else:
                        _drop_parked(parked)
                        made = _boundary_proposals(result.response, partner)
                        outcome = record_submission(
                            db.session, result.response, definition, partner, _today()
                        )
                        db.session.commit()
                        if outcome.needs_crisis_resources:
                            return redirect(url_for("worksheets.support", after=result.response.id))
                        flash(_("Sent. Thank you for taking the time."), "success")
                        if made:
                            flash(
                                ngettext(
                                    "%(num)d boundary proposal is now in Boundaries for your "
                                    "partner to see.",
                                    "%(num)d boundary proposals are now in Boundaries for your "
                                    "partner to see.",
                                    made,
                                ),
                                "info",
                            )
                        return redirect(
                            url_for("worksheets.answer", response_id=result.response.id)
                        )
        elif any(REFUSED in field.errors for field in form):
            # A draft refuses them too: the words are shown again (without them), and only
            # that is said, as a draft need not be complete.
            for field in form:
                field.errors = [e for e in field.errors if e == REFUSED]
            form.form_errors.clear()
            status = 400
        else:
            result = save_draft(db.session, sheet, partner, values, base)
            if result.conflict:
                conflict_text = values
                status = 409
            else:
                _drop_parked(parked)
                db.session.commit()
                flash(_("Draft saved. You can come back to it any time."), "success")
                return redirect(request.path)
        if conflict_text is not None:
            db.session.rollback()
            form = build_form(definition, sheet.role, answers=sheet.response.answers)
            form.revision.data = str(sheet.response.revision)
    else:
        answers = sheet.response.answers if sheet.response else None
        if parked is not None:
            answers = {**(answers or {}), **parked.answers}
            restored = True
        form = build_form(definition, sheet.role, answers=answers)
        form.revision.data = str(sheet.response.revision if sheet.response else 0)
    form.author.data = author
    return (
        render_template(
            "worksheets/worksheet.html",
            sheet=sheet,
            form=form,
            definition=definition,
            restored=restored,
            conflict_text=conflict_text,
            other_part=_other_part(sheet),
        ),
        status,
    )


def _boundary_proposals(response, partner) -> int:
    """A boundary proposal worksheet (fields boundary_1, consequence_1, check_1, ...) turns
    its answers into proposed boundaries from its author."""
    if response.slot not in ("injured", "involved") or "boundary_1" not in response.answers:
        return 0
    from practice.boundaries.services import proposals_from_response

    return len(proposals_from_response(db.session, response, partner, _today()))


def _closed(assignment: Assignment, message: str):
    """The exercise can't take answers now; anything just posted is shown so it isn't lost."""
    kept = (
        [
            (key.removeprefix("f_"), ", ".join(request.form.getlist(key)))
            for key in request.form
            if key.startswith("f_") and any(v.strip() for v in request.form.getlist(key))
        ]
        if request.method == "POST"
        else []
    )
    return render_template(
        "worksheets/closed.html", message=message, assignment=assignment, kept=kept
    ), 409


def _int(value: str | None) -> int:
    """A posted revision; -1 (matches no draft) when it is not a number the database holds."""
    try:
        number = int(value or 0)
    except ValueError:
        return -1
    return number if abs(number) <= ID_MAX else -1


def _visibility_choice(definition, assignment: Assignment) -> str | None:
    choice = request.form.get("visibility")
    if definition.visibility_locked or choice not in ("clinician", "shared", "mutual"):
        return None
    if choice == "mutual" and assignment.answered_by != "each":
        return None
    return choice


def _other_part(sheet):
    """In a joint answer, what the other partner has written so far (it is theirs together)."""
    if sheet.slot != "together" or sheet.response is None:
        return []
    other_fields = [f for f in sheet.definition.fields if f.for_role and f.for_role != sheet.role]
    return render_answers(other_fields, sheet.response.answers)


def _drop_parked(parked) -> None:
    if parked is not None:
        db.session.delete(parked)
        session.pop(PARKED_KEY, None)


def recover_from_csrf():
    """A worksheet posted with a stale form token: keep the words rather than refuse them."""
    args = request.view_args or {}
    if not current_user.is_authenticated:
        return _park_and_sign_in(args.get("assignment_id", 0), args.get("day", ""))
    return _worksheet(args.get("assignment_id", 0), args.get("day", ""), stale_token=True)


def _same_site() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == request.host_url.rstrip("/")


def _park_and_sign_in(assignment_id: int, day_text: str):
    """The sign-in ended mid-answer: keep the words, ask to sign in, then bring them back."""
    if request.method == "POST":
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            day = None
        values = {
            key.removeprefix("f_"): without_controls(
                request.form.getlist(key)
                if len(request.form.getlist(key)) > 1
                else request.form.get(key, "")
            )
            for key in request.form
            if key.startswith("f_") and not has_controls(key)
        }
        author = (
            author_of(
                current_app.config["SECRET_KEY"], request.form.get("author"), assignment_id, day
            )
            if day is not None
            else None
        )
        if author is not None and values and _same_site():
            try:
                session[PARKED_KEY] = park_answers(db.session, assignment_id, day, author, values)
            except CoupleClosed:
                db.session.rollback()  # the work has ended: nothing to keep for later
            else:
                db.session.commit()
                flash(
                    _("You were signed out, but your words are safe. Sign in to carry on."), "info"
                )
    return redirect(url_for("auth.login", next=request.path))


@bp.post("/tasks/<int:assignment_id>/<day>/autosave")
@client_required
def autosave(assignment_id: int, day: str):
    """Save a draft from the page's script; answers 409 with the newer revision on conflict."""
    partner, assignment = own_partner_and_assignment(assignment_id, WITH_PAUSES)
    when = _day_or_404(day)
    try:
        sheet = open_worksheet(db.session, partner, assignment, when, _today(), reader_language())
    except AlreadySubmitted:
        return jsonify(error="submitted", message=_("This was already sent.")), 409
    except WorksheetClosed as closed:
        return jsonify(error="closed", message=str(closed)), 409
    if sheet is None:
        abort(404)
    extra = unknown_fields(sheet.definition, sheet.role, request.form)
    if extra:
        return jsonify(
            error="fields", message=_("Unknown fields: %(keys)s", keys=", ".join(extra))
        ), 400
    values = raw_values(sheet.definition, sheet.role, request.form)
    draft = sheet.response
    if draft is not None and all(draft.answers.get(k) == v for k, v in values.items()):
        # Nothing new: no revision, and it does not keep an idle sign-in alive.
        return jsonify(revision=draft.revision, saved_at=draft.updated_at.isoformat())
    touch_session(db.session, current_user.get_id())
    result = save_draft(db.session, sheet, partner, values, _int(request.form.get("revision")))
    db.session.commit()
    body = {
        "revision": result.response.revision,
        "saved_at": result.response.updated_at.isoformat(),
    }
    if result.conflict:
        return jsonify(
            error="conflict", message=_("A newer draft was saved in another window."), **body
        ), 409
    return jsonify(**body)


@bp.get("/checkins")
@client_required
def checkins():
    """The partner's check-in history as charts (and their partner's, where shared)."""
    from practice.reporting.charts import Series, responsive_chart
    from practice.worksheets.history import checkin_trends, history_period

    partner = own_partner()
    days = query_int("days", 30)
    days = days if days in (14, 30, 90) else 30
    period = history_period(days, _today())
    trends, shared = checkin_trends(db.session, partner, period, _today(), practice_zone())
    other = "involved" if partner.role == "injured" else "injured"
    names = {partner.role: _("You"), other: _("Your partner")}
    charts = []
    for trend in trends:
        series = [
            Series(
                names[partner.role],
                partner.role,
                trend.partners[partner.role].daily,
                trend.partners[partner.role].rolling,
            )
        ]
        if trend.partners[other].daily:
            series.append(
                Series(
                    names[other], other, trend.partners[other].daily, trend.partners[other].rolling
                )
            )
        charts.append(
            (trend, responsive_chart(trend.metric.label, series, period.start, period.end))
        )
    return render_template(
        "worksheets/checkins.html", charts=charts, days=days, shared=shared, partner=partner
    )


@bp.get("/support")
@client_required
def support():
    """Crisis resources, shown at once after an answer that says someone may not be safe."""
    from practice.measures.crisis import lines_for
    from practice.messages.views import availability

    partner = own_partner()
    return render_template(
        "worksheets/support.html",
        lines=lines_for(current_app.config["CRISIS_RESOURCES"]),
        availability=availability(partner.couple),
        after=query_int("after"),
    )


@bp.get("/csrf-token")
@client_required
def csrf_token():
    """A fresh form token for the autosave script after signing in again in another tab."""
    return jsonify(token=generate_csrf())


@bp.get("/answers")
@client_required
def answers():
    """Everything this partner wrote, and what their partner chose to share."""
    partner = own_partner()
    page = max(query_int("page", 1), 1)
    whose = request.args.get("whose", "")
    whose = whose if whose in ("mine", "partner") else ""
    exercise = query_int("exercise")
    search = (request.args.get("q") or "")[:200]
    items, more = answers_visible_to(
        db.session, partner, page, whose=whose, exercise=exercise, search=search
    )
    exercises = exercises_answered(db.session, partner)
    filters = {"whose": whose, "exercise": exercise, "q": search}
    return render_template(
        "worksheets/answers.html",
        items=items,
        partner=partner,
        page=page,
        more=more,
        exercises=exercises,
        filters=filters,
        pager_args={k: v for k, v in filters.items() if v},
    )


@bp.get("/answers/<int:response_id>")
@client_required
def answer(response_id: int):
    """Read one answer (one's own, a joint one, or the partner's where they may)."""
    partner = own_partner()
    response = get_client_response_or_404(response_id, partner)
    definition = in_language(
        definition_of(response.version), response.assignment.template, reader_language()
    )
    own = response.slot in (partner.role, "together")
    can_change = (
        own
        and response.status == "submitted"
        and response.slot != "together"
        and not definition.visibility_locked
    )
    return render_template(
        "worksheets/answer.html",
        response=response,
        definition=definition,
        rows=render_answers(definition.fields, response.answers),
        own=own,
        can_change=can_change,
        partner=partner,
        post_form=PostForm(),
    )


@bp.post("/answers/<int:response_id>/visibility")
@client_required
def change_visibility(response_id: int):
    """Choose whether one's own answer is shared with the partner or kept for the clinician."""
    partner = own_partner()
    response = get_client_response_or_404(response_id, partner)
    definition = definition_of(response.version)
    if response.slot != partner.role or response.status != "submitted":
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    choice = request.form.get("visibility")
    allowed = (
        ("clinician", "shared", "mutual")
        if response.assignment.answered_by == "each"
        else ("clinician", "shared")
    )
    if definition.visibility_locked or choice not in allowed:
        flash(_("That choice isn't available for this exercise."), "error")
    else:
        choose_visibility(response, choice)
        db.session.commit()
        flash(_visibility_message(choice), "success")
    return redirect(url_for("worksheets.answer", response_id=response.id))


def _visibility_message(choice: str) -> str:
    return {
        "clinician": _("Kept for your clinician only."),
        "shared": _("Shared with your partner."),
        "mutual": _("Your partner will see this once they have sent theirs."),
    }[choice]


@bp.post("/assignments/<int:assignment_id>/consent")
@client_required
def consent(assignment_id: int):
    """The injured partner says they are ready to begin an exercise that waited for them."""
    partner = own_partner()
    assignment = get_client_assignment_or_404(assignment_id)
    if partner.role != "injured" or not PostForm().validate_on_submit():
        abort(404 if partner.role != "injured" else 400)
    try:
        give_consent(assignment)
    except AssignmentError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _("Thank you. It starts now, at your pace; you can talk about it in session."),
            "success",
        )
    return redirect(url_for("worksheets.today"))


@bp.post("/assignments/<int:assignment_id>/withdraw-consent")
@client_required
def withdraw(assignment_id: int):
    """The injured partner takes back their agreement to an exercise: it waits again."""
    partner = own_partner()
    assignment = get_client_assignment_or_404(assignment_id)
    if partner.role != "injured" or not PostForm().validate_on_submit():
        abort(404 if partner.role != "injured" else 400)
    try:
        withdraw_consent(assignment)
    except AssignmentError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _(
                "That's fine. It has stopped for now, and nothing more is due. Your clinician "
                "will see that it is waiting again, and you can talk about it in session."
            ),
            "success",
        )
    return redirect(url_for("worksheets.today"))
