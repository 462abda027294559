"""Server-side sign-in sessions behind Flask-Login.

The cookie holds a random session token (Flask-Login's "alternative id"); the database holds its
hash. Signing out ends the row, so a copied cookie no longer signs anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from practice.auth.devices import describe_device
from practice.models import PracticeSettings, User, UserSession, utcnow

# Words kept from a worksheet posted after the sign-in ended survive signing in again.
CARRIED_ACROSS_SIGN_IN = ("parked_answers",)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User) -> None:
    """Sign the user in with a fresh Flask session (old form tokens stop working)."""
    carried = {key: session[key] for key in CARRIED_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(carried)
    token = secrets.token_urlsafe(32)
    agent = request.headers.get("User-Agent") if has_request_context() else None
    db.add(UserSession(user_id=user.id, token_hash=_digest(token), device=describe_device(agent)))
    user.last_login_at = utcnow()
    user.session_token = token
    login_user(user)


def end_session(db: Session, token: str | None) -> None:
    """End the server-side session behind this token and clear the browser's session."""
    if token:
        db.execute(
            update(UserSession)
            .where(UserSession.token_hash == _digest(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    logout_user()
    session.clear()


def end_all_sessions(db: Session, user_id: int) -> None:
    """End every session of a user (account disabled, password changed)."""
    db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


# The practice's two-step rule, asked of every staff request, comes along (no row: not required).
_REQUIRES_TWO_FACTOR = (
    select(PracticeSettings.require_two_factor_staff)
    .where(PracticeSettings.id == 1)
    .scalar_subquery()
)

# Built once: every signed-in request runs it.
_SESSION_USER = (
    select(User, UserSession.created_at, UserSession.last_seen_at, _REQUIRES_TWO_FACTOR)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.ended_at.is_(None),
        User.is_active.is_(True),
        UserSession.created_at > bindparam("oldest"),
    )
)


def load_session_user(
    db: Session,
    token: str,
    max_age: timedelta | None = None,
    idle: dict[str, timedelta] | None = None,
) -> User | None:
    """The active user behind a live session token: younger than max_age, and used within the
    idle limit of the user's role. None otherwise (the browser is then signed out)."""
    now = utcnow()
    oldest = now - (max_age or timedelta(days=36500))
    row = db.execute(_SESSION_USER, {"token_hash": _digest(token), "oldest": oldest}).first()
    if row is None:
        return None
    user, created, last_seen, requires_two_factor = row
    limit = (idle or {}).get(user.role)
    if limit is not None and (last_seen or created) < now - limit:
        return None
    user.session_token = token
    user.session_seen_at = last_seen or created
    user.practice_requires_two_factor = bool(requires_two_factor)
    return user


def touch_session(db: Session, token: str, every: timedelta = timedelta(seconds=30)) -> None:
    """Record activity on a session (at most every 30 seconds). Runs at the start of a request,
    in the request's own session, and commits at once; a busy database skips it."""
    now = utcnow()
    try:
        db.execute(
            update(UserSession)
            .where(
                UserSession.token_hash == _digest(token),
                (UserSession.last_seen_at.is_(None)) | (UserSession.last_seen_at < now - every),
            )
            .values(last_seen_at=now)
        )
        db.commit()
    except OperationalError:
        db.rollback()


def end_other_sessions(db: Session, user_id: int, keep_token: str | None) -> None:
    """End every session of a user except this browser's (two-step sign-in switched on)."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None)
    )
    if keep_token:
        query = query.where(UserSession.token_hash != _digest(keep_token))
    db.execute(query.values(ended_at=utcnow()))


def session_reference(row: UserSession) -> str:
    """An opaque name for a session on the account page: not its row id (which would show how
    many sign-ins the practice has had), and not enough of its hash to look it up by."""
    return hashlib.sha256(b"device-reference:" + row.token_hash.encode()).hexdigest()[:20]


def is_current(row: UserSession, token: str | None) -> bool:
    """True when this session row is the one behind this browser's token."""
    return bool(token) and row.token_hash == _digest(token)


def active_sessions(
    db: Session, user_id: int, max_age: timedelta, idle: timedelta | None
) -> list[UserSession]:
    """A user's sessions that would still sign someone in, most recently used first."""
    now = utcnow()
    rows = db.scalars(
        select(UserSession).where(
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
            UserSession.created_at > now - max_age,
        )
    ).all()
    live = [r for r in rows if idle is None or (r.last_seen_at or r.created_at) >= now - idle]
    return sorted(live, key=lambda r: r.last_seen_at or r.created_at, reverse=True)


def end_one_session(db: Session, user_id: int, session_id: int) -> bool:
    """End one of the user's own sessions; False when there is no such live session of theirs."""
    ended = db.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow())
    ).rowcount
    return ended == 1
