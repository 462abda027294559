"""The demo couples' conversations with their clinician: ordinary between-session messages,
one of them marked for the next session."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.demo_exercises import not_after_now
from practice.models import Couple, Message, MessageRead

# (couple label, conversation, who writes, hours ago, words, marked for the session)
THREADS = (
    (
        "Harbour",
        "injured",
        "injured",
        52,
        "I wasn't sure whether to write this or wait for Thursday. Last night I found myself "
        "checking Daniel's phone again, even though we agreed I'd ask instead. I felt awful "
        "afterwards. Can we talk about it?",
        True,
    ),
    (
        "Harbour",
        "injured",
        "clinician",
        30,
        "Thank you for telling me, Maya. What you describe is very common in these weeks, and "
        "noticing it is already a step. Let's make room for it on Thursday. If the urge comes "
        "back before then, the grounding exercise on your Today page may help.",
        False,
    ),
    (
        "Harbour",
        "together",
        "clinician",
        70,
        "A reminder for you both: this week's accountability worksheet is due on Wednesday. "
        "There are no right answers; write as honestly as you can.",
        False,
    ),
    (
        "Harbour",
        "together",
        "involved",
        20,
        "We might be ten minutes late on Thursday because of the school run. Sorry in advance.",
        False,
    ),
    (
        "Willow",
        "involved",
        "involved",
        26,
        "Elena asked me a question about the trip in March and I froze. I want to answer her "
        "properly, but I'm afraid of making things worse. How do I start?",
        False,
    ),
    (
        "Willow",
        "together",
        "clinician",
        45,
        "You both logged your boundaries every day this week. That consistency matters. "
        "See you on Monday.",
        False,
    ),
)


def add_demo_messages(db: Session, couples: list[Couple], now: datetime) -> None:
    by_label = {couple.label: couple for couple in couples}
    for couple in couples:
        couple.clinician.availability_note = (
            "I read messages on weekdays and reply within two working days."
        )
    for label, thread, place, hours, words, marked in THREADS:
        couple = by_label[label]
        author = couple.clinician if place == "clinician" else couple.partner(place).user
        when = now - timedelta(hours=hours)
        db.add(
            Message(
                couple_id=couple.id,
                thread=thread,
                author_id=author.id,
                author_role=place,
                body=words,
                created_at=when,
                changed_at=when,
                for_session_at=not_after_now(when + timedelta(hours=20)) if marked else None,
            )
        )
    db.flush()
    # The clinician has read Harbour's private conversation up to Maya's message (and replied);
    # everything newer, and Willow's, waits unread.
    harbour = by_label["Harbour"]
    ids = db.scalars(
        select(Message.id)
        .where(Message.couple_id == harbour.id, Message.thread == "injured")
        .order_by(Message.id)
    ).all()
    if ids:
        db.add(
            MessageRead(
                user_id=harbour.clinician_id,
                couple_id=harbour.id,
                thread="injured",
                last_read_id=ids[-1],
                seen_at=now - timedelta(hours=30),
            )
        )
    db.flush()
