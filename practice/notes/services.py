"""Writing session notes: start (with the frozen pre-fill), save drafts, sign, addenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.appointments.services import previous_appointment
from practice.couples.closing import ensure_open
from practice.encryption import seal_for
from practice.models import Appointment, Couple, NoteAddendum, SessionNote, User, utcnow
from practice.notes.due import note_due_clause
from practice.notes.formats import SECTION_MAX, NoteFormat, formats, get_format
from practice.notes.prefill import build_prefill

ADDENDUM_MAX = 20_000


class NoteError(ValueError):
    """A note change that cannot be made; the message is shown to the clinician."""


class NoteSigned(NoteError):
    """The note is signed: its text cannot change any more (an addendum can be added)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This note is signed, so it can no longer be changed. What you wrote is kept "
                "below as a draft addendum: sign the addendum to add it under the note."
            )
        )


def window_for(db: Session, couple_id: int, held_at: datetime, zone: tzinfo) -> Period:
    """The report window of a session: from the appointment before it to its day (inclusive),
    or its last 14 days when there was none; the pre-session report's window that day."""
    day = held_at.astimezone(zone).date()
    last = previous_appointment(db, couple_id, held_at)
    start = last.starts_at.astimezone(zone).date() if last else day - timedelta(days=13)
    return Period(min(start, day), day + timedelta(days=1))


def note_for_appointment(db: Session, appointment_id: int) -> SessionNote | None:
    return db.scalar(select(SessionNote).where(SessionNote.appointment_id == appointment_id))


