"""The browser's session cookie: Flask's signed cookie, signed more cheaply.

Every signed-in request checks the cookie's signature. Flask builds a new signer for each
request and hands HMAC a pure-Python SHA-1 wrapper, which takes HMAC's slow path; this builds
the signer once per set of keys and gives HMAC OpenSSL's SHA-1. The cookie is byte for byte
the same, so sessions signed before an upgrade stay valid after it.
"""

from __future__ import annotations

import hashlib

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SignedCookieSessions(SecureCookieSessionInterface):
    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._signer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        signer = self._signer
        if signer is None or signer[0] != keys:
            signer = self._signer = (keys, super().get_signing_serializer(app))
        return signer[1]
