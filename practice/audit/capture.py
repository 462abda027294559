"""Feeding the audit chain from the app.

- Changes to clinical rows are seen by the ORM (after each flush) and appended in the same
  transaction, just before it commits: a change and its record land together or not at all.
- Views, refusals, sign-ins and exports are recorded explicitly with ``record``. In a request
  that commits they go in with it; otherwise (a GET, an error page) after the response is
  built, in a short transaction of their own.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from practice.audit.gathering import AppendGathering
from practice.audit.trail import Entry, append
from practice.db import READ_ONLY_METHODS, db
from practice.models import (
    Appointment,
    Assignment,
    AssignmentPause,
    Boundary,
    BoundaryLog,
    BoundaryLogEdit,
    BoundaryPause,
    BoundaryRevision,
    Couple,
    MeasureScore,
    Message,
    NoteAddendum,
    ParkedDraft,
    Partner,
    PlanItem,
    Report,
    Response,
    SafetyCheck,
    SessionNote,
    StageChange,
)

# The clinical records, by the name the trail gives them.
AUDITED: dict[type, str] = {
    Couple: "couple",
    Partner: "partner",
    StageChange: "stage_change",
    Appointment: "appointment",
    Assignment: "assignment",
    AssignmentPause: "assignment_pause",
    Response: "response",
    ParkedDraft: "parked_draft",
    Boundary: "boundary",
    BoundaryRevision: "boundary_revision",
    BoundaryPause: "boundary_pause",
    BoundaryLog: "boundary_log",
    BoundaryLogEdit: "boundary_log_edit",
    MeasureScore: "measure",
    SafetyCheck: "safety_check",
    Report: "report",
    Message: "message",
    SessionNote: "session_note",
    NoteAddendum: "note_addendum",
    PlanItem: "plan_item",
}
# Rows without a couple_id of their own reach it through their parent.
PARENTS: dict[type, tuple[type, str]] = {
    Response: (Assignment, "assignment_id"),
    ParkedDraft: (Assignment, "assignment_id"),
    AssignmentPause: (Assignment, "assignment_id"),
    BoundaryRevision: (Boundary, "boundary_id"),
    BoundaryPause: (Boundary, "boundary_id"),
    BoundaryLog: (Boundary, "boundary_id"),
    BoundaryLogEdit: (BoundaryLog, "log_id"),
    NoteAddendum: (SessionNote, "note_id"),
    PlanItem: (SessionNote, "note_id"),
}
CHANGES = "audit_changes"  # (action, object) pairs seen by flushes of the open transaction
EVENTS = "audit_events"  # explicit entries waiting for a transaction


def settle_audit_key(app: Flask, production: bool) -> bytes:
    """The HMAC key of the chain; development generates one into the instance folder."""
    from practice.config import ConfigError, development_secret

    spec = app.config.get("AUDIT_KEY")
    if not spec:
        if production:
            raise ConfigError(
                "PRACTICE_AUDIT_KEY is not set; production needs a key for the audit trail "
                "(practice audit new-key prints one)."
            )
        spec = development_secret(app, "audit_key", "audit-trail key", new_audit_key)
    try:
        key = base64.urlsafe_b64decode(spec + "=" * (-len(spec) % 4))
    except (binascii.Error, ValueError):
        raise ConfigError("PRACTICE_AUDIT_KEY must be base64") from None
    if len(key) < 32:
        raise ConfigError("PRACTICE_AUDIT_KEY must be at least 32 bytes of base64")
    return key


def new_audit_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def record(
    action: str,
    object_type: str = "",
    object_id: int | None = None,
    couple_id: int | None = None,
    outcome: str = "ok",
    user_id: int | None = None,
) -> None:
    """Queue an event for the current database session's transaction."""
    entry = _stamp(Entry(action, object_type, object_id, couple_id, outcome, user_id))
    pending = db.session.info.setdefault(EVENTS, [])
    if not any(_same(entry, other) for other in pending):
        pending.append(entry)


def record_view(obj: Any) -> None:
    """A clinical row was shown to the signed-in user (recorded for reads only)."""
    if has_request_context() and request.method in READ_ONLY_METHODS:
        record("viewed", AUDITED.get(type(obj), type(obj).__name__.lower()), obj.id, couple_of(obj))


