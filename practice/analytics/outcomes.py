"""Clinically significant change (Jacobson & Truax 1991), as plain functions.

Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful
change in psychotherapy research. J Consult Clin Psychol 1991;59(1):12-19. A change is reliable
when it is at least the reliable-change value, 1.96 x the standard error of the difference,
SE_diff = SD x sqrt(2 (1 - r)) for a reference SD and test-retest reliability r. A person has
recovered when the change is a reliable improvement and the score has crossed the cutoff from
the clinical into the non-clinical range.

Session notes' pre-fill (issue 18) calls `change_category`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _

from practice.numfmt import decimal, number

RECOVERED = "recovered"
IMPROVED = "improved"
NO_CHANGE = "no reliable change"
DETERIORATED = "deteriorated"
CATEGORIES = (RECOVERED, IMPROVED, NO_CHANGE, DETERIORATED)


class ThresholdError(ValueError):
    """A reference SD or reliability that cannot give a reliable-change value."""


def reliable_change_value(sd: float, reliability: float) -> float:
    """1.96 x SD x sqrt(2 (1 - r)), Jacobson & Truax (1991)."""
    if not sd > 0 or not math.isfinite(sd):
        raise ThresholdError(_("The reference SD must be a number above 0."))
    if not 0 < reliability < 1:
        raise ThresholdError(_("The reliability must be between 0 and 1 (not 0 or 1 itself)."))
    return 1.96 * sd * math.sqrt(2 * (1 - reliability))


def in_clinical_range(score: float, cutoff: float, higher_is_better: bool) -> bool:
    """At or past the cutoff on the worse side: >= for symptom scales, < for satisfaction."""
    return score < cutoff if higher_is_better else score >= cutoff


def change_category(
    first: float,
    latest: float,
    reliable_change: float | None,
    *,
    higher_is_better: bool,
    cutoff: float | None = None,
) -> str | None:
    """recovered, improved, no reliable change or deteriorated; None without a threshold.

    Without a cutoff on file, a reliable improvement is 'improved' (recovery cannot be told)."""
    if reliable_change is None:
        return None
    change = latest - first
    if abs(change) < reliable_change:
        return NO_CHANGE
    better = change > 0 if higher_is_better else change < 0
    if not better:
        return DETERIORATED
    if (
        cutoff is not None
        and in_clinical_range(first, cutoff, higher_is_better)
        and not in_clinical_range(latest, cutoff, higher_is_better)
    ):
        return RECOVERED
    return IMPROVED


@dataclass(frozen=True)
class Threshold:
    """The reliable-change value in force for one instrument, and where it comes from."""

    value: float | None
    source: str  # printed wherever the value is used
    practice_set: bool = False


def effective_threshold(
    published: float | None,
    published_source: str,
    practice: tuple[float, float, str] | None,
) -> Threshold:
    """A published value wins; else a practice-set (sd, reliability, citation); else none."""
    if published is not None:
        return Threshold(published, published_source)
    if practice is not None:
        sd, reliability, citation = practice
        value = reliable_change_value(sd, reliability)
        return Threshold(
            value,
            _(
                "practice-set, from %(citation)s (SD %(sd)s, reliability %(reliability)s: "
                "1.96 × SD × √(2(1 − r)) = %(value)s)",
                citation=citation,
                sd=number(sd),
                reliability=number(reliability),
                value=decimal(value, 2),
            ),
            practice_set=True,
        )
    return Threshold(None, published_source)
