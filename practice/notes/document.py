"""A signed note as a PDF, through the report pipeline: plain data -> reports/note.html with
the print stylesheet -> the render process (locked fetcher) -> the encrypted archive."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import tzinfo

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from practice.i18n import lazy_gettext as _l
from practice.models import Couple, SessionNote, User
from practice.notes.formats import get_format
from practice.notes.prefill import grouped
from practice.reporting.archive import read_sealed, write_sealed
from practice.reporting.layout import environment
from practice.reporting.printing import render
from practice.timefmt import format_datetime

CONTACT_WORDS = {
    "phone": _l("Phone call"),
    "video": _l("Video call"),
    "message": _l("Written contact"),
    "crisis": _l("Crisis contact"),
    "other": _l("Other contact"),
}
# A note's title by its kind, each a whole phrase for the translator.
NOTE_TITLES = {
    "phone": _l("Phone call note"),
    "video": _l("Video call note"),
    "message": _l("Written contact note"),
    "crisis": _l("Crisis contact note"),
    "other": _l("Other contact note"),
}


@dataclass(frozen=True)
class PrefillLine:
    label: str
    text: str


@dataclass(frozen=True)
class SectionPart:
    title: str
    text: str
    prefill: tuple[tuple[str, tuple[PrefillLine, ...]], ...]
    plan: tuple[tuple[str, str], ...]  # plan item, what it became


@dataclass(frozen=True)
class AddendumPart:
    signed: str
    signed_by: str
    text: str


@dataclass(frozen=True)
class NoteDocument:
    couple_label: str
    clinician: str
    title: str
    held: str
    format_name: str
    window: str
    sections: tuple[SectionPart, ...]
    signed: str
    signed_by: str
    addenda: tuple[AddendumPart, ...]


PLAN_WORDS = {
    None: _l("note only"),
    "assignment": _l("assignment"),
    "boundary": _l("boundary proposal"),
    "stage": _l("stage change"),
    "agenda": _l("agenda item"),
}


def kind_words(note: SessionNote) -> str:
    if note.kind == "appointment":
        return _("Session note")
    return str(NOTE_TITLES.get(note.contact_kind or "other", NOTE_TITLES["other"]))


def _name(db: Session, user_id: int | None) -> str:
    user = db.get(User, user_id) if user_id else None
    return user.display_name if user else _("(former staff member)")


def note_document(db: Session, note: SessionNote, zone: tzinfo) -> NoteDocument:
    """The plain data of a note's printed form."""
    couple = db.get(Couple, note.couple_id)
    note_format = get_format(note.note_format)
    groups = tuple(
        (title, tuple(PrefillLine(line["label"], line["text"]) for line in lines))
        for title, lines in grouped(note.prefill.get("lines", []))
    )
    plan = tuple((item.text, str(PLAN_WORDS.get(item.action, ""))) for item in note.plan_items)
    sections = tuple(
        SectionPart(
            s.title,
            note.sections.get(s.key, ""),
            groups if s.key == note_format.prefill_section else (),
            plan if s.key == note_format.plan_section else (),
        )
        for s in note_format.sections
    )
    last_day = note.window_end.toordinal() - 1
    from datetime import date

    window = _(
        "%(start)s to %(end)s",
        start=format_date(note.window_start, "d MMM y"),
        end=format_date(date.fromordinal(last_day), "d MMM y"),
    )
    return NoteDocument(
        couple_label=couple.label,
        clinician=couple.clinician.display_name,
        title=kind_words(note),
        held=format_datetime(note.held_at, zone),
        format_name=note_format.name,
        window=window,
        sections=sections,
        signed=format_datetime(note.signed_at, zone) if note.signed_at else "",
        signed_by=_name(db, note.signed_by_id) if note.signed_at else "",
        addenda=tuple(
            AddendumPart(format_datetime(a.signed_at, zone), _name(db, a.signed_by_id), a.body)
            for a in note.addenda
            if a.signed_at is not None
        ),
    )


def note_html(document: NoteDocument) -> str:
    return environment().get_template("note.html").render(note=document)


def note_pdf(db: Session, note: SessionNote, zone: tzinfo) -> bytes:
    """The note printed (in a render process)."""
    return render(note_html(note_document(db, note, zone)))


def archive_note(db: Session, note: SessionNote, folder: str, zone: tzinfo) -> None:
    """Print the signed note (with its addenda) and keep it, replacing the earlier print."""
    pdf = note_pdf(db, note, zone)
    # One file per note, replaced whole when an addendum is added (no older prints left over).
    name = note.pdf_file or f"note-{note.couple_id}-{secrets.token_hex(12)}.pdf"
    note.pdf_sha256 = write_sealed(folder, name, pdf, "note")
    note.pdf_file = name


def read_note_pdf(folder: str, note: SessionNote) -> bytes:
    return read_sealed(folder, note.pdf_file or "", note.pdf_sha256 or "")
