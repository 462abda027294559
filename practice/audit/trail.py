"""Appending to (on a Core connection), verifying and exporting (over a Session) the audit
chain: plain functions.

Each row's mac is HMAC-SHA256(key, previous mac + the row's fields), and ids run without gaps,
so an altered row, a removed row or a reordered one is found by walking the chain once.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.orm import Session

from practice.models import AuditEvent
from practice.models.types import utcnow

GENESIS = "0" * 64
FIELDS = (
    "id",
    "at",
    "user_id",
    "action",
    "object_type",
    "object_id",
    "couple_id",
    "outcome",
    "route",
    "ip",
    "user_agent",
)
# One number for PostgreSQL's advisory lock that serialises appends to the chain.
CHAIN_LOCK = 0x6D656E64
# Built once: an append runs after nearly every request. On PostgreSQL one call takes the lock
# and reads the last link (migration 0014); SQLite's writers hold the database's write lock.
LOCKED_LAST_LINK = text("SELECT id, mac FROM audit_chain_head(:lock)").bindparams(lock=CHAIN_LOCK)
LAST_LINK = select(AuditEvent.id, AuditEvent.mac).order_by(AuditEvent.id.desc()).limit(1)
ADD_LINKS = insert(AuditEvent.__table__)


@dataclass
class Entry:
    """An event waiting to be appended."""

    action: str
    object_type: str = ""
    object_id: int | None = None
    couple_id: int | None = None
    outcome: str = "ok"
    user_id: int | None = None
    route: str = ""
    ip: str = ""
    user_agent: str = ""
    at: datetime = field(default_factory=utcnow)


def _canonical(row: dict[str, Any]) -> bytes:
    values = [row[name].isoformat() if name == "at" else row[name] for name in FIELDS]
    return json.dumps(values, separators=(",", ":"), ensure_ascii=True).encode()


def mac_of(key: bytes, row: dict[str, Any], prev_mac: str) -> str:
    """The keyed HMAC chaining ``row`` to the row before it."""
    return hmac.new(key, prev_mac.encode() + b"\n" + _canonical(row), hashlib.sha256).hexdigest()


def append(connection: Connection, key: bytes, entries: Iterable[Entry]) -> int:
    """Append entries to the chain inside the connection's transaction; returns how many.

    Plain Core on a connection: the ORM adds nothing to an insert-only table."""
    entries = list(entries)
    if not entries:
        return 0
    postgresql = connection.dialect.name == "postgresql"
    last = connection.execute(LOCKED_LAST_LINK if postgresql else LAST_LINK).first()
    prev_id, prev_mac = (last.id, last.mac) if last else (0, GENESIS)
    rows = []
    for offset, entry in enumerate(entries, start=1):
        row = {
            "id": prev_id + offset,
            "at": entry.at,
            "user_id": entry.user_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "couple_id": entry.couple_id,
            "outcome": entry.outcome,
            "route": entry.route[:64],
            "ip": entry.ip[:45],
            "user_agent": entry.user_agent[:200],
        }
        row["prev_mac"] = prev_mac
        row["mac"] = prev_mac = mac_of(key, row, prev_mac)
        rows.append(row)
    connection.execute(ADD_LINKS, rows)
    return len(rows)


@dataclass(frozen=True)
class Verification:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad_id is None


def verify(session: Session, key: bytes, batch: int = 2000) -> Verification:
    """Walk the chain; report the first row that was altered, or the place one was removed."""
    expected_id, prev_mac, checked = 1, GENESIS, 0
    for event in _walk(session, batch):
        row = {name: getattr(event, name) for name in FIELDS}
        if event.id != expected_id:
            return Verification(
                checked,
                expected_id,
                _(
                    "row %(row)d is missing (the next row is %(next)d)",
                    row=expected_id,
                    next=event.id,
                ),
            )
        if event.prev_mac != prev_mac:
            return Verification(
                checked, event.id, _("row %(row)d does not follow the row before", row=event.id)
            )
        if not hmac.compare_digest(event.mac, mac_of(key, row, prev_mac)):
            return Verification(checked, event.id, _("row %(row)d was altered", row=event.id))
        checked += 1
        expected_id, prev_mac = event.id + 1, event.mac
    return Verification(checked)


def _walk(session: Session, batch: int) -> Iterator[AuditEvent]:
    after = 0
    while True:
        chunk = session.scalars(
            select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].id
        session.expunge_all()


CSV_COLUMNS = (*FIELDS, "mac")


def export_csv(session: Session, start: datetime, end: datetime, out: IO[str]) -> int:
    """Write the events from start (included) to end (excluded) as CSV; returns the row count."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for event in session.scalars(
        select(AuditEvent)
        .where(AuditEvent.at >= start, AuditEvent.at < end)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=1000)
    ):
        writer.writerow([_cell(event, name) for name in CSV_COLUMNS])
        count += 1
    return count


def _cell(event: AuditEvent, name: str) -> Any:
    value = getattr(event, name)
    if name == "at":
        return value.isoformat()
    # A user agent is whatever the caller sent: keep a spreadsheet from running it as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
