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


@dataclass(frozen=True)
class Audience:
    """Who will see what is derived from the records: the clinician; one partner; or the
    couple, meaning both partners at once (the couple's copy of the report is handed to both).

    A record the audience may not read contributes nothing to what is made for it: not its
    words, not a value, count, date, chart point, mean or flag computed from it."""

    kind: str  # clinician, partner or couple
    role: str | None = None  # the partner's role, for kind partner

    @property
    def readers(self) -> tuple[str, ...]:
        """The partners who must each be allowed to read a record for it to count."""
        if self.kind == "couple":
            return ("injured", "involved")
        if self.kind == "partner" and self.role in ("injured", "involved"):
            return (self.role,)
        return ()


CLINICIAN = Audience("clinician")
COUPLE = Audience("couple")


def partner_audience(role: str) -> Audience:
    if role not in ("injured", "involved"):
        raise ValueError(f"not a partner's role: {role!r}")
    return Audience("partner", role)


def audience_may_read(answer: AnswerFacts, audience: Audience, submitted: frozenset[str]) -> bool:
    """Whether every reader of the audience may read this answer. `submitted` holds the roles
    that have submitted an answer to the same occurrence (it decides mutual answers)."""
    if audience.kind == "clinician":
        return clinician_may_read(answer)
    readers = audience.readers
    if not readers:
        return False
    return all(partner_may_read(answer, role, role in submitted) for role in readers)


def audience_may_read_authored(author_role: str, audience: Audience) -> bool:
    """Records that belong to the partner who made them and their clinician, never the other
    partner: questionnaire scores, safety checks, the notes written on a boundary log."""
    if audience.kind == "clinician":
        return True
    return audience.readers == (author_role,)


# Messages ------------------------------------------------------------------------------------
# "injured" and "involved" are each partner's private conversation with the clinician; the
# other partner may never read it, nor learn that it exists. "together" is all three.
THREADS = ("injured", "involved", "together")


def threads_for(reader: str) -> tuple[str, ...]:
    """The conversations a reader takes part in: the clinician ("clinician") all three, a
    partner (by role) their own and the shared one."""
    if reader == "clinician":
        return THREADS
    if reader in ("injured", "involved"):
        return (reader, "together")
    return ()


def may_read_thread(thread: str, reader: str) -> bool:
    return thread in threads_for(reader)


def audience_may_read_thread(thread: str, audience: Audience) -> bool:
    """Whether every reader of the audience takes part in this conversation."""
    if audience.kind == "clinician":
        return True
    readers = audience.readers
    return bool(readers) and all(may_read_thread(thread, role) for role in readers)
