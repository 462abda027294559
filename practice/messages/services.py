"""Messages between sessions: sending, changing within a few minutes, reading, unread counts.

Plain functions over a session (no Flask), shared by the pages, the exports, the report's
agenda and the email notices. Who takes part in which conversation is decided in
practice.exercises.visibility (threads_for); nothing here widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import String, and_, bindparam, case, cast, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice.exercises.visibility import may_read_thread, threads_for
from practice.models import Couple, Message, MessageRead, Partner, User, UTCDateTime

MAX_LENGTH = 5_000
CHANGE_WINDOW = timedelta(minutes=5)  # edit or withdraw a message within this long
SEND_LIMIT = 30  # messages per user ...
SEND_WINDOW = timedelta(minutes=10)  # ... in this long
PAGE_SIZE = 30  # messages on one page of a conversation
NOTICE_GAP = timedelta(hours=1)  # at most one email notice per conversation and reader
ACTIVE_WINDOW = timedelta(minutes=2)  # a reader with the conversation open gets no email
NOTICE_CHOICES = ("immediate", "digest", "none")


class MessageRefused(ValueError):
    """A message that cannot be sent or changed; the text says why, plainly."""


@dataclass(frozen=True)
class Reader:
    """Someone reading a couple's messages: the clinician, or a partner (by role)."""

    user_id: int
    place: str  # clinician, injured or involved

    @property
    def threads(self) -> tuple[str, ...]:
        return threads_for(self.place)


def participants(couple: Couple, thread: str) -> list[tuple[User, str]]:
    """The people in a conversation, with their place: the clinician and the partners in it."""
    people = [(couple.clinician, "clinician")]
    people.extend(
        (partner.user, partner.role)
        for partner in couple.partners
        if thread in threads_for(partner.role)
    )
    return people


def sending_closed(couple: Couple) -> str | None:
    """Why nobody can write in this couple's conversations now, or None."""
    if couple.status == "closed":
        return _("This work has been closed, so the conversations can be read but not added to.")
    if couple.messaging_off_at is not None:
        reason = (couple.messaging_off_reason or "").strip()
        paused = _(
            "Your clinician has paused messages for now. You can still read the conversation, "
            "and talk about it together at your next session."
        )
        if not reason:
            return paused
        return paused + " " + _("Their note: “%(note)s”", note=reason)
    return None


def clean_body(text: str | None) -> str:
    """The message as it will be kept: line endings made plain, blank edges trimmed."""
    body = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise MessageRefused(_("Please write something before sending."))
    if len(body) > MAX_LENGTH:
        raise MessageRefused(
            _(
                "Messages can be up to %(most)s characters; this one has %(length)s. "
                "Your words are still in the box: please shorten it or send it in two parts.",
                most=format(MAX_LENGTH, ","),
                length=format(len(body), ","),
            )
        )
    return body


def send_message(
    db: Session,
    couple: Couple,
    thread: str,
    author: User,
    place: str,
    text: str | None,
    submit_key: str | None,
    now: datetime,
) -> tuple[Message, bool]:
    """Add a message to a conversation; returns it and whether it is new (a form sent twice
    with the same key gives back the first message)."""
    if thread not in threads_for(place):
        raise MessageRefused(_("This conversation is not one you are part of."))
    if submit_key:
        earlier = db.scalar(
            select(Message).where(Message.author_id == author.id, Message.submit_key == submit_key)
        )
        if earlier is not None:
            return earlier, False
    closed = sending_closed(couple)
    if closed:
        raise MessageRefused(closed)
    body = clean_body(text)
    recent = db.scalar(
        select(func.count(Message.id)).where(
            Message.author_id == author.id, Message.created_at > now - SEND_WINDOW
        )
    )
    if recent >= SEND_LIMIT:
        raise MessageRefused(
            _(
                "That is a lot of messages in a few minutes, so Mend is holding this one. Your "
                "words are still in the box: please wait ten minutes and send it again."
            )
        )
    message = Message(
        couple_id=couple.id,
        thread=thread,
        author_id=author.id,
        author_role=place,
        body=body,
        submit_key=submit_key or None,
        created_at=now,
        changed_at=now,
    )
    try:
        with db.begin_nested():
            db.add(message)
    except IntegrityError:
        # The same form arrived twice at the same moment: the other request made it.
        earlier = db.scalar(
            select(Message).where(Message.author_id == author.id, Message.submit_key == submit_key)
        )
        if earlier is None:
            raise
        return earlier, False
    mark_read(db, author.id, couple.id, thread, message.id, now)
    return message, True


def may_change(message: Message, user_id: int, now: datetime) -> bool:
    """Only its author, only within the first few minutes, only while it stands."""
    return (
        message.author_id == user_id
        and message.withdrawn_at is None
        and now - message.created_at <= CHANGE_WINDOW
    )


