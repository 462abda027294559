"""Email about new messages, never with their words: "You have a new message in Mend".

Immediate notices go at most once an hour per conversation and reader, and not while the
reader has the conversation open; readers who chose a daily digest get one email a day with
the number of unread messages. Each notice is a job (practice.jobs) carrying ids only.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice.i18n import in_language_of
from practice.i18n import lazy_gettext as _l
from practice.mail import send_mail
from practice.messages.services import (
    ACTIVE_WINDOW,
    NOTICE_GAP,
    Reader,
    participants,
    unread_by_couple,
    unread_by_thread,
    unread_for_client,
)
from practice.models import Couple, Message, MessageRead, Partner, ReminderLog, User
from practice.urls import external_url

SUBJECT = _l("You have a new message in Mend")


def recipients_of(db: Session, message: Message) -> list[int]:
    """Who should hear of a new message now: the others in its conversation who want
    immediate notices and can sign in."""
    couple = db.get(Couple, message.couple_id)
    return [
        user.id
        for user, _place in participants(couple, message.thread)
        if user.id != message.author_id
        and user.is_active
        and user.password_hash is not None
        and user.message_notices == "immediate"
    ]


def send_notice(db: Session, user_id: int, couple_id: int, thread: str, now: datetime) -> str:
    """Email one reader that a conversation has something new: "sent", or "skipped" when they
    were told within the hour, have it open, have read it, or chose otherwise."""
    user = db.get(User, user_id)
    couple = db.get(Couple, couple_id)
    if user is None or couple is None or user.message_notices != "immediate":
        return "skipped"
    if user.id not in {u.id for u, _place in participants(couple, thread)}:
        return "skipped"
    mark = db.scalar(
        select(MessageRead).where(
            MessageRead.user_id == user_id,
            MessageRead.couple_id == couple_id,
            MessageRead.thread == thread,
        )
    )
    if mark is not None and mark.seen_at is not None and now - mark.seen_at < ACTIVE_WINDOW:
        return "skipped"  # they have the conversation open
    place = "clinician" if user.is_clinician else user.partner.role
    if not unread_by_thread(db, Reader(user.id, place), couple_id).get(thread):
        return "skipped"
    if mark is None:
        try:
            with db.begin_nested():
                mark = MessageRead(user_id=user_id, couple_id=couple_id, thread=thread)
                db.add(mark)
        except IntegrityError:
            mark = db.scalar(
                select(MessageRead).where(
                    MessageRead.user_id == user_id,
                    MessageRead.couple_id == couple_id,
                    MessageRead.thread == thread,
                )
            )
    # Claim the hour in one statement, so two notices at once send one email.
    claimed = db.execute(
        update(MessageRead)
        .where(
            MessageRead.id == mark.id,
            (MessageRead.notified_at.is_(None)) | (MessageRead.notified_at <= now - NOTICE_GAP),
        )
        .values(notified_at=now)
    ).rowcount
    if not claimed:
        return "skipped"
    link = external_url("auth.login")
    with in_language_of(user):
        subject = str(SUBJECT)
        body = _(
            "Hello,\n\nYou have a new message in Mend. For your privacy this email does not say "
            "what it is about or who wrote it.\n\nSign in to read it: %(link)s\n\n"
            "You can choose how Mend tells you about messages under Settings.\n",
            link=link,
        )
    send_mail(user.email, subject, body)
    return "sent"


def unread_total(db: Session, user: User) -> int:
    if user.is_clinician:
        return sum(unread_by_couple(db, user.id).values())
    return unread_for_client(db, user.id)


def digest_recipients(db: Session) -> list[int]:
    """Everyone who chose one email a day about messages."""
    return list(
        db.scalars(
            select(User.id)
            .outerjoin(Partner, Partner.user_id == User.id)
            .outerjoin(Couple, Couple.id == Partner.couple_id)
            .where(
                User.message_notices == "digest",
                User.is_active.is_(True),
                User.password_hash.is_not(None),
                User.role.in_(("clinician", "client")),
                (User.role == "clinician") | (Couple.status != "closed"),
            )
            .order_by(User.id)
        )
    )


def send_digest(db: Session, user_id: int, today: date) -> str:
    """One email a day with the number of unread messages: "sent", "skipped" (already sent
    today) or "nothing"."""
    user = db.get(User, user_id)
    if user is None or user.message_notices != "digest" or not user.is_active:
        return "nothing"
    count = unread_total(db, user)
    if not count:
        return "nothing"
    try:
        with db.begin_nested():
            db.add(ReminderLog(user_id=user.id, sent_on=today, kind="messages"))
    except IntegrityError:
        return "skipped"
    with in_language_of(user):
        subject = ngettext(
            "You have %(num)d unread message in Mend",
            "You have %(num)d unread messages in Mend",
            count,
        )
        body = ngettext(
            "Hello,\n\nYou have %(num)d unread message in Mend. For your privacy this email does "
            "not say what it is about or who wrote it.\n\nSign in to read it: %(link)s\n\n"
            "You can choose how Mend tells you about messages under Settings.\n",
            "Hello,\n\nYou have %(num)d unread messages in Mend. For your privacy this email does "
            "not say what they are about or who wrote them.\n\nSign in to read them: %(link)s\n\n"
            "You can choose how Mend tells you about messages under Settings.\n",
            count,
            link=external_url("auth.login"),
        )
    send_mail(user.email, subject, body)
    return "sent"