def _new_note(
    db: Session,
    couple: Couple,
    by: User,
    note_format: NoteFormat,
    held_at: datetime,
    now: datetime,
    zone: tzinfo,
    **fields: Any,
) -> SessionNote:
    period = window_for(db, couple.id, held_at, zone)
    lines = build_prefill(db, couple.id, period, held_at, now, zone)
    note = SessionNote(
        couple_id=couple.id,
        held_at=held_at,
        note_format=note_format.key,
        window_start=period.start,
        window_end=period.end,
        prefill={"lines": lines, "removed": 0},
        sections={s.key: "" for s in note_format.sections},
        revision=1,
        author_id=by.id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    db.add(note)
    return note


def start_appointment_note(
    db: Session,
    appointment: Appointment,
    by: User,
    note_format: NoteFormat,
    now: datetime,
    zone: tzinfo,
) -> SessionNote:
    """The appointment's note, started now if it has none (a second start finds the first)."""
    existing = note_for_appointment(db, appointment.id)
    if existing is not None:
        return existing
    ensure_open(appointment.couple)
    if appointment.cancelled_at is not None:
        raise NoteError(_("This appointment was cancelled, so it has no session note."))
    if appointment.starts_at > now:
        raise NoteError(_("This session hasn't started yet. Its note can be written once it has."))
    try:
        with db.begin_nested():
            note = _new_note(
                db,
                appointment.couple,
                by,
                note_format,
                appointment.starts_at,
                now,
                zone,
                kind="appointment",
                appointment_id=appointment.id,
            )
    except IntegrityError:
        # Started in another tab a moment ago: that note is this appointment's note.
        found = note_for_appointment(db, appointment.id)
        if found is None:
            raise
        return found
    return note


def start_contact_note(
    db: Session,
    couple: Couple,
    by: User,
    note_format: NoteFormat,
    held_at: datetime,
    contact_kind: str,
    now: datetime,
    zone: tzinfo,
) -> SessionNote:
    """A note for a contact outside appointments (a call, a crisis contact)."""
    ensure_open(couple)
    if held_at > now + timedelta(minutes=5):
        raise NoteError(
            _("That time is in the future. A contact note is for a contact that happened.")
        )
    if held_at < couple.created_at - timedelta(days=1):
        raise NoteError(_("That time is before this couple joined Mend."))
    note = _new_note(
        db, couple, by, note_format, held_at, now, zone, kind="contact", contact_kind=contact_kind
    )
    db.flush()
    return note


def clean_section(text: str | None, title: str) -> str:
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > SECTION_MAX:
        raise NoteError(
            _(
                "%(title)s can be up to %(max)s characters; it has %(length)s. "
                "Nothing was lost: shorten it, then save again.",
                title=title,
                max=format_number(SECTION_MAX),
                length=format_number(len(value)),
            )
        )
    return value


@dataclass(frozen=True)
class SaveResult:
    note: SessionNote
    conflict: bool  # a newer revision was saved elsewhere; this save was refused


def save_sections(
    db: Session, note: SessionNote, values: dict[str, str], base_revision: int
) -> SaveResult:
    """Save the sections if nobody saved a newer revision since base_revision."""
    if note.signed:
        raise NoteSigned()
    ensure_open(db.get(Couple, note.couple_id))
    note_format = get_format(note.note_format)
    cleaned = {
        s.key: clean_section(values.get(s.key), s.title)
        for s in note_format.sections
        if s.key in values
    }
    merged = {**note.sections, **cleaned}
    changed = db.execute(
        update(SessionNote)
        .where(
            SessionNote.id == note.id,
            SessionNote.revision == base_revision,
            SessionNote.signed_at.is_(None),
        )
        .values(
            sections=seal_for(SessionNote.sections, note.id, merged),
            revision=SessionNote.revision + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.expire(note)
    db.refresh(note)
    if note.signed:
        raise NoteSigned()
    return SaveResult(note, conflict=changed != 1)


def remove_line(note: SessionNote, key: str) -> bool:
    """Take one pre-filled line out of the note before signing; False when it is not there."""
    if note.signed:
        raise NoteSigned()
    ensure_open(note.appointment.couple if note.appointment else _couple_of(note))
    lines = list(note.prefill.get("lines", []))
    kept = [line for line in lines if line.get("key") != key]
    if len(kept) == len(lines):
        return False
    note.prefill = {"lines": kept, "removed": int(note.prefill.get("removed", 0)) + 1}
    note.updated_at = utcnow()
    return True


def _couple_of(note: SessionNote) -> Couple:
    from sqlalchemy.orm import object_session

    return object_session(note).get(Couple, note.couple_id)


def sign(note: SessionNote, by: User, now: datetime) -> bool:
    """Sign and lock the note; False when it was already signed (one signature)."""
    if note.signed:
        return False
    ensure_open(_couple_of(note))
    note.signed_at = now
    note.signed_by_id = by.id
    note.updated_at = now
    return True


def save_addendum_draft(db: Session, note: SessionNote, by: User, body: str) -> NoteAddendum:
    """Keep words written for a signed note as the clinician's draft addendum (one draft each)."""
    text = clean_addendum(body, allow_empty=True)
    draft = draft_addendum(note, by)
    if draft is None:
        draft = NoteAddendum(note_id=note.id, author_id=by.id, body=text)
        db.add(draft)
        note.addenda.append(draft)
    else:
        draft.body = text
    db.flush()
    return draft


def draft_addendum(note: SessionNote, by: User) -> NoteAddendum | None:
    return next((a for a in note.addenda if a.signed_at is None and a.author_id == by.id), None)


def clean_addendum(text: str | None, allow_empty: bool = False) -> str:
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not value and not allow_empty:
        raise NoteError(_("Please write the addendum before signing it."))
    if len(value) > ADDENDUM_MAX:
        raise NoteError(
            _(
                "An addendum can be up to %(max)s characters; this one has %(length)s.",
                max=format_number(ADDENDUM_MAX),
                length=format_number(len(value)),
            )
        )
    return value


def sign_addendum(
    db: Session, note: SessionNote, by: User, body: str, now: datetime
) -> NoteAddendum:
    """Add a dated, signed addendum under a signed note. A closed couple's notes still take a
    late addendum: correcting the record stays possible after the work has ended."""
    if not note.signed:
        raise NoteError(_("This note isn't signed yet: change the note itself instead."))
    text = clean_addendum(body)
    addendum = draft_addendum(note, by)
    if addendum is None:
        addendum = NoteAddendum(note_id=note.id, author_id=by.id)
        db.add(addendum)
        note.addenda.append(addendum)
    addendum.body = text
    addendum.created_at = now
    addendum.signed_at = now
    addendum.signed_by_id = by.id
    db.flush()
    return addendum


def notes_of(db: Session, couple_id: int) -> list[SessionNote]:
    """The couple's notes, latest first."""
    return list(
        db.scalars(
            select(SessionNote)
            .where(SessionNote.couple_id == couple_id)
            .order_by(SessionNote.held_at.desc(), SessionNote.id.desc())
        )
    )


def notes_due(db: Session, couple_id: int, now: datetime) -> list[Appointment]:
    """Past appointments still waiting for a signed note, latest first."""
    return list(
        db.scalars(
            select(Appointment)
            .where(note_due_clause(couple_id, now))
            .order_by(Appointment.starts_at.desc())
        )
    )


def count_notes_due(db: Session, couple_id: int, now: datetime) -> int:
    return db.scalar(select(func.count(Appointment.id)).where(note_due_clause(couple_id, now)))


def format_choices() -> list[tuple[str, str]]:
    return [(f.key, f.name) for f in formats().values()]


def held_day(note: SessionNote, zone: tzinfo) -> date:
    return note.held_at.astimezone(zone).date()
