"""The clinician's private review of an answer."""

from __future__ import annotations

from practice.couples.closing import ensure_open
from practice.models import Response, User, utcnow


def review(response: Response, comment: str | None, reviewed: bool, by: User) -> None:
    """Keep the clinician's comment and mark the answer reviewed (or not yet)."""
    ensure_open(response.assignment.couple)
    response.clinician_comment = (comment or "").strip() or None
    if reviewed and response.reviewed_at is None:
        response.reviewed_at, response.reviewed_by_id = utcnow(), by.id
    elif not reviewed:
        response.reviewed_at, response.reviewed_by_id = None, None
