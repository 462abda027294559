"""Messages between sessions: three conversations per couple, and who has read how far."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.types import Encrypted, UTCDateTime, utcnow

if TYPE_CHECKING:
    from practice.models.user import User

# "injured" and "involved" are each partner's private conversation with the clinician;
# "together" is the clinician with both partners.
THREADS = ("injured", "involved", "together")
AUTHOR_ROLES = ("clinician", "injured", "involved")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("thread IN ('injured', 'involved', 'together')", name="thread"),
        CheckConstraint("author_role IN ('clinician', 'injured', 'involved')", name="author_role"),
        # A partner writes only in their own private conversation or the shared one.
        CheckConstraint(
            "author_role = 'clinician' OR thread = 'together' OR thread = author_role",
            name="author_in_thread",
        ),
        # A form sent twice (a double tap, a resend after a slow answer) makes one message.
        UniqueConstraint("author_id", "submit_key"),
        Index("ix_messages_thread_id", "couple_id", "thread", "id"),
        Index("ix_messages_thread_changed", "couple_id", "thread", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    thread: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The author's place when they wrote: the clinician, or the partner's role.
    author_role: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Encrypted(), default="")
    submit_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Any change a reader's page must show (new, edited, withdrawn, marked): the poll's ETag.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The clinician marked it for the next session's agenda.
    for_session_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Message {self.id} couple={self.couple_id} {self.thread}>"


class MessageRead(Base):
    """How far one reader has read one conversation, and when they last had it open."""

    __tablename__ = "message_reads"
    __table_args__ = (
        CheckConstraint("thread IN ('injured', 'involved', 'together')", name="thread"),
        UniqueConstraint("user_id", "couple_id", "thread"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    thread: Mapped[str] = mapped_column(String(16))
    last_read_id: Mapped[int] = mapped_column(default=0)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last email notice about this conversation (at most one an hour).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<MessageRead {self.id} user={self.user_id} couple={self.couple_id}>"
