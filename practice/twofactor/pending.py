"""A sign-in held between the password and the second step: a short-lived marker in the session.

The marker names the account and where to go next; it signs nobody in. Only a correct code
turns it into a real server-side session (practice.auth.sessions.start_session).
"""

from __future__ import annotations

import time

from flask import session
from sqlalchemy.orm import Session

from practice.auth.sessions import CARRIED_ACROSS_SIGN_IN
from practice.models import User

PENDING_KEY = "two_step_pending"
PENDING_SECONDS = 5 * 60


def hold_sign_in(user: User, next_url: str = "") -> None:
    """Forget any earlier sign-in in this browser and wait for the user's second step."""
    carried = {key: session[key] for key in CARRIED_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(carried)
    session[PENDING_KEY] = {
        "user_id": user.id,
        "email": user.email,
        "until": time.time() + PENDING_SECONDS,
        "next": next_url,
    }


def held_sign_in(db: Session) -> tuple[User, str] | None:
    """The user waiting for their second step and their next page; None when expired or gone."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict) or marker.get("until", 0) < time.time():
        return None
    user = db.get(User, marker.get("user_id"))
    if user is None or not user.is_active or not user.has_two_factor:
        return None
    return user, marker.get("next") or ""


def held_email() -> str:
    """The email of the held sign-in (for the per-account throttle); empty when none."""
    marker = session.get(PENDING_KEY)
    return marker.get("email", "") if isinstance(marker, dict) else ""
