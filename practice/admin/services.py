"""Creating staff accounts and switching accounts on and off."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.auth.passwords import hash_password, password_problem
from practice.auth.sessions import end_all_sessions
from practice.auth.tokens import IssuedToken, issue_token
from practice.models import User


class AccountError(ValueError):
    """An account change that cannot be made; the message is shown as it is."""


def create_user(
    db: Session, *, email: str, display_name: str, role: str, password: str | None = None
) -> User:
    """Add an account; without a password it waits for its set-password link."""
    email = email.strip().lower()
    if role not in ("clinician", "client", "admin"):
        raise AccountError(_("Role must be clinician, client or admin."))
    if db.scalar(select(User.id).where(User.email == email)):
        raise AccountError(_("An account with %(email)s already exists.", email=email))
    if password is not None:
        problem = password_problem(password, email=email)
        if problem:
            raise AccountError(problem)
    user = User(
        email=email,
        display_name=display_name.strip() or email.split("@")[0],
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.add(user)
    db.flush()
    return user


def issue_set_password_link(
    db: Session, secret_key: str, user: User, hours: int, by: User | None = None
) -> IssuedToken:
    """A one-time link for the user to choose a password."""
    return issue_token(db, secret_key, user, "set_password", timedelta(hours=hours), created_by=by)


def set_active(db: Session, user: User, active: bool, by: User) -> None:
    """Switch an account on or off; switching off ends all its sessions at once."""
    if user.id == by.id and not active:
        raise AccountError(_("You cannot switch off your own account."))
    user.is_active = active
    if not active:
        end_all_sessions(db, user.id)
