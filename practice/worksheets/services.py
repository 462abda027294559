"""A partner's tasks, drafts and submissions. Drafts carry a revision so an older save (a second
tab, a slow network) never overwrites a newer one; one row per occurrence and slot makes a
double submit one response."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, and_, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload

from practice.assignments.services import answers_since, rule_of
from practice.couples.closing import ensure_open
from practice.encryption import seal_for
from practice.exercises.definitions import TemplateDef
from practice.exercises.schedule import (
    GRACE_DAYS,
    can_answer,
    is_occurrence,
    occurrence_closes_on,
    occurrence_state,
    occurrences,
)
from practice.exercises.services import definition_of, in_language
from practice.models import (
    Assignment,
    ParkedDraft,
    Partner,
    Response,
    TemplateVersion,
    utcnow,
)


class WorksheetClosed(Exception):
    """The occurrence cannot be answered now; the message says why, plainly."""


class AlreadySubmitted(Exception):
    """The occurrence was already submitted (a double click, the back button, a replay)."""

    def __init__(self, response: Response) -> None:
        super().__init__("already submitted")
        self.response = response


class JointNotReady(ValueError):
    """A joint answer still misses the other partner's required part."""


def slot_for(assignment: Assignment, partner: Partner) -> str | None:
    """The slot this partner answers in, or None when the exercise is not theirs to answer."""
    if assignment.answered_by == "together":
        return "together"
    if assignment.answered_by in ("each", partner.role):
        return partner.role
    return None


@dataclass(frozen=True)
class Task:
    assignment_id: int
    title: str
    day: date
    state: str
    has_draft: bool
    schedule: str
    note: str | None
    answerable: bool = False
    open_until: date | None = None  # the last day it can be sent; None: no closing day


# A couple's assignments that can be answered or consented to, with their templates and
# pauses joined to them: one query, built once.
_OPEN_ASSIGNMENTS = (
    select(Assignment)
    .where(
        Assignment.couple_id == bindparam("couple_id"),
        Assignment.status.in_(("active", "awaiting_consent")),
    )
    .options(joinedload(Assignment.pauses), joinedload(Assignment.template))
)


def tasks_for(
    db: Session, partner: Partner, today: date, zone: tzinfo, language: str = "en"
) -> dict[str, list[Task]]:
    """Today, overdue and this week's tasks for a partner, and exercises waiting for consent
    (built-in exercises titled in the reader's language)."""
    assignments = db.scalars(_OPEN_ASSIGNMENTS, {"couple_id": partner.couple_id}).unique().all()
    mine = [a for a in assignments if slot_for(a, partner)]
    active = [a for a in mine if a.status == "active"]
    # Only the days this page shows: the grace window, and open one-off exercises.
    since = min(
        [today - timedelta(days=GRACE_DAYS)]
        + [a.due_on for a in active if a.schedule == "once" and a.due_on]
    )
    ids = [a.id for a in active]
    submitted, drafts = answers_since(db, ids, zone, since)
    groups: dict[str, list[Task]] = {
        "today": [],
        "overdue": [],
        "upcoming": [],
        "consent": [],
        "consented": [],
    }
    upcoming_seen: set[int] = set()
    for assignment in mine:
        title = _title(assignment, language)
        if assignment.status == "awaiting_consent":
            if partner.role == "injured":
                groups["consent"].append(
                    Task(
                        assignment.id,
                        title,
                        assignment.start_on,
                        "consent",
                        False,
                        assignment.schedule,
                        assignment.note,
                    )
                )
            continue
        if assignment.consent_at is not None and partner.role == "injured":
            # The injured partner may take back a yes they gave.
            groups["consented"].append(
                Task(
                    assignment.id,
                    title,
                    assignment.start_on,
                    "consented",
                    False,
                    assignment.schedule,
                    None,
                )
            )
        rule = rule_of(assignment)
        slot = slot_for(assignment, partner)
        if assignment.schedule == "once":
            days = [assignment.due_on] if assignment.start_on <= today + timedelta(days=6) else []
        else:
            days = occurrences(rule, today - timedelta(days=GRACE_DAYS), today + timedelta(days=7))
        for day in days:
            state = occurrence_state(rule, day, today, submitted.get((assignment.id, day, slot)))
            task = Task(
                assignment.id,
                title,
                day,
                state,
                (assignment.id, day, slot) in drafts,
                assignment.schedule,
                assignment.note,
                answerable=can_answer(rule, day, today),
                open_until=_last_open_day(rule, day),
            )
            if state == "due" or (state in ("done", "late") and day == today):
                groups["today"].append(task)
            elif state == "overdue":
                groups["overdue"].append(task)
            elif state == "upcoming" and assignment.id not in upcoming_seen:
                # One line per exercise: the next day it opens, not every day of the week.
                upcoming_seen.add(assignment.id)
                groups["upcoming"].append(task)
    for tasks in groups.values():
        tasks.sort(key=lambda t: (t.day, t.title))
    return groups


