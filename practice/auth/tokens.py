"""Signed, single-use, expiring links: invitations and set-password links."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from practice.models import AccountToken, User, utcnow


class TokenError(ValueError):
    """The link cannot be used; the message is shown as it is."""


@dataclass(frozen=True)
class IssuedToken:
    token: AccountToken
    secret: str  # goes into the link; only its hash is stored


def _serializer(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=f"practice.account-token.{purpose}")


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue_token(
    db: Session,
    secret_key: str,
    user: User,
    purpose: str,
    lifetime: timedelta,
    created_by: User | None = None,
) -> IssuedToken:
    """Revoke the user's earlier links of this purpose and make a new one."""
    now = utcnow()
    db.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    nonce = secrets.token_urlsafe(24)
    row = AccountToken(
        user_id=user.id,
        purpose=purpose,
        nonce_hash=_digest(nonce),
        created_at=now,
        expires_at=now + lifetime,
        created_by_id=created_by.id if created_by else None,
    )
    db.add(row)
    db.flush()
    signed = _serializer(secret_key, purpose).dumps([row.id, nonce])
    return IssuedToken(token=row, secret=signed)


def find_token(db: Session, secret_key: str, purpose: str, signed: str) -> AccountToken:
    """The live token behind a link, or TokenError with a plain reason."""
    try:
        token_id, nonce = _serializer(secret_key, purpose).loads(signed)
    except (BadSignature, ValueError, TypeError) as exc:
        raise TokenError(
            _("This link is not valid. Please ask your clinician for a new one.")
        ) from exc
    row = db.scalar(select(AccountToken).where(AccountToken.id == token_id))
    if (
        row is None
        or row.purpose != purpose
        or not hmac.compare_digest(row.nonce_hash, _digest(str(nonce)))
    ):
        raise TokenError(_("This link is not valid. Please ask your clinician for a new one."))
    if row.used_at is not None:
        raise TokenError(
            _("This link has already been used. Please sign in, or ask for a new link.")
        )
    if row.revoked_at is not None:
        raise TokenError(_("A newer link has been sent; this one no longer works."))
    if row.expires_at <= utcnow():
        raise TokenError(_("This link has expired. Please ask your clinician for a new one."))
    if not row.user.is_active:
        raise TokenError(_("This account is not active. Please contact your clinician."))
    return row
