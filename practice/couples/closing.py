"""A closed couple's record is read-only: every write to it goes through ensure_open."""

from __future__ import annotations

from flask_babel import gettext as _

from practice.models import Couple


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


class CoupleClosed(Exception):
    """A change to a couple whose work has ended; answered with 409 and a plain message."""

    def __init__(self, couple_id: int) -> None:
        super().__init__("This couple's work has ended, so their record is read-only.")
        self.couple_id = couple_id


CLINICIAN_MESSAGE = N_(
    "This couple's work is closed, so their record can be read but not changed. "
    "Reopen it from the couple's page if you need to add something."
)
CLIENT_MESSAGE = N_(
    "Your work with your clinician has ended, so nothing new can be added here. "
    "Everything you wrote is still yours to read and download from Settings."
)


def clinician_message() -> str:
    """CLINICIAN_MESSAGE in the reader's language."""
    return _(CLINICIAN_MESSAGE)


def client_message() -> str:
    """CLIENT_MESSAGE in the reader's language."""
    return _(CLIENT_MESSAGE)


def ensure_open(couple: Couple) -> None:
    """Refuse any change to a closed couple's record."""
    if couple.status == "closed":
        raise CoupleClosed(couple.id)
