"""Morning emails: a reminder to each client with something to do today, and a digest of new
flags for each clinician. No clinical content in either; running twice sends nothing twice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.analytics.loading import load_couple_data
from practice.analytics.summary import analyse
from practice.exercises.visibility import CLINICIAN
from practice.i18n import in_language_of
from practice.mail import send_mail
from practice.models import (
    Boundary,
    BoundaryLog,
    Couple,
    DigestedFlag,
    Partner,
    ReminderLog,
    User,
)
from practice.urls import external_url
from practice.worksheets.services import tasks_for


@dataclass
class ReminderReport:
    reminded: int = 0
    digests: int = 0
    message_digests: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)


def things_to_do(db: Session, partner: Partner, today: date, zone: tzinfo) -> int:
    """Worksheets due today plus active boundaries not yet logged for today."""
    groups = tasks_for(db, partner, today, zone)
    due = sum(1 for t in groups["today"] if t.state == "due")
    active = db.scalars(
        select(Boundary.id).where(
            Boundary.couple_id == partner.couple_id,
            Boundary.status == "active",
            Boundary.check_period == "daily",
        )
    ).all()
    logged = set(
        db.scalars(
            select(BoundaryLog.boundary_id).where(
                BoundaryLog.partner_id == partner.id, BoundaryLog.period_start == today
            )
        )
    )
    return due + len(set(active) - logged)


def _claim(db: Session, user_id: int, today: date, kind: str) -> bool:
    """Record the email as sent before sending; False when it already was today."""
    try:
        with db.begin_nested():
            db.add(ReminderLog(user_id=user_id, sent_on=today, kind=kind))
    except IntegrityError:
        return False
    return True


def _eligible_clients():
    return (
        select(Partner, User)
        .join(User, User.id == Partner.user_id)
        .join(Couple, Couple.id == Partner.couple_id)
        .where(
            Couple.status == "active",
            User.is_active.is_(True),
            User.reminders_enabled.is_(True),
            User.password_hash.is_not(None),
        )
    )


def recipients(db: Session, today: date, zone: tzinfo) -> list[tuple[str, int]]:
    """("client", user id) for each client with something to do today, then ("digest", user id)
    for each active clinician, then ("messages", user id) for each person who chose a daily
    email about unread messages. Ids only: each email is composed when it is sent."""
    found = [
        ("client", user.id)
        for partner, user in db.execute(_eligible_clients().order_by(User.id)).all()
        if things_to_do(db, partner, today, zone)
    ]
    found.extend(
        ("digest", clinician_id)
        for clinician_id in db.scalars(
            select(User.id)
            .where(User.role == "clinician", User.is_active.is_(True))
            .order_by(User.id)
        )
    )
    from practice.messages.notices import digest_recipients

    found.extend(("messages", user_id) for user_id in digest_recipients(db))
    return found


def send_one(db: Session, kind: str, user_id: int, today: date, zone: tzinfo) -> str:
    """Send one client's reminder or one clinician's digest: "sent", "skipped" (already sent
    today) or "nothing" (nothing to say). The email is claimed and sent in one transaction,
    committed only when sent, so a second run or a retried job never sends it twice; when
    sending fails nothing is kept and the error is raised."""
    try:
        with in_language_of(db.get(User, user_id)):  # each email in its reader's language
            outcome = _compose(db, kind, user_id, today, zone)
    except Exception:
        db.rollback()
        raise
    if outcome == "sent":
        db.commit()
    else:
        db.rollback()  # an unsent digest's flags wait for tomorrow's
    return outcome


def _compose(db: Session, kind: str, user_id: int, today: date, zone: tzinfo) -> str:
    if kind == "client":
        return _remind_client(db, user_id, today, zone)
    if kind == "digest":
        return _send_digest(db, user_id, today, zone)
    if kind == "messages":
        from practice.messages.notices import send_digest

        return send_digest(db, user_id, today)
    raise ValueError(f"unknown kind of email {kind!r}")


def _remind_client(db: Session, user_id: int, today: date, zone: tzinfo) -> str:
    row = db.execute(_eligible_clients().where(User.id == user_id)).first()
    if row is None:
        return "nothing"
    partner, user = row
    count = things_to_do(db, partner, today, zone)
    if not count:
        return "nothing"
    if not _claim(db, user.id, today, "client"):
        return "skipped"
    subject = ngettext(
        "You have %(num)d thing to do in Mend today",
        "You have %(num)d things to do in Mend today",
        count,
    )
    todo = ngettext(
        "You have %(num)d thing to do in Mend today.",
        "You have %(num)d things to do in Mend today.",
        count,
    )
    send_mail(
        user.email,
        subject,
        _("Hello,")
        + f"\n\n{todo}\n\n{external_url('worksheets.today')}\n\n"
        + _online_sessions_today(db, partner.couple_id, today, zone)
        + _("You can switch these reminders off in Mend under Settings.")
        + "\n",
    )
    return "sent"


def _online_sessions_today(db: Session, couple_id: int, today: date, zone: tzinfo) -> str:
    """ "Your online session today at 14:00: <link>" for each of today's online sessions."""
    from datetime import datetime

    from practice.models import Appointment

    start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
    sessions = db.scalars(
        select(Appointment)
        .where(
            Appointment.couple_id == couple_id,
            Appointment.cancelled_at.is_(None),
            Appointment.mode == "online",
            Appointment.starts_at >= start,
            Appointment.starts_at < start + timedelta(days=1),
        )
        .order_by(Appointment.starts_at)
    )
    return "".join(
        _(
            "Your online session today at %(time)s: %(link)s",
            time=f"{a.starts_at.astimezone(zone):%H:%M}",
            link=a.meeting_link,
        )
        + "\n\n"
        for a in sessions
        if a.meeting_link
    )


