"""Who may call a route, and the only loaders for clinical rows.

Every clinical row is loaded through a function here, scoped to the signed-in user: a clinician
reaches only their own couples, a client only their own couple, an admin no clinical rows at all.
Anything outside that scope answers 404, so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, bindparam, false, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.interfaces import ORMOption

from practice.audit.capture import record_view
from practice.db import db
from practice.exercises.visibility import (
    AnswerFacts,
    clinician_may_read,
    may_read_thread,
    partner_may_read,
)
from practice.models import (
    ROLES,
    Appointment,
    Assignment,
    Boundary,
    Couple,
    ExerciseTemplate,
    Message,
    Partner,
    ReportRequest,
    Response,
    SessionNote,
    User,
)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow signed-in users with one of these roles; others get 403 (anonymous: sign in)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


clinician_required = role_required("clinician")
client_required = role_required("client")
admin_required = role_required("admin")


def _seen(row: T | None, object_type: str, requested_id: int | None) -> T:
    """Record that the row was shown; 404 (recorded as a refusal) when it is not there for
    this user."""
    if row is None:
        abort(404)
    record_view(row)
    return row


def _with_options(statement: Select, options: tuple[ORMOption, ...]) -> Select:
    """A prebuilt statement with the caller's loader options; itself when there are none."""
    return _built(statement, (), options) if options else statement


@lru_cache(maxsize=64)
def _built(
    statement: Select, columns: tuple[ColumnElement[Any], ...], options: tuple[ORMOption, ...]
) -> Select:
    # A copy with columns or options works out its SQL cache key again on every call; callers
    # that pass the same objects each time (module constants) get the same copy back. The
    # cache holds them, so an id is never reused while its entry lives.
    return statement.add_columns(*columns).options(*options)


def couple_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Couple: the couples this user may see."""
    return _scope_of_role(user.role, user.id)


def _scope_of_role(role: str, user_id: Any) -> ColumnElement[bool]:
    """The couples a user of this role and id may see; user_id may be a bound parameter, for
    statements built once."""
    if role == "clinician":
        return Couple.clinician_id == user_id
    if role == "client":
        return Couple.id.in_(select(Partner.couple_id).where(Partner.user_id == user_id))
    return false()


def couples_for(user: User):
    """A select of the couples this user may see."""
    return select(Couple).where(couple_scope(user))


# Built once per role (every couple page and action runs it); ids bound per call.
_COUPLE_IN_SCOPE = {
    role: select(Couple).where(
        Couple.id == bindparam("couple_id"), _scope_of_role(role, bindparam("user_id"))
    )
    for role in ROLES
}


def get_couple_or_404(couple_id: int, *options: ORMOption) -> Couple:
    """The couple with this id if the current user may see it; 404 otherwise. Loader options
    (e.g. joinedload of its partners) let a page load what it shows in a fixed number of
    queries."""
    statement = _with_options(_COUPLE_IN_SCOPE[current_user.role], options)
    ids = {"couple_id": couple_id, "user_id": current_user.id}
    # unique(): a joined collection (e.g. the partners) comes back as one row per member.
    couple = db.session.execute(statement, ids).unique().scalar_one_or_none()
    return _seen(couple, "couple", couple_id)


def get_couple_with_or_404(
    couple_id: int, columns: tuple[ColumnElement[Any], ...], *options: ORMOption
) -> tuple[Couple, tuple[Any, ...]]:
    """As get_couple_or_404, with the values of extra columns from the same query: scalar
    subqueries bound to the "couple_id" parameter (not correlated to the couple's row, so they
    run once however many rows joined options bring). Pass the same column and option objects
    each time, so the statement is built once."""
    statement = _built(_COUPLE_IN_SCOPE[current_user.role], columns, options)
    ids = {"couple_id": couple_id, "user_id": current_user.id}
    row = db.session.execute(statement, ids).unique().one_or_none()
    couple = _seen(row[0] if row is not None else None, "couple", couple_id)
    return couple, tuple(row[1:])


def get_partner_or_404(couple: Couple, partner_id: int) -> Partner:
    """A partner of an already scoped couple; 404 when the id belongs elsewhere."""
    partner = next((p for p in couple.partners if p.id == partner_id), None)
    return _seen(partner, "partner", partner_id)


def get_appointment_or_404(appointment_id: int) -> Appointment:
    """An appointment of a couple the current user may see; 404 otherwise."""
    appointment = db.session.scalar(
        select(Appointment)
        .join(Couple, Couple.id == Appointment.couple_id)
        .where(Appointment.id == appointment_id, couple_scope(current_user))
    )
    return _seen(appointment, "appointment", appointment_id)


_OWN_PARTNER = select(Partner).where(Partner.user_id == bindparam("user_id"))


def own_partner(*options: ORMOption) -> Partner:
    """The signed-in client's place in their couple; 404 if they have none. Loader options as
    in get_couple_or_404."""
    statement = _with_options(_OWN_PARTNER, options)
    partner = db.session.scalar(statement, {"user_id": current_user.id})
    return _seen(partner, "partner", None)


# Exercises -----------------------------------------------------------------------------------


def get_template_or_404(template_id: int) -> ExerciseTemplate:
    """A built-in template or one of the clinician's own; 404 otherwise."""
    template = db.session.scalar(
        select(ExerciseTemplate).where(
            ExerciseTemplate.id == template_id,
            (ExerciseTemplate.owner_id.is_(None)) | (ExerciseTemplate.owner_id == current_user.id),
        )
    )
    if template is None:
        abort(404)
    return template


