"""The job functions a worker runs. Each takes ids and ISO dates only and opens its own app
context; the work itself lives with its feature."""

from __future__ import annotations

from datetime import date

from practice.db import db
from practice.jobs import job_context


def print_report(request_id: int) -> str:
    """Print one requested report into the archive (see practice.reporting.queued)."""
    from practice.reporting.queued import print_request

    with job_context() as app:
        return print_request(db.session, request_id, app.config["REPORT_DIR"])


def prepare_report(prepared_id: int, generation: int) -> str:
    """Prepare one of tomorrow's reports into the archive (see practice.reporting.prepared)."""
    from practice.reporting.prepared import prepare
    from practice.timefmt import practice_zone

    with job_context() as app:
        return prepare(
            db.session, prepared_id, generation, app.config["REPORT_DIR"], practice_zone()
        )


def send_reminder(kind: str, user_id: int, day: str) -> str:
    """Send one morning email ("client" reminder or clinician "digest"), at most once a day."""
    from practice.reminders import send_one
    from practice.timefmt import practice_zone

    with job_context():
        return send_one(db.session, kind, user_id, date.fromisoformat(day), practice_zone())


def send_message_notice(user_id: int, couple_id: int, thread: str) -> str:
    """Tell one reader, without the words, that a conversation has a new message (at most
    once an hour; see practice.messages.notices)."""
    from practice.i18n import in_language_of
    from practice.messages.notices import send_notice
    from practice.models import User, utcnow

    with job_context():
        try:
            with in_language_of(db.session.get(User, user_id)):  # the reader's, not the author's
                outcome = send_notice(db.session, user_id, couple_id, thread, utcnow())
        except Exception:
            db.session.rollback()  # the hour is not claimed when the email did not go
            raise
        db.session.commit()
        return outcome
