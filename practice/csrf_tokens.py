"""Form tokens signed once per session, not once per page.

Flask-WTF signs the session's raw CSRF token afresh on every page that has a form (every
signed-in page: the sign-out button is one), building a new signer each time. Mend's tokens
never expire on their own (WTF_CSRF_TIME_LIMIT is None: a token lives as long as the session),
so a token signed once stays valid: this keeps the signed form of each raw token and hands it
to Flask-WTF through ``g.csrf_token``, where Flask-WTF looks first. The token is made exactly as
Flask-WTF makes it, and Flask-WTF still checks every token sent back.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from itsdangerous import URLSafeTimedSerializer

FIELD = "csrf_token"
SALT = "wtf-csrf-token"  # Flask-WTF's


_SIGNED: dict[tuple[str | bytes, str], str] = {}
_KEEP = 4096  # raw tokens remembered per process (one per live session)


def _signed(secret_key: str | bytes, raw: str) -> str:
    key = (secret_key, raw)
    token = _SIGNED.get(key)
    if token is None:
        token = URLSafeTimedSerializer(secret_key, salt=SALT).dumps(raw)
        _remember(key, token)
    return token


def _remember(key: tuple[str | bytes, str], token: str) -> None:
    if len(_SIGNED) >= _KEEP:
        _SIGNED.pop(next(iter(_SIGNED)))  # the oldest
    _SIGNED[key] = token


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

    @app.after_request
    def _keep_flask_wtfs_token(response):
        # A session's first page: Flask-WTF made the raw token and signed it itself. Keep its
        # signed form, so the next pages hand out the very same token (signing again in a later
        # second would give a different string).
        raw, token = session.get(FIELD), g.get("csrf_token")
        if isinstance(raw, str) and isinstance(token, str):
            secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
            if (secret, raw) not in _SIGNED:
                _remember((secret, raw), token)
        return response
