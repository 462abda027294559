"""The demo couples' conversations with their clinician: ordinary between-session messages,
one of them marked for the next session."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.demo_exercises import not_after_now
from practice.demo_texts import demo_texts
from practice.models import Couple, Message, MessageRead

# (couple label, conversation, who writes, hours ago, words, marked for the session); the words
# live in practice/data/demo/messages.toml.
THREADS = tuple(
    (m["couple"], m["thread"], m["author"], m["hours_ago"], m["words"], m["for_session"])
    for m in demo_texts("messages")["messages"]
)


def add_demo_messages(db: Session, couples: list[Couple], now: datetime) -> None:
    by_label = {couple.label: couple for couple in couples}
    for couple in couples:
        couple.clinician.availability_note = demo_texts("messages")["availability_note"]
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