def _title(assignment: Assignment, language: str) -> str:
    template = assignment.template
    if language == (template.language or "en") and template.owner_id is not None:
        return template.title  # a clinician's own exercise read in the language it was written in
    return in_language(definition_of(template.latest), template, language).title


def _last_open_day(rule, day: date) -> date | None:
    closes = occurrence_closes_on(rule, day)
    return closes - timedelta(days=1) if closes is not None else None


@dataclass
class Worksheet:
    assignment: Assignment
    day: date
    slot: str
    role: str
    version: TemplateVersion
    definition: TemplateDef
    response: Response | None


def _occurrence(response: type[Response]) -> ColumnElement[bool]:
    return and_(
        response.assignment_id == bindparam("assignment_id"),
        response.occurrence_on == bindparam("day"),
        response.slot == bindparam("slot"),
    )


# The answer (draft or sent) in one slot of one occurrence, with the version it was written on,
# or else the template's newest version and no answer: one statement, built once, as every
# worksheet opened, saved or autosaved asks for them.
_ANSWER, _NEWEST = aliased(Response), aliased(TemplateVersion)
_OCCURRENCE_AND_VERSION = (
    select(TemplateVersion, Response)
    .outerjoin(Response, and_(Response.version_id == TemplateVersion.id, _occurrence(Response)))
    .where(
        TemplateVersion.id
        == func.coalesce(
            select(_ANSWER.version_id).where(_occurrence(_ANSWER)).scalar_subquery(),
            select(_NEWEST.id)
            .where(_NEWEST.template_id == bindparam("template_id"))
            .order_by(_NEWEST.number.desc())
            .limit(1)
            .scalar_subquery(),
        )
    )
)


def open_worksheet(
    db: Session,
    partner: Partner,
    assignment: Assignment,
    day: date,
    today: date,
    language: str = "en",
) -> Worksheet | None:
    """The worksheet for this occurrence, or None when it is not this partner's to answer.

    Raises AlreadySubmitted or WorksheetClosed with a plain reason.
    """
    slot = slot_for(assignment, partner)
    if slot is None or not is_occurrence(rule_of(assignment), day):
        return None
    version, response = db.execute(
        _OCCURRENCE_AND_VERSION,
        {
            "assignment_id": assignment.id,
            "day": day,
            "slot": slot,
            "template_id": assignment.template_id,
        },
    ).one()
    if response is not None and response.status == "submitted":
        raise AlreadySubmitted(response)
    ensure_open(assignment.couple)
    if assignment.status == "awaiting_consent":
        raise WorksheetClosed(_("This exercise starts once you have said you are ready."))
    if assignment.status == "paused":
        raise WorksheetClosed(_("Your clinician has paused this exercise for now."))
    if assignment.status == "stopped":
        raise WorksheetClosed(_("Your clinician has stopped this exercise."))
    if not can_answer(rule_of(assignment), day, today):
        if day > today:
            raise WorksheetClosed(_("This one isn't open yet. It opens on its day."))
        raise WorksheetClosed(
            _("This day's exercise can no longer be filled in. You can pick up the next one.")
        )
    definition = in_language(definition_of(version), assignment.template, language)
    return Worksheet(assignment, day, slot, partner.role, version, definition, response)


