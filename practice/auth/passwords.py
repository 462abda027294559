"""Password hashing (argon2id) and the sign-up policy of NIST SP 800-63B-4."""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

from practice.paths import DATA_DIR

MIN_LENGTH = 15  # 8 once two-factor sign-in is on (SP 800-63B-4, 3.1.1.2)
MIN_LENGTH_WITH_2FA = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this when an email is unknown keeps sign-in time the same for every email.
_DUMMY_HASH = _hasher.hash("not a real password, only here for constant timing")


def hash_password(password: str) -> str:
    """An argon2id hash of the whole password (no truncation)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; spends the same effort when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


# "passwordpassword", "abcabcabcabcabc": a short unit repeated (SP 800-63B-4 asks to refuse these).
_REPEATED = re.compile(r"^(.+?)\1+$", re.DOTALL)


@cache
def _common_passwords() -> frozenset[str]:
    lines = (DATA_DIR / "common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", two_factor: bool = False) -> str | None:
    """Why this password cannot be used, in plain words, or None when it is fine."""
    minimum = MIN_LENGTH_WITH_2FA if two_factor else MIN_LENGTH
    if len(password) < minimum:
        return _(
            "Please use at least %(num)d characters. A few ordinary words in a row work well.",
            num=minimum,
        )
    if len(password) > MAX_LENGTH:
        return _("Please use at most %(num)d characters.", num=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords():
        return _("That password is on a list of commonly used passwords. Please choose another.")
    if _REPEATED.match(lowered) or len(set(lowered)) <= 3:
        return _(
            "That password repeats itself, which makes it easy to guess. Please choose another."
        )
    if email and lowered == email.lower():
        return _("Please don't use your email address as your password.")
    return None