def edit_message(db: Session, message: Message, couple: Couple, user_id: int, text, now) -> None:
    if not may_change(message, user_id, now):
        raise MessageRefused(_("Messages can be changed only in the first five minutes."))
    closed = sending_closed(couple)
    if closed:
        raise MessageRefused(closed)
    body = clean_body(text)
    if body != message.body:
        message.body = body
        message.edited_at = now
        message.changed_at = now
    db.flush()


def withdraw_message(db: Session, message: Message, user_id: int, now: datetime) -> None:
    """Take a message back: its words are gone; a trace "message withdrawn" stays."""
    if not may_change(message, user_id, now):
        raise MessageRefused(_("Messages can be withdrawn only in the first five minutes."))
    message.body = ""
    message.withdrawn_at = now
    message.changed_at = now
    message.for_session_at = None
    db.flush()


def mark_for_session(db: Session, message: Message, on: bool, now: datetime) -> None:
    message.for_session_at = now if on and message.withdrawn_at is None else None
    message.changed_at = now
    db.flush()


def set_messaging(db: Session, couple: Couple, on: bool, reason: str, now: datetime) -> None:
    if on:
        couple.messaging_off_at = None
        couple.messaging_off_reason = ""
    else:
        couple.messaging_off_at = now
        couple.messaging_off_reason = reason.strip()
    db.flush()


# Reading ------------------------------------------------------------------------------------


def conversation(
    db: Session, couple_id: int, thread: str, before: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[Message], bool]:
    """One page of a conversation, oldest first: the latest messages, or those before a
    message id; and whether older ones exist. One statement whatever the history."""
    statement = select(Message).where(Message.couple_id == couple_id, Message.thread == thread)
    if before is not None:
        statement = statement.where(Message.id < before)
    rows = list(db.scalars(statement.order_by(Message.id.desc()).limit(size + 1)))
    return list(reversed(rows[:size])), len(rows) > size


def thread_stamp(db: Session, couple_id: int, thread: str) -> str:
    """What changes whenever a reader's view of the conversation would (read from the index)."""
    latest = db.scalar(
        select(func.max(Message.changed_at)).where(
            Message.couple_id == couple_id, Message.thread == thread
        )
    )
    return latest.isoformat() if latest else "empty"


@dataclass(frozen=True)
class Check:
    """One reader's quick look at a conversation: which it is, and whether it changed."""

    couple_id: int
    thread: str
    place: str
    stamp: str  # changes whenever the conversation's page would
    seen_at: datetime | None  # when this reader last had it open


def _check_statement(role: str):
    """The one statement of check_conversation for a role, built once; ids bound per call."""
    kind = cast(bindparam("kind", type_=String), String)
    if role == "client":
        base = select(
            Partner.couple_id.label("couple"),
            Partner.role.label("place"),
            case((kind == "private", Partner.role), else_=kind).label("thread"),
        ).where(Partner.user_id == bindparam("user_id"))
    else:
        base = select(
            Couple.id.label("couple"),
            cast(literal("clinician"), String).label("place"),
            kind.label("thread"),
        ).where(Couple.id == bindparam("couple_id"), Couple.clinician_id == bindparam("user_id"))
    found = base.subquery()
    latest = (
        select(func.max(Message.changed_at))
        .where(Message.couple_id == found.c.couple, Message.thread == found.c.thread)
        .scalar_subquery()
    )
    seen = (
        select(MessageRead.seen_at)
        .where(
            MessageRead.user_id == bindparam("user_id"),
            MessageRead.couple_id == found.c.couple,
            MessageRead.thread == found.c.thread,
        )
        .scalar_subquery()
    )
    return select(found.c.couple, found.c.place, found.c.thread, latest, seen)


_CHECKS = {"client": _check_statement("client"), "clinician": _check_statement("clinician")}


def check_conversation(
    db: Session, user_id: int, role: str, couple_id: int | None, kind: str
) -> Check | None:
    """A conversation the user takes part in (a partner's own couple, "private" meaning their
    own; or one of the clinician's couples), its stamp and the reader's last visit, in one
    statement scoped to the user (run past the ORM: it runs every 25 seconds on every open
    conversation); None when it is not theirs."""
    if role not in _CHECKS:
        return None
    params = {"user_id": user_id, "couple_id": couple_id or 0, "kind": kind}
    row = db.connection().execute(_CHECKS[role], params).first()
    if row is None or not may_read_thread(row[2], row[1]):
        return None
    dialect = db.get_bind().dialect
    latest_at = UTCDateTime().process_result_value(row[3], dialect)
    seen_at = UTCDateTime().process_result_value(row[4], dialect)
    stamp = latest_at.isoformat() if latest_at else "empty"
    return Check(row[0], row[2], row[1], stamp, seen_at)


