"""Form tokens signed once per session, not once per page.

Flask-WTF signs the session's raw CSRF token afresh on every page that has a form (every
signed-in page: the sign-out button is one), building a new signer each time. Mend's tokens
never expire on their own (WTF_CSRF_TIME_LIMIT is None: a token lives as long as the session),
so a token signed once stays valid: this keeps the signed form of each raw token and hands it
to Flask-WTF through ``g.csrf_token``, where Flask-WTF looks first. The token is made exactly as
Flask-WTF makes it, and Flask-WTF still checks every token sent back.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app, g, request, session
from itsdangerous import URLSafeTimedSerializer

FIELD = "csrf_token"
SALT = "wtf-csrf-token"  # Flask-WTF's


@lru_cache(maxsize=4096)
def _signed(secret_key: str | bytes, raw: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps(raw)


def init_csrf_tokens(app: Flask) -> None:
    config = app.config
    if (
        config["WTF_CSRF_TIME_LIMIT"] is not None
        or config.get("WTF_CSRF_FIELD_NAME", FIELD) != FIELD
    ):
        return  # a token that ages must be signed when it is handed out

    @app.before_request
    def _reuse_signed_token() -> None:
        # Pages only: a POST may start a new session (signing in), which makes a new raw token.
        if request.method not in ("GET", "HEAD"):
            return
        raw = session.get(FIELD)
        if isinstance(raw, str):
            secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
            g.csrf_token = _signed(secret, raw)
