"""Signed changes as a clinician reads them: a change that rounds to nothing has no sign.

"-0.0" reads as a fall and "+0" as a rise; a change that prints as zero is "0.0" (or "±0 pts").
Every place that prints a signed change goes through here (web pages, the report, flags).
"""

from __future__ import annotations

NONE = "–"


def signed(value: float | None, places: int = 1) -> str:
    """'+1.2', '-0.4', '0.0' (never '-0.0' or '+0.0'); '–' for None."""
    if value is None:
        return NONE
    text = f"{value:+.{places}f}"
    if float(text) == 0:
        return text[1:]  # rounds to zero: no sign, it is neither a rise nor a fall
    return text


def points(change: float | None) -> str:
    """A change between two rates (fractions) in percentage points: '+12 pts', '±0 pts'."""
    if change is None:
        return NONE
    text = signed(change * 100, 0)
    return f"{text} pts" if text != "0" else "±0 pts"


def day_count(days: int) -> str:
    """'1 day', '13 days'."""
    return f"{days} day" if days == 1 else f"{days} days"
