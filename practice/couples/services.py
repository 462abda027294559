"""Adding couples, inviting partners, moving stages and the caseload overview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, bindparam, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from practice.auth.tokens import IssuedToken, issue_token
from practice.couples.closing import ensure_open
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
        raise CoupleError("A couple has one injured partner and one involved partner.")
    emails = [p.email.strip().lower() for p in partners]
    if emails[0] == emails[1]:
        raise CoupleError("Each partner needs their own email address.")
    taken = db.scalars(select(User.email).where(User.email.in_(emails))).all()
    if taken:
        raise CoupleError(f"{taken[0]} already has a Mend account.")
    label = label.strip()
    if db.scalar(
        select(Couple.id).where(Couple.clinician_id == clinician.id, Couple.label == label)
    ):
        raise CoupleError(
            f"You already have a couple called {label!r}. Please choose another name."
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
        raise CoupleError(f"{partner.user.display_name} has already joined Mend.")
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
        raise CoupleError("Status must be active, paused or closed.")
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


# The caseload's one query, built once (a clinician's home page): each couple with its next
# appointment, its partners' last sign-in and its boundary crossings of the last 7 days.
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
_CASELOAD = select(
    Couple.id,
    Couple.label,
    Couple.stage,
    Couple.status,
    _NEXT_APPOINTMENT,
    _LAST_ACTIVITY,
    _RECENT_CROSSINGS,
).where(Couple.clinician_id == bindparam("clinician_id"))


def caseload(
    db: Session, clinician: User, now: datetime, today: date | None = None
) -> list[CaseloadRow]:
    """The clinician's couples with next appointment and last client activity, in one query."""
    status_order = {"active": 0, "paused": 1, "closed": 2}
    since = (today or now.date()) - timedelta(days=6)
    rows = (
        db.connection()
        .execute(_CASELOAD, {"clinician_id": clinician.id, "now": now, "since": since})
        .all()
    )
    concerns = safety_concerns(db, [row[0] for row in rows])
    result = [CaseloadRow(*row, safety_concern=row[0] in concerns) for row in rows]
    far = now + timedelta(days=3650)
    # A safety concern comes first, always; then couples with a crossing this week; then by
    # status and the next appointment.
    result.sort(
        key=lambda r: (
            not r.safety_concern,
            r.recent_crossings == 0,
            status_order[r.status],
            r.next_appointment or far,
            r.label.lower(),
        )
    )
    return result


# Every safety check and PHQ-9 of the given couples, oldest first, in one statement: a
# partner's latest of each kind decides. (A check's "worrying" is read as 0 or 1.)
_COUPLE_IDS = bindparam("couple_ids", expanding=True)
_SAFETY_SIGNALS = union_all(
    select(
        literal("check").label("kind"),
        SafetyCheck.couple_id,
        SafetyCheck.role,
        cast(SafetyCheck.worrying, Integer).label("signal"),
        SafetyCheck.checked_on.label("day"),
        SafetyCheck.id,
    ).where(SafetyCheck.couple_id.in_(_COUPLE_IDS)),
    select(
        literal("phq9"),
        MeasureScore.couple_id,
        MeasureScore.role,
        MeasureScore.self_harm_item,
        MeasureScore.administered_on,
        MeasureScore.id,
    ).where(MeasureScore.couple_id.in_(_COUPLE_IDS), MeasureScore.instrument == "phq9"),
).subquery()
_SAFETY_SIGNALS_IN_ORDER = select(
    _SAFETY_SIGNALS.c.kind,
    _SAFETY_SIGNALS.c.couple_id,
    _SAFETY_SIGNALS.c.role,
    _SAFETY_SIGNALS.c.signal,
).order_by(_SAFETY_SIGNALS.c.day, _SAFETY_SIGNALS.c.id)


def safety_concerns(db: Session, couple_ids: list[int]) -> set[int]:
    """Couples where a partner's latest safety check was worrying, or their latest PHQ-9 had
    item 9 above 0 (one query for the whole caseload)."""
    latest: dict[tuple[str, int, str], int] = {}
    for kind, couple_id, role, signal in db.connection().execute(
        _SAFETY_SIGNALS_IN_ORDER, {"couple_ids": couple_ids}
    ):
        latest[(kind, couple_id, role)] = signal or 0
    return {couple_id for (_kind, couple_id, _role), signal in latest.items() if signal > 0}
