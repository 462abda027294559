"""Who may read an answer. The one place this is decided, for pages, exports and reports.

A partner always sees their own answers (drafts included) and a joint answer of their couple.
They see the other partner's submitted answer when it is shared, or, when it is mutual, once
they have submitted their own answer to the same occurrence. Never a draft of the other
partner, never one kept for the clinician. Clinicians see submitted answers of their couples.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerFacts:
    slot: str  # injured, involved or together
    status: str  # draft or submitted
    visibility: str  # clinician, shared or mutual


def partner_may_read(answer: AnswerFacts, viewer_role: str, viewer_submitted_same: bool) -> bool:
    """Whether the partner with viewer_role may read this answer of their own couple."""
    if answer.slot in (viewer_role, "together"):
        return True
    if answer.status != "submitted":
        return False
    if answer.visibility == "shared":
        return True
    if answer.visibility == "mutual":
        return viewer_submitted_same
    return False


def clinician_may_read(answer: AnswerFacts) -> bool:
    """Clinicians read what was submitted, not work in progress."""
    return answer.status == "submitted"
