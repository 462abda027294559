"""Proposing, accepting, revising, pausing and retiring boundaries; logging whether they held."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice.analytics.data import monday
from practice.couples.closing import ensure_open
from practice.models import (
    Boundary,
    BoundaryLog,
    BoundaryLogEdit,
    BoundaryPause,
    BoundaryRevision,
    Couple,
    Partner,
    Response,
    User,
    utcnow,
)

BACKFILL_DAYS = 7
EDIT_HOURS = 48
MAX_TEXT = 2000


class BoundaryError(ValueError):
    """A boundary change or log that cannot be made; the message is shown as it is."""


@dataclass(frozen=True)
class BoundaryDraft:
    text: str
    consequence: str
    check_period: str
    review_on: date | None


def _check(draft: BoundaryDraft, today: date) -> BoundaryDraft:
    text = draft.text.strip()
    if not text:
        raise BoundaryError(_("Please say what is agreed, in plain words."))
    if len(text) > MAX_TEXT or len(draft.consequence) > MAX_TEXT:
        raise BoundaryError(
            _("Please keep each part to %(max)s characters.", max=format_number(MAX_TEXT))
        )
    if draft.check_period not in ("daily", "weekly"):
        raise BoundaryError(_("A boundary is checked daily or weekly."))
    if draft.review_on is not None and draft.review_on < today:
        raise BoundaryError(_("The review date has already passed."))
    return BoundaryDraft(text, draft.consequence.strip(), draft.check_period, draft.review_on)


def _revision(boundary: Boundary, summary: str, agreed_by: str, by: User | None) -> None:
    boundary.revisions.append(
        BoundaryRevision(
            number=len(boundary.revisions) + 1,
            text=boundary.text,
            consequence=boundary.consequence,
            check_period=boundary.check_period,
            review_on=boundary.review_on,
            summary=summary,
            agreed_by=agreed_by,
            changed_by_user_id=by.id if by else None,
        )
    )


def propose(
    db: Session,
    couple: Couple,
    draft: BoundaryDraft,
    today: date,
    *,
    by_partner: Partner | None = None,
    by_user: User | None = None,
    source: Response | None = None,
) -> Boundary:
    """A partner (or the clinician with the couple) proposes a boundary."""
    ensure_open(couple)
    draft = _check(draft, today)
    boundary = Boundary(
        couple_id=couple.id,
        text=draft.text,
        consequence=draft.consequence,
        check_period=draft.check_period,
        review_on=draft.review_on,
        status="proposed",
        proposed_by_id=by_partner.id if by_partner else None,
        source_response_id=source.id if source else None,
    )
    now = utcnow()
    if by_partner is not None:
        setattr(boundary, f"{by_partner.role}_accepted_at", now)
    who = f"proposed by the {by_partner.role} partner" if by_partner else "proposed in session"
    _revision(boundary, "First proposal", who, by_user)
    db.add(boundary)
    db.flush()
    return boundary


def accept(boundary: Boundary, partner: Partner) -> None:
    """The partner accepts; once both have, the boundary is active."""
    ensure_open(boundary.couple)
    if boundary.status != "proposed":
        raise BoundaryError(_("This boundary is not waiting for agreement."))
    attribute = f"{partner.role}_accepted_at"
    if getattr(boundary, attribute) is not None:
        raise BoundaryError(_("You have already accepted this boundary."))
    setattr(boundary, attribute, utcnow())
    if boundary.injured_accepted_at and boundary.involved_accepted_at:
        boundary.status = "active"
        boundary.activated_at = utcnow()
        boundary.discuss_requested_at = None
        boundary.revisions[-1].agreed_by = "accepted by both partners"


def ask_to_discuss(boundary: Boundary, partner: Partner) -> None:
    """The partner would rather talk about this boundary in session first."""
    ensure_open(boundary.couple)
    if boundary.status != "proposed":
        raise BoundaryError(_("This boundary is not waiting for agreement."))
    boundary.discuss_requested_at = utcnow()
    boundary.discuss_requested_by_id = partner.id


def revise(
    boundary: Boundary,
    draft: BoundaryDraft,
    summary: str,
    by: User,
    today: date,
    *,
    agreed_in_session: bool,
) -> None:
    """The clinician changes a boundary with the couple; the history keeps every version."""
    ensure_open(boundary.couple)
    if boundary.status == "retired":
        raise BoundaryError(_("A retired boundary cannot be changed."))
    draft = _check(draft, today)
    if not summary.strip():
        raise BoundaryError(_("Please say briefly what changed and why."))
    boundary.text, boundary.consequence = draft.text, draft.consequence
    boundary.check_period, boundary.review_on = draft.check_period, draft.review_on
    agreed = "both partners, in session" if agreed_in_session else "waiting for both partners"
    if agreed_in_session and boundary.status == "proposed":
        now = utcnow()
        boundary.injured_accepted_at = boundary.injured_accepted_at or now
        boundary.involved_accepted_at = boundary.involved_accepted_at or now
        boundary.status, boundary.activated_at = "active", now
        boundary.discuss_requested_at = None
    _revision(boundary, summary.strip(), agreed, by)


def pause(boundary: Boundary, today: date) -> None:
    """Pause an active boundary: no logs are expected while paused."""
    ensure_open(boundary.couple)
    if boundary.status != "active":
        raise BoundaryError(_("Only an active boundary can be paused."))
    boundary.status = "paused"
    boundary.pauses.append(BoundaryPause(paused_on=today))


def resume(boundary: Boundary, today: date) -> None:
    """Make a paused boundary active again from today."""
    ensure_open(boundary.couple)
    if boundary.status != "paused":
        raise BoundaryError(_("Only a paused boundary can be resumed."))
    boundary.status = "active"
    for item in boundary.pauses:
        if item.resumed_on is None:
            item.resumed_on = today


def retire(boundary: Boundary) -> None:
    """Retire a boundary that is no longer needed (its history stays)."""
    ensure_open(boundary.couple)
    if boundary.status == "retired":
        raise BoundaryError(_("This boundary is already retired."))
    boundary.status = "retired"
    boundary.retired_at = utcnow()


def period_for(boundary: Boundary, day: date) -> date:
    """The day (daily) or the week's Monday (weekly) a log for this day belongs to."""
    return day if boundary.check_period == "daily" else monday(day)


