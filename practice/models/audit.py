"""The audit trail: who did what to which clinical record. Ids only, never what people wrote."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from practice.db import Base
from practice.models.types import UTCDateTime

ACTIONS = (
    "viewed",
    "created",
    "changed",
    "deleted",
    "exported",
    "printed",
    "signed_in",
    "sign_in_failed",
    "signed_out",
    "refused",
)


class AuditEvent(Base):
    """One append-only row. ``mac`` is a keyed HMAC over this row and the previous row's mac,
    so altering or removing a row breaks the chain from there on.

    No foreign keys: the trail outlives the users and couples it names.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_couple_at", "couple_id", "at"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[int | None]
    couple_id: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(10), default="ok")
    route: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}={self.object_id}>"