@dataclass(frozen=True)
class SaveResult:
    response: Response
    conflict: bool  # an older save was refused; response holds the newer one


def save_draft(
    db: Session, sheet: Worksheet, partner: Partner, values: dict[str, Any], base_revision: int
) -> SaveResult:
    """Save a draft if nobody saved a newer one since base_revision."""
    ensure_open(sheet.assignment.couple)
    now = utcnow()
    if sheet.response is None:
        response = Response(
            assignment_id=sheet.assignment.id,
            occurrence_on=sheet.day,
            slot=sheet.slot,
            partner_id=partner.id,
            version_id=sheet.version.id,
            answers=values,
            status="draft",
            revision=1,
            visibility=sheet.assignment.visibility,
            created_at=now,
            updated_at=now,
        )
        try:
            with db.begin_nested():
                db.add(response)
        except IntegrityError:
            # Another tab created the draft first: that one is newer than this page.
            existing = _reload(db, sheet)
            if existing.status == "submitted":
                raise AlreadySubmitted(existing) from None
            return SaveResult(existing, conflict=True)
        sheet.response = response
        return SaveResult(response, conflict=False)
    if sheet.slot == "together":
        return _save_joint_part(db, sheet, partner, values, now)
    merged = {**sheet.response.answers, **values}
    changed = db.execute(
        update(Response)
        .where(
            Response.id == sheet.response.id,
            Response.revision == base_revision,
            Response.status == "draft",
        )
        .values(
            answers=seal_for(Response.answers, sheet.response.id, merged),
            revision=Response.revision + 1,
            updated_at=now,
            partner_id=partner.id,
        )
    ).rowcount
    db.expire(sheet.response)
    current = _reload(db, sheet)
    if current.status == "submitted":
        raise AlreadySubmitted(current)
    return SaveResult(current, conflict=changed != 1)


def _save_joint_part(
    db: Session, sheet: Worksheet, partner: Partner, values: dict[str, Any], now
) -> SaveResult:
    """In a joint answer each partner saves their own part: merge it into whatever the other
    partner saved meanwhile (their fields never overlap), retrying a lost race."""
    for _attempt in range(5):
        current = _reload(db, sheet)
        if current.status == "submitted":
            raise AlreadySubmitted(current)
        merged = {**current.answers, **values}
        changed = db.execute(
            update(Response)
            .where(
                Response.id == current.id,
                Response.revision == current.revision,
                Response.status == "draft",
            )
            .values(
                answers=seal_for(Response.answers, current.id, merged),
                revision=Response.revision + 1,
                updated_at=now,
                partner_id=partner.id,
            )
        ).rowcount
        db.expire(current)
        if changed == 1:
            saved = _reload(db, sheet)
            sheet.response = saved
            return SaveResult(saved, conflict=False)
    return SaveResult(_reload(db, sheet), conflict=True)