def _send_digest(db: Session, clinician_id: int, today: date, zone: tzinfo) -> str:
    clinician = db.scalar(
        select(User).where(
            User.id == clinician_id, User.role == "clinician", User.is_active.is_(True)
        )
    )
    if clinician is None:
        return "nothing"
    lines = _digest_lines(db, clinician, today, zone)
    if not lines:
        return "nothing"
    if not _claim(db, clinician.id, today, "digest"):
        return "skipped"
    send_mail(
        clinician.email,
        _("Mend: new flags this morning"),
        _("Good morning.")
        + "\n\n"
        + _("New since your last digest:")
        + "\n"
        + "\n".join(lines)
        + "\n\n"
        + _("Open Mend to read them: %(link)s", link=external_url("couples.dashboard"))
        + "\n",
    )
    return "sent"


def send_reminders(db: Session, today: date, zone: tzinfo) -> ReminderReport:
    """Email every client with something to do today (once), and every clinician a digest."""
    report = ReminderReport()
    for kind, user_id in recipients(db, today, zone):
        try:
            outcome = send_one(db, kind, user_id, today, zone)
        except Exception as exc:  # noqa: BLE001 (one failed email must not stop the others)
            what = {"client": "reminder", "messages": "message digest"}.get(kind, "digest")
            report.failures.append(f"{what} to user {user_id}: {exc}")
            continue
        if outcome == "skipped":
            report.skipped += 1
        elif outcome == "sent" and kind == "client":
            report.reminded += 1
        elif outcome == "sent" and kind == "messages":
            report.message_digests += 1
        elif outcome == "sent":
            report.digests += 1
    return report


# Flags about a state (rather than an event) are sent again only when their title changes.
STATE_FLAGS = frozenset({"low_completion", "metric_worsening", "proposal_waiting"})


def _flag_key(flag) -> str:
    parts = [flag.kind, flag.title]
    if flag.kind not in STATE_FLAGS:
        parts.extend(flag.evidence)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _digest_lines(db: Session, clinician: User, today: date, zone: tzinfo) -> list[str]:
    """'- Willow: 2 new flags (1 serious)' per couple with flags not sent in a digest before."""
    lines = []
    period = Period(today - timedelta(days=13), today + timedelta(days=1))
    sent = {
        (couple_id, key)
        for couple_id, key in db.execute(
            select(DigestedFlag.couple_id, DigestedFlag.key).where(
                DigestedFlag.user_id == clinician.id
            )
        )
    }
    for couple in db.scalars(
        select(Couple).where(Couple.clinician_id == clinician.id, Couple.status == "active")
    ):
        data = load_couple_data(db, couple.id, period, today, zone, CLINICIAN)
        flags = analyse(data, period).flags
        new = {}
        for flag in flags:
            key = _flag_key(flag)
            if (couple.id, key) not in sent:
                new[key] = flag
        if not new:
            continue
        for key in new:
            db.add(DigestedFlag(user_id=clinician.id, couple_id=couple.id, key=key, sent_on=today))
        serious = sum(1 for f in new.values() if f.severity in ("safety", "high"))
        count = len(new)
        if serious:
            line = ngettext(
                "%(couple)s: %(num)d new flag (%(serious)d serious)",
                "%(couple)s: %(num)d new flags (%(serious)d serious)",
                count,
                couple=couple.label,
                serious=serious,
            )
        else:
            line = ngettext(
                "%(couple)s: %(num)d new flag",
                "%(couple)s: %(num)d new flags",
                count,
                couple=couple.label,
            )
        lines.append(f"- {line}")
    return lines
