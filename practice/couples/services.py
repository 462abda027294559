"""Adding couples, inviting partners, moving stages and the caseload overview."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Exists, bindparam, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from practice.auth.tokens import IssuedToken, issue_token
from practice.couples.closing import ensure_open
from practice.i18n import lazy_gettext as _l
from practice.models import (
    Appointment,
    Boundary,
    BoundaryLog,
    Couple,
    MeasureScore,
    Partner,
    SafetyCheck,
    StageChange,
    User,
    utcnow,
)
from practice.notes.due import note_due_clause
from practice.stages import check_stage_move


class CoupleError(ValueError):
    """A change to a couple that cannot be made; the message is shown to the clinician."""


@dataclass(frozen=True)
class NewPartner:
    role: str
    name: str
    email: str


def create_couple(
    db: Session,
    clinician: User,
    *,
    label: str,
    started_on: date,
    stage: int,
    partners: tuple[NewPartner, NewPartner],
) -> Couple:
    """Add a couple with both partners' (not yet active) accounts and its first stage entry."""
    roles = sorted(p.role for p in partners)
    if roles != ["injured", "involved"]:
        raise CoupleError(_("A couple has one injured partner and one involved partner."))
    emails = [p.email.strip().lower() for p in partners]
    if emails[0] == emails[1]:
        raise CoupleError(_("Each partner needs their own email address."))
    taken = db.scalars(select(User.email).where(User.email.in_(emails))).all()
    if taken:
        raise CoupleError(_("%(email)s already has a Mend account.", email=taken[0]))
    label = label.strip()
    if db.scalar(
        select(Couple.id).where(Couple.clinician_id == clinician.id, Couple.label == label)
    ):
        raise CoupleError(
            _(
                "You already have a couple called %(label)s. Please choose another name.",
                label=repr(label),
            )
        )
    couple = Couple(
        label=label, clinician=clinician, stage=stage, started_on=started_on, plan_offer_stage=stage
    )
    for new, email in zip(partners, emails, strict=True):
        user = User(email=email, display_name=new.name.strip(), role="client", password_hash=None)
        couple.partners.append(Partner(user=user, role=new.role))
    couple.stage_changes.append(
        StageChange(
            from_stage=None, to_stage=stage, changed_by=clinician, reason="Started with Mend"
        )
    )
    db.add(couple)
    db.flush()
    return couple


def invite_partner(
    db: Session, secret_key: str, partner: Partner, clinician: User, days: int
) -> IssuedToken:
    """Issue (or re-issue) the partner's invitation; earlier links stop working."""
    ensure_open(partner.couple)
    if partner.user.password_hash is not None:
        raise CoupleError(_("%(name)s has already joined Mend.", name=partner.user.display_name))
    return issue_token(
        db, secret_key, partner.user, "invitation", timedelta(days=days), created_by=clinician
    )


def move_stage(db: Session, couple: Couple, target: int, reason: str, by: User) -> StageChange:
    """Move the couple to another stage and record who moved it and why."""
    ensure_open(couple)
    try:
        check_stage_move(couple.stage, target, reason)
    except ValueError as exc:
        raise CoupleError(str(exc)) from exc
    change = StageChange(
        from_stage=couple.stage, to_stage=target, changed_by=by, reason=reason.strip()
    )
    couple.stage_changes.append(change)
    couple.stage = target
    couple.plan_offer_stage = target
    db.flush()
    return change


def set_status(couple: Couple, status: str, now: datetime | None = None) -> None:
    """Mark the couple active, paused or closed; closing records when, reopening clears it."""
    if status not in ("active", "paused", "closed"):
        raise CoupleError(_("Status must be active, paused or closed."))
    if status == "closed" and couple.status != "closed":
        couple.closed_at = now or utcnow()
    elif status != "closed":
        couple.closed_at = None
    couple.status = status


def stage_entered_at(couple: Couple, history: Sequence[StageChange] | None = None) -> datetime:
    """When the couple entered its current stage; history is its stage changes, oldest first,
    when the caller has loaded them already."""
    changes = couple.stage_changes if history is None else history
    entries = [c.changed_at for c in changes if c.to_stage == couple.stage]
    return entries[-1] if entries else couple.created_at


def _latest_says_so(
    model: type,
    day: str,
    signal: Callable[[Any], ColumnElement[bool]],
    couple_id: ColumnElement[int],
    *kind: tuple[str, str],
) -> Exists:
    """Whether a partner's latest row (by day, then id) of the model, of this kind, for the
    couple gives the signal: a row that does, with no later row of the same partner."""
    row, later = aliased(model), aliased(model)
    own_kind = [getattr(row, name) == value for name, value in kind]
    later_kind = [getattr(later, name) == value for name, value in kind]
    return exists().where(
        row.couple_id == couple_id,
        *own_kind,
        signal(row),
        ~exists().where(
            later.couple_id == row.couple_id,
            later.role == row.role,
            *later_kind,
            tuple_(getattr(later, day), later.id) > tuple_(getattr(row, day), row.id),
        ),
    )