def _assignment_in_scope(role: str) -> Select:
    return (
        select(Assignment)
        .join(Couple, Couple.id == Assignment.couple_id)
        .where(
            Assignment.id == bindparam("assignment_id"),
            _scope_of_role(role, bindparam("user_id")),
        )
        .options(contains_eager(Assignment.couple))  # the scope's join, kept
    )


# Built once per role (a partner's every worksheet and autosave runs it); ids bound per call.
_ASSIGNMENT_IN_SCOPE = {role: _assignment_in_scope(role) for role in ROLES}


def get_assignment_or_404(assignment_id: int, *options: ORMOption) -> Assignment:
    """An assignment of a couple the current user may see; 404 otherwise. Loader options as
    in get_couple_or_404."""
    statement = _with_options(_ASSIGNMENT_IN_SCOPE[current_user.role], options)
    ids = {"assignment_id": assignment_id, "user_id": current_user.id}
    assignment = db.session.execute(statement, ids).unique().scalar_one_or_none()
    return _seen(assignment, "assignment", assignment_id)


get_client_assignment_or_404 = get_assignment_or_404


# The client's own place in their couple and one of their couple's assignments: the join on the
# couple is the scope. Built once (every worksheet a partner opens runs it).
_OWN_ASSIGNMENT = (
    select(Partner, Assignment)
    .join(Couple, Couple.id == Partner.couple_id)
    .join(Assignment, Assignment.couple_id == Couple.id)
    .where(Partner.user_id == bindparam("user_id"), Assignment.id == bindparam("assignment_id"))
    .options(contains_eager(Assignment.couple))
)


def own_partner_and_assignment(
    assignment_id: int, *options: ORMOption
) -> tuple[Partner, Assignment]:
    """The signed-in client's partner row and an assignment of their couple, in one query;
    404 when either is not theirs. Loader options as in get_couple_or_404."""
    statement = _with_options(_OWN_ASSIGNMENT, options)
    ids = {"user_id": current_user.id, "assignment_id": assignment_id}
    row = db.session.execute(statement, ids).unique().one_or_none()
    partner, assignment = row if row is not None else (None, None)
    return _seen(partner, "partner", None), _seen(assignment, "assignment", assignment_id)


