"""TOTP secrets, one-time codes and recovery codes, and the practice's two-step rule."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from practice.auth.sessions import end_all_sessions
from practice.models import PracticeSettings, RecoveryCode, User, utcnow

ISSUER = "Mend"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a phone clock half a minute out still works
RECOVERY_COUNT = 10
# Crockford's base32: no i, l, o or u, so codes read aloud or copied by hand stay unambiguous.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_LENGTH = 16  # 80 random bits


def start_enrolment(db: Session, user: User) -> str:
    """Give the user a new pending secret; two-step sign-in stays off until it is confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.flush()
    return user.totp_secret


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(user: User) -> str:
    """An SVG QR code of the otpauth:// address, as a data: URI (allowed by the CSP)."""
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#1f2933")


def _clean_code(code: str | None) -> str:
    return re.sub(r"\s+", "", code or "")


def accept_totp(db: Session, user: User, code: str | None, now: float | None = None) -> bool:
    """True once for a current code: a replay of the same or an earlier step is refused."""
    code = _clean_code(code)
    if not user.totp_secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(user.totp_secret, interval=STEP_SECONDS)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in range(current + DRIFT_STEPS, current - DRIFT_STEPS - 1, -1):
        if not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        # Claim the step in one statement, so two requests with the same code cannot both pass.
        claimed = db.execute(
            update(User)
            .where(
                User.id == user.id,
                (User.totp_last_step.is_(None)) | (User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed == 1:
            set_committed_value(user, "totp_last_step", step)
            return True
        return False
    return False


def _normalise_recovery(code: str | None) -> str:
    text = re.sub(r"[\s-]+", "", (code or "").lower())
    return text.translate(str.maketrans({"o": "0", "i": "1", "l": "1"}))


def _recovery_digest(user_id: int, code: str) -> str:
    # Each code carries 80 random bits, so a fast digest cannot be reversed by guessing;
    # a slow password hash would only slow sign-in. The user id keeps digests per account.
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def issue_recovery_codes(db: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; the plain codes are returned once."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        db.add(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(user.id, raw)))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    db.flush()
    return codes


def accept_recovery_code(db: Session, user: User, code: str | None) -> bool:
    """True once for each unused recovery code of this user."""
    raw = _normalise_recovery(code)
    if len(raw) != RECOVERY_LENGTH:
        return False
    used = db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_digest(user.id, raw),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    ).rowcount
    return used == 1


def recovery_codes_left(db: Session, user: User) -> int:
    """How many unused recovery codes the user still has."""
    return db.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def confirm_enrolment(db: Session, user: User, code: str | None) -> list[str] | None:
    """Switch two-step sign-in on with a current code; returns the new recovery codes."""
    if user.totp_secret is None or user.has_two_factor or not accept_totp(db, user, code):
        return None
    user.totp_confirmed_at = utcnow()
    return issue_recovery_codes(db, user)


def turn_off(db: Session, user: User) -> None:
    """Forget the secret and the recovery codes."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.flush()


def reset_by_admin(db: Session, user: User) -> None:
    """Lost phone: switch two-step sign-in off and end every session of the account."""
    turn_off(db, user)
    end_all_sessions(db, user.id)


def practice_settings(db: Session) -> PracticeSettings:
    """The practice's settings row, or the defaults when none has been saved yet (not added)."""
    row = db.get(PracticeSettings, 1)
    return (
        row
        if row is not None
        else PracticeSettings(id=1, require_two_factor_staff=False, note_format="dap")
    )


def save_practice_settings(
    db: Session,
    *,
    require_two_factor_staff: bool,
    availability_note: str | None = None,
    note_format: str | None = None,
) -> PracticeSettings:
    """Create or update the single settings row."""
    row = db.get(PracticeSettings, 1)
    if row is None:
        row = PracticeSettings(id=1)
        db.add(row)
    row.require_two_factor_staff = require_two_factor_staff
    if availability_note is not None:
        row.availability_note = availability_note.strip()
    if note_format is not None:
        row.note_format = note_format
    row.updated_at = utcnow()
    db.flush()
    return row


def must_enrol(db: Session, user: User) -> bool:
    """True when the practice requires two-step sign-in of this staff member and it is off."""
    if not user.is_staff or user.has_two_factor:
        return False
    if user.practice_requires_two_factor is not None:  # read with this request's session
        return user.practice_requires_two_factor
    return practice_settings(db).require_two_factor_staff
