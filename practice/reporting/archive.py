"""Keeping generated PDFs: written whole or not at all, with their fingerprint."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.couples.closing import ensure_open
from practice.encryption import EncryptionError, keyring
from practice.models import Couple, Report


class ArchiveError(RuntimeError):
    """The PDF could not be kept (for example, the disk is full); nothing was recorded."""


def recent_count(db: Session, clinician_id: int, since: datetime) -> int:
    """Reports this clinician generated since a moment (for the per-minute limit)."""
    return db.scalar(
        select(func.count()).where(Report.created_by_id == clinician_id, Report.created_at >= since)
    )


def keep(
    db: Session,
    folder: str,
    couple_id: int,
    creator_id: int | None,
    period: Period,
    audience: str,
    paper: str,
    pdf: bytes,
) -> Report:
    """Write the PDF, encrypted (to a temporary name, then renamed), and record it."""
    ensure_open(db.get(Couple, couple_id))
    name = f"report-{couple_id}-{secrets.token_hex(12)}.pdf"
    write_sealed(folder, name, pdf, "report")
    report = Report(
        couple_id=couple_id,
        created_by_id=creator_id,
        period_start=period.start,
        period_end=period.end,
        audience=audience,
        paper=paper,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        file_name=name,
    )
    db.add(report)
    db.flush()
    return report


def write_sealed(folder: str, name: str, pdf: bytes, what: str = "report") -> str:
    """Write a PDF encrypted (to a temporary name, then renamed); returns its SHA-256."""
    directory = Path(folder)
    temporary = directory / (name + ".part")
    sealed = keyring().seal_bytes(pdf, _aad(name))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(sealed)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, directory / name)
    except OSError as exc:
        # When the folder itself is unusable there is nothing to clean up.
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        message = (
            _(
                "The note could not be saved (the report archive may be full). Nothing was "
                "kept; please tell your administrator."
            )
            if what == "note"
            else _(
                "The report could not be saved (the report archive may be full). Nothing was "
                "kept; please tell your administrator."
            )
        )
        raise ArchiveError(message) from exc
    return hashlib.sha256(pdf).hexdigest()


def _aad(file_name: str) -> str:
    return f"report-archive|{file_name}"


def read(folder: str, report: Report) -> bytes:
    """The kept PDF's bytes, opened and checked against its fingerprint."""
    return read_sealed(folder, report.file_name, report.sha256)


def read_sealed(folder: str, file_name: str, sha256: str) -> bytes:
    """A kept PDF's bytes by file name, opened and checked against its fingerprint."""
    sealed = (Path(folder) / file_name).read_bytes()
    try:
        data = keyring().open_bytes(sealed, _aad(file_name))
    except EncryptionError as exc:
        raise ArchiveError(
            _("This report file could not be opened; it may have been altered.")
        ) from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ArchiveError(_("This report file has changed since it was made."))
    return data