def get_response_or_404(response_id: int) -> Response:
    """A submitted answer of one of the clinician's couples; 404 otherwise (drafts included)."""
    response = db.session.scalar(
        select(Response)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(Couple, Couple.id == Assignment.couple_id)
        .where(Response.id == response_id, couple_scope(current_user))
    )
    if response is not None and not clinician_may_read(facts_of(response)):
        response = None
    return _seen(response, "response", response_id)


def get_client_response_or_404(response_id: int, partner: Partner) -> Response:
    """An answer the partner may read (see practice.exercises.visibility); 404 otherwise."""
    response = db.session.scalar(
        select(Response)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .where(Response.id == response_id, Assignment.couple_id == partner.couple_id)
    )
    if response is not None and not partner_may_read(
        facts_of(response), partner.role, _submitted_same(response, partner)
    ):
        response = None
    return _seen(response, "response", response_id)


def facts_of(response: Response) -> AnswerFacts:
    """The plain facts the visibility rules look at."""
    return AnswerFacts(slot=response.slot, status=response.status, visibility=response.visibility)


def _submitted_same(response: Response, partner: Partner) -> bool:
    return (
        db.session.scalar(
            select(Response.id).where(
                Response.assignment_id == response.assignment_id,
                Response.occurrence_on == response.occurrence_on,
                Response.slot == partner.role,
                Response.status == "submitted",
            )
        )
        is not None
    )


def get_boundary_or_404(boundary_id: int) -> Boundary:
    """A boundary of a couple the current user may see; 404 otherwise."""
    boundary = db.session.scalar(
        select(Boundary)
        .join(Couple, Couple.id == Boundary.couple_id)
        .where(Boundary.id == boundary_id, couple_scope(current_user))
    )
    return _seen(boundary, "boundary", boundary_id)


def get_report_request_or_404(request_id: int) -> ReportRequest:
    """A report request for one of the clinician's couples; 404 otherwise."""
    wanted = db.session.scalar(
        select(ReportRequest)
        .join(Couple, Couple.id == ReportRequest.couple_id)
        .where(ReportRequest.id == request_id, couple_scope(current_user))
    )
    if wanted is None:
        abort(404)
    return wanted


# Session notes: the clinician's own record; only the couple's clinician reaches them. ---------


def get_note_or_404(note_id: int) -> SessionNote:
    """A session note of one of the signed-in clinician's couples; 404 for anyone else
    (clients never reach a note: their routes are refused before this)."""
    if current_user.role != "clinician":
        abort(404)
    note = db.session.scalar(
        select(SessionNote)
        .join(Couple, Couple.id == SessionNote.couple_id)
        .where(SessionNote.id == note_id, Couple.clinician_id == current_user.id)
    )
    return _seen(note, "session_note", note_id)


# Messages ------------------------------------------------------------------------------------


def reader_place(couple: Couple) -> str:
    """The current user's place in this (already scoped) couple's conversations."""
    if current_user.role == "clinician":
        return "clinician"
    partner = next((p for p in couple.partners if p.user_id == current_user.id), None)
    if partner is None:
        abort(404)
    return partner.role


def get_message_or_404(
    message_id: int, couple_id: int | None = None
) -> tuple[Message, Couple, str]:
    """A message in a conversation the current user takes part in (of this couple, when one
    is named), its couple, and the user's place there; 404 otherwise (the other partner's
    private messages included)."""
    statement = (
        select(Message, Couple)
        .join(Couple, Couple.id == Message.couple_id)
        .where(Message.id == message_id, couple_scope(current_user))
    )
    if couple_id is not None:
        statement = statement.where(Couple.id == couple_id)
    found = db.session.execute(statement).one_or_none()
    if found is None:
        abort(404)
    message, couple = found
    place = reader_place(couple)
    if not may_read_thread(message.thread, place):
        abort(404)
    return _seen(message, "message", message_id), couple, place