def mark_read(
    db: Session, user_id: int, couple_id: int, thread: str, up_to: int, now: datetime
) -> None:
    """Record that the reader has seen the conversation up to a message, and is there now."""
    # The larger of two values: max() with two arguments on SQLite, greatest() on PostgreSQL.
    larger = func.max if db.get_bind().dialect.name == "sqlite" else func.greatest
    done = db.execute(
        update(MessageRead)
        .where(
            MessageRead.user_id == user_id,
            MessageRead.couple_id == couple_id,
            MessageRead.thread == thread,
        )
        .values(last_read_id=larger(MessageRead.last_read_id, up_to), seen_at=now)
    )
    if done.rowcount:
        return
    try:
        with db.begin_nested():
            db.add(
                MessageRead(
                    user_id=user_id,
                    couple_id=couple_id,
                    thread=thread,
                    last_read_id=up_to,
                    seen_at=now,
                )
            )
    except IntegrityError:
        pass  # the same reader's other tab recorded it a moment ago


def note_presence(db: Session, user_id: int, couple_id: int, thread: str, now: datetime) -> None:
    """The reader still has the conversation open (at most one write a minute)."""
    db.execute(
        update(MessageRead)
        .where(
            MessageRead.user_id == user_id,
            MessageRead.couple_id == couple_id,
            MessageRead.thread == thread,
            MessageRead.seen_at < now - timedelta(minutes=1),
        )
        .values(seen_at=now)
    )


def read_marks(db: Session, couple_id: int, thread: str) -> dict[int, int]:
    """How far each reader has read: user id -> last message id read."""
    return dict(
        db.execute(
            select(MessageRead.user_id, MessageRead.last_read_id).where(
                MessageRead.couple_id == couple_id, MessageRead.thread == thread
            )
        ).all()
    )


def _unread_condition(user_id: int):
    """Messages this user has not read: newer than their mark, by someone else, standing."""
    return and_(
        Message.id > func.coalesce(MessageRead.last_read_id, 0),
        func.coalesce(Message.author_id, 0) != user_id,
        Message.withdrawn_at.is_(None),
    )


def _with_marks(user_id: int):
    return select(Message.couple_id, Message.thread, func.count(Message.id)).outerjoin(
        MessageRead,
        and_(
            MessageRead.user_id == user_id,
            MessageRead.couple_id == Message.couple_id,
            MessageRead.thread == Message.thread,
        ),
    )


def unread_by_thread(db: Session, reader: Reader, couple_id: int) -> dict[str, int]:
    """Unread messages per conversation of one couple, for this reader's conversations only."""
    rows = db.execute(
        _with_marks(reader.user_id)
        .where(
            Message.couple_id == couple_id,
            Message.thread.in_(reader.threads),
            _unread_condition(reader.user_id),
        )
        .group_by(Message.couple_id, Message.thread)
    ).all()
    counts = dict.fromkeys(reader.threads, 0)
    counts.update({thread: count for _couple, thread, count in rows})
    return counts


def unread_for_client(db: Session, user_id: int) -> int:
    """A partner's unread messages in their couple's conversations they are part of: one
    statement (it runs on every page a partner opens)."""
    mine = select(Partner.couple_id, Partner.role).where(Partner.user_id == user_id).subquery()
    count = db.scalar(
        select(func.count(Message.id))
        .select_from(Message)
        .join(mine, mine.c.couple_id == Message.couple_id)
        .outerjoin(
            MessageRead,
            and_(
                MessageRead.user_id == user_id,
                MessageRead.couple_id == Message.couple_id,
                MessageRead.thread == Message.thread,
            ),
        )
        .where(
            (Message.thread == "together") | (Message.thread == mine.c.role),
            _unread_condition(user_id),
        )
    )
    return count or 0


def unread_by_couple(db: Session, clinician_id: int) -> dict[int, int]:
    """The clinician's unread messages per couple (couples without any are left out)."""
    rows = db.execute(
        _with_marks(clinician_id)
        .join(Couple, Couple.id == Message.couple_id)
        .where(Couple.clinician_id == clinician_id, _unread_condition(clinician_id))
        .group_by(Message.couple_id, Message.thread)
    ).all()
    totals: dict[int, int] = {}
    for couple_id, _thread, count in rows:
        totals[couple_id] = totals.get(couple_id, 0) + count
    return totals


def last_messages(db: Session, couple_id: int, threads: tuple[str, ...]) -> dict[str, Message]:
    """The latest message of each of these conversations (to show on an overview)."""
    latest = (
        select(func.max(Message.id))
        .where(Message.couple_id == couple_id, Message.thread.in_(threads))
        .group_by(Message.thread)
    )
    return {m.thread: m for m in db.scalars(select(Message).where(Message.id.in_(latest)))}


def for_session(db: Session, couple_id: int, threads: tuple[str, ...]) -> list[Message]:
    """Messages the clinician marked for the next session, in these conversations."""
    return list(
        db.scalars(
            select(Message)
            .where(
                Message.couple_id == couple_id,
                Message.thread.in_(threads),
                Message.for_session_at.is_not(None),
                Message.withdrawn_at.is_(None),
            )
            .order_by(Message.id)
        )
    )


def messages_of(db: Session, couple_id: int, threads: tuple[str, ...]) -> list[Message]:
    """Every message of these conversations, oldest first (for exports)."""
    return list(
        db.scalars(
            select(Message)
            .where(Message.couple_id == couple_id, Message.thread.in_(threads))
            .order_by(Message.id)
        )
    )
