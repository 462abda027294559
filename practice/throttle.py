"""Sign-in throttling with Flask-Limiter: per address and per account, counting failures only.

Wrong passwords and wrong second-step codes share the same counters (one scope for all the
views below), so switching between the two steps buys an attacker nothing.

The waits grow (minutes, then an hour, then a day) and the message says when to try again.
An unknown email is throttled exactly like a known one, so a lock reveals nothing. Storage is in
memory by default (one process) and Redis when PRACTICE_REDIS_URL is set (shared by workers).
"""

from __future__ import annotations

import math
import time

from flask import Flask, make_response, render_template, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user

PER_ADDRESS = "20 per 10 minutes; 60 per day"
PER_ACCOUNT = "5 per 15 minutes; 10 per hour; 20 per day"


def _account_key() -> str:
    if request.endpoint == "auth.login":
        email = request.form.get("email") or ""
    elif request.endpoint == "auth.two_factor":
        from practice.twofactor.pending import held_email

        # The account comes from the signed session marker, never from the posted form.
        email = held_email()
    else:
        email = current_user.email if current_user.is_authenticated else ""
    return "account:" + email.strip().lower()


def _failed(response) -> bool:
    # A failed sign-in re-renders the form (200); a success redirects.
    return response.status_code == 200


def _refused(response) -> bool:
    # Account pages answer a wrong code or password with 400; success redirects or shows codes.
    return response.status_code == 400


SIGN_IN_VIEWS = {"auth.login": _failed, "auth.two_factor": _failed}
# Checking a code or password from inside an account: throttled too, or a stolen session
# could guess the password through the switch-off form.
ACCOUNT_VIEWS = {
    "twofactor.confirm": _refused,
    "twofactor.regenerate": _refused,
    "twofactor.switch_off": _refused,
}


def _too_many(limit: RequestLimit):
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    wait = (
        f"{minutes} minute{'s' if minutes != 1 else ''}"
        if minutes < 90
        else (f"{math.ceil(minutes / 60)} hours")
    )
    page = render_template(
        "errors/error.html",
        code=429,
        title="Too many attempts to sign in",
        message=f"For everyone's safety, please wait {wait} and try again. If you've forgotten "
        "your password, you can ask for a link to choose a new one.",
    )
    return make_response(page, 429)


def init_throttling(app: Flask) -> Limiter:
    """Attach a limiter to this app and throttle failed sign-ins."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Redis down: keep counting in this process rather than refuse every sign-in (a partner in
    # distress must still get in) or stop counting (a guesser must still be slowed). Each
    # worker then counts on its own until Redis is back.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    for endpoint, failed in {**SIGN_IN_VIEWS, **ACCOUNT_VIEWS}.items():
        view = app.view_functions[endpoint]
        view = limiter.shared_limit(
            PER_ACCOUNT,
            scope="sign-in-account",
            key_func=_account_key,
            methods=["POST"],
            deduct_when=failed,
            on_breach=_too_many,
        )(view)
        view = limiter.shared_limit(
            PER_ADDRESS,
            scope="sign-in-address",
            methods=["POST"],
            deduct_when=failed,
            on_breach=_too_many,
        )(view)
        app.view_functions[endpoint] = view
    app.extensions["practice.limiter"] = limiter
    return limiter