def _same(a: Entry, b: Entry) -> bool:
    return (a.action, a.object_type, a.object_id, a.outcome) == (
        b.action,
        b.object_type,
        b.object_id,
        b.outcome,
    )


def _stamp(entry: Entry) -> Entry:
    if has_request_context():
        if entry.user_id is None and current_user and current_user.is_authenticated:
            entry.user_id = current_user.id
        entry.route = request.endpoint or ""
        entry.ip = request.remote_addr or ""
        entry.user_agent = request.user_agent.string or ""
    else:
        entry.route = "cli"
    return entry


def couple_of(obj: Any, session: Session | None = None) -> int | None:
    """The couple a clinical row belongs to."""
    if isinstance(obj, Couple):
        return obj.id
    couple_id = obj.__dict__.get("couple_id")
    if couple_id is not None:
        return couple_id
    parent = PARENTS.get(type(obj))
    if parent is None:
        return None
    parent_class, key = parent
    parent_id = obj.__dict__.get(key)
    session = session or Session.object_session(obj)
    if parent_id is None or session is None:
        return None
    found = session.get(parent_class, parent_id)
    return couple_of(found, session) if found is not None else None


# --- the session events ---------------------------------------------------------------------


def _after_flush(session: Session, _context: Any) -> None:
    changes = session.info.setdefault(CHANGES, [])
    for obj in session.new:
        if type(obj) in AUDITED:
            changes.append(("created", obj, None))
    for obj in session.dirty:
        if type(obj) in AUDITED and session.is_modified(obj, include_collections=False):
            changes.append(("changed", obj, None))
    for obj in session.deleted:
        if type(obj) in AUDITED:
            # Gone after this flush: take its couple now, from what is loaded.
            changes.append(("deleted", obj, couple_of(obj, session)))


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost one: its changes were kept or undone
        session.info.pop(CHANGES, None)


def _before_commit(session: Session) -> None:
    if not has_app_context() or "practice.audit_key" not in current_app.extensions:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    changes = session.info.pop(CHANGES, [])
    events = session.info.pop(EVENTS, [])
    if not changes and not events:
        return
    entries: list[Entry] = []
    seen: set[tuple[str, int]] = set()
    for action, obj, couple_id in changes:
        state = inspect(obj)
        if action != "deleted" and not state.persistent:
            continue  # undone by a rolled-back savepoint
        key = (AUDITED[type(obj)], obj.id)
        if action == "changed" and key in seen:
            continue  # created or changed already in this transaction
        seen.add(key)
        if action != "deleted":
            couple_id = couple_of(obj, session)
        entries.append(_stamp(Entry(action, key[0], key[1], couple_id)))
    entries.extend(events)
    append(session.connection(), current_app.extensions["practice.audit_key"], entries)


def _write_leftovers(response: Any) -> Any:
    """Events of a request that did not commit (a read, a refusal): their own transaction."""
    session = g.get("_practice_db_session")
    events = session.info.get(EVENTS) if session is not None else None
    if not events:
        return response
    session.info.pop(EVENTS)
    key = current_app.extensions["practice.audit_key"]
    if db.untouched_read(session):
        # PostgreSQL: the read's own transaction takes the appends (one connection, one
        # transaction; see untouched_read).
        append(session.connection(), key, events)
        session.commit()
        return response
    # Anything this request did not commit is not kept; and its transaction ends before the
    # append waits for the turn to write: on SQLite a read still open would hold up the writer
    # emptying the write-ahead log (practice.db.restart_wal), which holds that turn.
    session.rollback()
    # Only events, no ORM changes: a short Core transaction appends them, no second Session,
    # with those of the process's other threads finishing at the same moment.
    current_app.extensions["practice.audit_gathering"].append(
        events, lambda entries: _append_alone(key, entries)
    )
    return response


def _append_alone(key: bytes, entries: list[Entry]) -> None:
    with db.writing() as connection:
        append(connection, key, entries)


def init_audit(app: Flask) -> None:
    app.extensions["practice.audit_key"] = settle_audit_key(app, app.config["PRODUCTION"])
    app.extensions["practice.audit_gathering"] = AppendGathering()
    app.after_request(_write_leftovers)
    if not getattr(Session, "_practice_audit_installed", False):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        event.listen(Session, "before_commit", _before_commit)
        Session._practice_audit_installed = True
