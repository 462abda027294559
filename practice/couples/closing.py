"""A closed couple's record is read-only: every write to it goes through ensure_open."""

from __future__ import annotations

from practice.models import Couple


class CoupleClosed(Exception):
    """A change to a couple whose work has ended; answered with 409 and a plain message."""

    def __init__(self, couple_id: int) -> None:
        super().__init__("This couple's work has ended, so their record is read-only.")
        self.couple_id = couple_id


CLINICIAN_MESSAGE = (
    "This couple's work is closed, so their record can be read but not changed. "
    "Reopen it from the couple's page if you need to add something."
)
CLIENT_MESSAGE = (
    "Your work with your clinician has ended, so nothing new can be added here. "
    "Everything you wrote is still yours to read and download from Settings."
)


def ensure_open(couple: Couple) -> None:
    """Refuse any change to a closed couple's record."""
    if couple.status == "closed":
        raise CoupleClosed(couple.id)