def submit(
    db: Session,
    sheet: Worksheet,
    partner: Partner,
    values: dict[str, Any],
    base_revision: int,
    visibility: str | None,
) -> SaveResult:
    """Turn the worksheet into a submitted response (once, whatever the number of clicks)."""
    result = save_draft(db, sheet, partner, values, base_revision)
    if result.conflict:
        return result
    response = result.response
    if sheet.slot == "together":
        missing = [
            f.label
            for f in sheet.definition.fields
            if f.required
            and f.for_role
            and f.for_role != partner.role
            and response.answers.get(f.key) in (None, "", [])
        ]
        if missing:
            raise JointNotReady(
                _(
                    "Your partner's part isn't filled in yet: %(parts)s. Your words are saved; "
                    "either of you can send it once both parts are there.",
                    parts=", ".join(missing),
                )
            )
    typed = {**response.answers, **values}
    claimed = db.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == "draft")
        .values(
            answers=seal_for(Response.answers, response.id, typed),
            status="submitted",
            submitted_at=utcnow(),
            visibility=visibility or response.visibility,
            partner_id=partner.id,
        )
    ).rowcount
    db.expire(response)
    current = _reload(db, sheet)
    if claimed != 1:
        raise AlreadySubmitted(current)
    return SaveResult(current, conflict=False)


def choose_visibility(response: Response, choice: str) -> None:
    """The author decides who may read their submitted answer."""
    ensure_open(response.assignment.couple)
    response.visibility = choice


def _reload(db: Session, sheet: Worksheet) -> Response:
    return db.scalars(
        select(Response)
        .where(
            Response.assignment_id == sheet.assignment.id,
            Response.occurrence_on == sheet.day,
            Response.slot == sheet.slot,
        )
        .execution_options(populate_existing=True)
    ).one()


# Words posted after the sign-in ended --------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


PARK_HOURS = 24


@lru_cache(maxsize=4)
def _author_signer(secret_key: str) -> URLSafeSerializer:
    # Built once per key (every worksheet page signs a note); a serializer keeps no state.
    # OpenSSL's SHA-1 takes HMAC's fast path; the signature is the same as with the default.
    return URLSafeSerializer(
        secret_key, salt="worksheet-author", signer_kwargs={"digest_method": hashlib.sha1}
    )


# The note has no timestamp, so the same worksheet opened again signs to the same characters:
# kept, as a partner opens the same day's check-in many times (each autosave's page load too).
@lru_cache(maxsize=4096)
def author_token(secret_key: str, partner_id: int, assignment_id: int, day: date) -> str:
    """A signed note of who opened a worksheet, carried in its form."""
    return _author_signer(secret_key).dumps([partner_id, assignment_id, day.isoformat()])


def author_of(secret_key: str, token: str | None, assignment_id: int, day: date) -> int | None:
    """The partner id in a valid author note for this worksheet, else None."""
    try:
        partner_id, assignment, when = _author_signer(secret_key).loads(token or "")
    except (BadSignature, ValueError, TypeError):
        return None
    if assignment != assignment_id or when != day.isoformat():
        return None
    return int(partner_id)


def park_answers(
    db: Session, assignment_id: int, day: date, partner_id: int, values: dict[str, Any]
) -> str:
    """Keep words posted without a live sign-in, for their author only; returns the token for
    the browser's session. Parked words older than a day are swept at the same time."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is not None:
        ensure_open(assignment.couple)
    cutoff = utcnow() - timedelta(hours=PARK_HOURS)
    db.execute(delete(ParkedDraft).where(ParkedDraft.created_at < cutoff))
    token = secrets.token_urlsafe(32)
    db.add(
        ParkedDraft(
            token_hash=_digest(token),
            assignment_id=assignment_id,
            occurrence_on=day,
            partner_id=partner_id,
            answers=values,
        )
    )
    db.flush()
    return token


def find_parked(
    db: Session, token: str | None, assignment_id: int, day: date, partner_id: int
) -> ParkedDraft | None:
    """This partner's own parked words for this worksheet behind the browser's token."""
    if not token:
        return None
    return db.scalar(
        select(ParkedDraft).where(
            ParkedDraft.token_hash == _digest(token),
            ParkedDraft.assignment_id == assignment_id,
            ParkedDraft.occurrence_on == day,
            ParkedDraft.partner_id == partner_id,
            ParkedDraft.created_at > utcnow() - timedelta(hours=PARK_HOURS),
        )
    )
