"""`practice check-security`: a deployment self-check, in the spirit of Django's check --deploy.

It checks the settings (the same rules the production start-up enforces) and then what a browser
really receives: it renders the sign-in page through the app and reads its headers and cookie.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from practice.config import ENV_PREFIX, production_problems

# Header -> what it must contain, on every page.
REQUIRED_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "",
    "Cache-Control": "no-store",
}


def security_problems(app: Flask) -> list[str]:
    """Every problem found, one plain sentence each; an empty list means all checks passed."""
    problems = []
    if not app.config["PRODUCTION"]:
        problems.append(
            _(
                "%(setting)s is %(value)s, not 'production': cookies may travel without HTTPS "
                "and browsers are not told to insist on HTTPS.",
                setting=f"{ENV_PREFIX}ENV",
                value=repr(app.config["ENV"]),
            )
        )
    problems.extend(production_problems(app.config))
    problems.extend(page_problems(app))
    return problems


def page_problems(app: Flask) -> list[str]:
    """Missing security headers or cookie flags on the rendered sign-in page."""
    base_url = app.config["BASE_URL"]
    if app.config["PRODUCTION"] and not base_url.startswith("https://"):
        base_url = "https://" + base_url.split("://", 1)[-1]
    response = app.test_client().get("/login", base_url=base_url)
    if response.status_code != 200:
        return [
            _(
                "The sign-in page answered %(status)d, so its headers are unchecked.",
                status=response.status_code,
            )
        ]
    problems = []
    for name, needed in REQUIRED_HEADERS.items():
        value = response.headers.get(name)
        if value is None:
            problems.append(_("Pages are sent without a %(header)s header.", header=name))
        elif needed not in value:
            problems.append(
                _(
                    "The %(header)s header (%(value)s) lacks %(needed)s.",
                    header=name,
                    value=repr(value),
                    needed=repr(needed),
                )
            )
    if app.config["PRODUCTION"] and "Strict-Transport-Security" not in response.headers:
        problems.append(_("Pages are sent without Strict-Transport-Security (HSTS)."))
    cookie = _session_cookie(response.headers.getlist("Set-Cookie"), app)
    if cookie is None:
        problems.append(_("The sign-in page sets no session cookie, so its flags are unchecked."))
        return problems
    flags = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
    if "httponly" not in flags:
        problems.append(_("The session cookie is readable by page scripts (no HttpOnly)."))
    if app.config["PRODUCTION"] and "secure" not in flags:
        problems.append(_("The session cookie is sent without HTTPS (no Secure)."))
    if "samesite" not in flags:
        problems.append(_("The session cookie has no SameSite attribute."))
    return problems


def _session_cookie(cookies: list[str], app: Flask) -> str | None:
    name = app.config["SESSION_COOKIE_NAME"] + "="
    return next((cookie for cookie in cookies if cookie.startswith(name)), None)