def log(
    db: Session,
    boundary: Boundary,
    partner: Partner,
    day: date,
    status: str,
    note: str | None,
    today: date,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> BoundaryLog:
    """Record kept / crossed / not applicable; a second report for a period edits the first."""
    ensure_open(boundary.couple)
    now = now or utcnow()
    if boundary.couple_id != partner.couple_id:
        raise BoundaryError(_("This boundary belongs to another couple."))
    if boundary.status != "active":
        raise BoundaryError(_("This boundary is not active, so it cannot be logged."))
    if status not in ("kept", "crossed", "na"):
        raise BoundaryError(_("Choose kept, crossed, or not applicable."))
    if day > today:
        raise BoundaryError(_("That day hasn't happened yet."))
    if day < today - timedelta(days=BACKFILL_DAYS):
        raise BoundaryError(_("You can fill in up to %(days)d days back.", days=BACKFILL_DAYS))
    if boundary.activated_at and day < boundary.activated_at.astimezone(zone).date():
        raise BoundaryError(_("This boundary wasn't agreed yet on that day."))
    note = (note or "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise BoundaryError(
            _("Please keep the note to %(max)s characters.", max=format_number(MAX_TEXT))
        )
    period = period_for(boundary, day)
    existing = db.scalar(
        select(BoundaryLog).where(
            BoundaryLog.boundary_id == boundary.id,
            BoundaryLog.partner_id == partner.id,
            BoundaryLog.period_start == period,
        )
    )
    if existing is None:
        entry = BoundaryLog(
            boundary_id=boundary.id,
            partner_id=partner.id,
            period_start=period,
            status=status,
            note=note,
            created_at=now,
            updated_at=now,
        )
        try:
            with db.begin_nested():
                db.add(entry)
        except IntegrityError:
            # Two taps at once: the other one was first; treat this one as an edit of it.
            return log(db, boundary, partner, day, status, note, today, now, zone)
        return entry
    if existing.status == status and existing.note == note:
        return existing  # the same report again (a double tap) changes nothing
    if now - existing.created_at > timedelta(hours=EDIT_HOURS):
        raise BoundaryError(
            _(
                "This report is more than %(hours)d hours old, so it can't be changed. "
                "You can mention it to your clinician.",
                hours=EDIT_HOURS,
            )
        )
    existing.edits.append(BoundaryLogEdit(old_status=existing.status, old_note=existing.note))
    existing.status, existing.note, existing.updated_at = status, note, now
    return existing


BOUNDARY_FIELD = re.compile(r"^boundary_(\d+)$")


def proposals_from_response(
    db: Session, response: Response, partner: Partner, today: date
) -> list[Boundary]:
    """Turn a boundary proposal worksheet's answers (boundary_N, consequence_N, check_N,
    review_date) into proposed boundaries from its author."""
    answers = response.answers
    made = []
    review = answers.get("review_date")
    try:
        review_on = date.fromisoformat(review) if review else None
    except ValueError:
        review_on = None
    if review_on is not None and review_on < today:
        review_on = None
    numbers = sorted(int(m.group(1)) for k in answers if (m := BOUNDARY_FIELD.match(k)))
    for n in numbers:
        text = (answers.get(f"boundary_{n}") or "").strip()
        if not text:
            continue
        check = str(answers.get(f"check_{n}") or "daily").lower()
        draft = BoundaryDraft(
            text=text,
            consequence=str(answers.get(f"consequence_{n}") or ""),
            check_period="weekly" if check.startswith("week") else "daily",
            review_on=review_on,
        )
        made.append(propose(db, partner.couple, draft, today, by_partner=partner, source=response))
    return made