def safety_concern(couple_id: ColumnElement[int]) -> ColumnElement[bool]:
    """True where a partner's latest safety check was worrying, or their latest PHQ-9 had
    item 9 above 0. For the couple whose id is given: Couple.id asks it of each couple a
    query lists, a bound parameter of one couple."""
    return or_(
        _latest_says_so(SafetyCheck, "checked_on", lambda c: c.worrying.is_(True), couple_id),
        _latest_says_so(
            MeasureScore,
            "administered_on",
            lambda m: m.self_harm_item > 0,
            couple_id,
            ("instrument", "phq9"),
        ),
    )


def safety_concerns(db: Session, couple_ids: list[int]) -> set[int]:
    """The couples among these with a safety concern (see safety_concern), in one query."""
    if not couple_ids:
        return set()
    return set(db.scalars(_WITH_SAFETY_CONCERN, {"couple_ids": couple_ids}))


_WITH_SAFETY_CONCERN = select(Couple.id).where(
    Couple.id.in_(bindparam("couple_ids", expanding=True)), safety_concern(Couple.id)
)


@dataclass(frozen=True)
class CaseloadRow:
    couple_id: int
    label: str
    stage: int
    status: str
    next_appointment: datetime | None
    last_activity: datetime | None
    recent_crossings: int = 0
    safety_concern: bool = False
    notes_due: int = 0  # past appointments without a signed session note


# The caseload's one query, built once (a clinician's home page): each couple with its next
# appointment, its partners' last sign-in, its boundary crossings of the last 7 days and
# whether it has a safety concern.
_NEXT_APPOINTMENT = (
    select(func.min(Appointment.starts_at))
    .where(
        Appointment.couple_id == Couple.id,
        Appointment.starts_at >= bindparam("now"),
        Appointment.cancelled_at.is_(None),
    )
    .correlate(Couple)
    .scalar_subquery()
)
_LAST_ACTIVITY = (
    select(func.max(User.last_login_at))
    .join(Partner, Partner.user_id == User.id)
    .where(Partner.couple_id == Couple.id)
    .correlate(Couple)
    .scalar_subquery()
)
_RECENT_CROSSINGS = (
    select(func.count(BoundaryLog.id))
    .join(Boundary, Boundary.id == BoundaryLog.boundary_id)
    .where(
        Boundary.couple_id == Couple.id,
        BoundaryLog.status == "crossed",
        BoundaryLog.period_start >= bindparam("since"),
    )
    .correlate(Couple)
    .scalar_subquery()
)
_NOTES_DUE = (
    select(func.count(Appointment.id))
    .where(note_due_clause(Couple.id, bindparam("now")))
    .correlate(Couple)
    .scalar_subquery()
)
_CASELOAD = select(
    Couple.id,
    Couple.label,
    Couple.stage,
    Couple.status,
    _NEXT_APPOINTMENT,
    _LAST_ACTIVITY,
    _RECENT_CROSSINGS,
    safety_concern(Couple.id),
    _NOTES_DUE,
).where(Couple.clinician_id == bindparam("clinician_id"))


@dataclass(frozen=True)
class SortStep:
    says: str  # how the caseload's caption describes this step (a lazy, translatable string)
    key: Callable[[CaseloadRow], Any]


STATUS_ORDER = {"active": 0, "paused": 1, "closed": 2}
# The caseload's order, step by step: the sort and the words the page says about it both come
# from here, so the page cannot describe an order it does not produce.
CASELOAD_ORDER = (
    SortStep(_l("safety concerns first"), lambda r: not r.safety_concern),
    SortStep(
        _l("then couples with a boundary crossing this week"), lambda r: r.recent_crossings == 0
    ),
    SortStep(_l("then couples with a session note due"), lambda r: r.notes_due == 0),
    SortStep(_l("then active, paused and closed couples"), lambda r: STATUS_ORDER[r.status]),
    SortStep(
        _l("each by soonest appointment"),
        lambda r: (r.next_appointment is None, r.next_appointment),
    ),
    SortStep(_l("then by label"), lambda r: r.label.lower()),
)


def caseload_order_text() -> str:
    """The caseload's order in words, from the steps that sort it."""
    # A list of phrases, each translated whole; the list is joined as lists are in any language.
    text = ", ".join(str(step.says) for step in CASELOAD_ORDER)
    return text[:1].upper() + text[1:]


def sort_caseload(rows: Sequence[CaseloadRow]) -> list[CaseloadRow]:
    """The rows in the caseload's order (CASELOAD_ORDER)."""
    return sorted(rows, key=lambda r: tuple(step.key(r) for step in CASELOAD_ORDER))


def caseload(
    db: Session, clinician: User, now: datetime, today: date | None = None
) -> list[CaseloadRow]:
    """The clinician's couples with next appointment and last client activity, in one query."""
    since = (today or now.date()) - timedelta(days=6)
    rows = (
        db.connection()
        .execute(_CASELOAD, {"clinician_id": clinician.id, "now": now, "since": since})
        .all()
    )
    return sort_caseload(
        [
            CaseloadRow(*row[:-2], safety_concern=bool(row[-2]), notes_due=row[-1] or 0)
            for row in rows
        ]
    )
