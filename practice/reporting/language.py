"""Which language a report is printed in.

The couple's copy: the language the clinician picks on the prepare page; offered first is the
partners' common language (both partners chose the same one in their accounts), else the
practice's (PRACTICE_LOCALE). The clinician's copy: the clinician's own language (their
account's choice; on a page, the one Mend speaks to them there; else the practice's).
"""

from __future__ import annotations

from flask import current_app

from practice.i18n import LANGUAGES
from practice.models import Couple, User


def practice_language() -> str:
    """The practice's default language (PRACTICE_LOCALE), when Mend speaks it."""
    code = current_app.config.get("LOCALE") or "en"
    return code if code in LANGUAGES else "en"


def couple_language(couple: Couple) -> str:
    """The partners' common language when both chose the same one, else the practice's."""
    chosen = {(p.user.language or "") for p in couple.partners}
    if len(chosen) == 1 and len(couple.partners) == 2:
        (code,) = chosen
        if code in LANGUAGES:
            return code
    return practice_language()


def clinician_language(clinician: User | None) -> str:
    """The clinician's own language (their account's choice), else the practice's."""
    code = getattr(clinician, "language", "") or ""
    return code if code in LANGUAGES else practice_language()


def report_language(couple: Couple, audience: str, chosen: str | None = None) -> str:
    """The language of a report for its audience; `chosen` (the couple's copy only) wins
    when Mend speaks it."""
    if audience == "couple":
        return chosen if chosen in LANGUAGES else couple_language(couple)
    return clinician_language(couple.clinician)
