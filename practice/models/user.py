"""Accounts, their server-side sessions and their one-time links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.db import Base
from practice.models.types import Encrypted, UTCDateTime, utcnow

if TYPE_CHECKING:
    from practice.models.couple import Partner

ROLES = ("clinician", "client", "admin")
TOKEN_PURPOSES = ("invitation", "set_password")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('clinician', 'client', 'admin')", name="role"),
        # Emails are stored lower-cased so the unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint(
            "message_notices IN ('immediate', 'digest', 'none')", name="message_notices"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-step sign-in: the secret is pending until confirmed with a code (totp_confirmed_at);
    # totp_last_step is the last 30-second step accepted, so a code works only once.
    totp_secret: Mapped[str | None] = mapped_column(Encrypted())
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Email about new messages: "immediate" (a notice, at most one an hour per conversation),
    # "digest" (one a day) or "none".
    message_notices: Mapped[str] = mapped_column(
        String(16), default="immediate", server_default="immediate"
    )
    # A clinician's own line on when they read messages (else the practice's).
    availability_note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The clinician's session-note format (practice.notes.formats); empty: the practice's.
    note_format: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # The language Mend speaks to this person (practice.i18n.LANGUAGES); empty: their browser's.
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")

    partner: Mapped[Partner | None] = relationship(back_populates="user", uselist=False)

    # Flask-Login: the id kept in the cookie is the server-side session token, not the user id,
    # so ending the session row signs that browser out (see practice.auth.sessions).
    session_token = None  # set per request; not a column
    session_seen_at = None  # when this request's session was last used; not a column
    # Whether the practice asks staff for two-step sign-in, read with the session in the same
    # statement (None when the user was loaded otherwise); not a column.
    practice_requires_two_factor = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in ("clinician", "admin")

    @property
    def is_clinician(self) -> bool:
        return self.role == "clinician"

    @property
    def is_client(self) -> bool:
        return self.role == "client"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(Base):
    """A signed-in browser. Signing out ends the row, so a copied cookie stops working."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "Firefox on a Windows computer": the words only, never the browser's raw user agent.
    device: Mapped[str | None] = mapped_column(String(80))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class AccountToken(Base):
    """A single-use link: a partner's invitation or a new account's set-password link."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('invitation', 'set_password')", name="purpose"),
        Index("ix_account_tokens_user_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(24))
    nonce_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<AccountToken {self.id} {self.purpose} user={self.user_id}>"


class RecoveryCode(Base):
    """A one-time code for signing in without the phone; only its digest is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id}>"


class PracticeSettings(Base):
    """The practice's own settings, edited by an admin: one row (id 1)."""

    __tablename__ = "practice_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    require_two_factor_staff: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0"
    )
    # When the practice's clinicians read messages, shown above every client's conversation.
    availability_note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    note_format: Mapped[str] = mapped_column(String(16), default="dap", server_default="dap")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<PracticeSettings {self.id}>"
