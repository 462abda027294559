"""Flags: what needs the clinician's attention, each with the evidence behind it.

Rules are plain functions from an Analysis to flags, kept in FLAG_RULES. Other features add
their own (measures, safety) with `flag_rule`, and every caller of `flags_for` gets them
without change. Flags sort most serious first; SEVERITY gives the order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from practice.analytics import thresholds as t
from practice.numfmt import signed

if TYPE_CHECKING:
    from practice.analytics.summary import Analysis

# "safety" is reserved for private safety concerns: they always come first.
SEVERITY = ("safety", "high", "medium", "low")
ROLE_NAMES = {"injured": "injured partner", "involved": "involved partner"}


@dataclass(frozen=True)
class Flag:
    kind: str
    severity: str
    title: str
    evidence: tuple[str, ...]
    day: date | None = None
    clinician_only: bool = False  # never printed in a couple's copy of a report
    # What the couple's copy says instead of the title: plain, calm words for the couple,
    # no severity; empty means the couple's copy leaves the flag out.
    couple_words: str = ""

    @property
    def rank(self) -> int:
        return SEVERITY.index(self.severity)


FlagRule = Callable[["Analysis"], Iterable[Flag]]
FLAG_RULES: list[FlagRule] = []


def flag_rule(rule: FlagRule) -> FlagRule:
    """Register a rule (a decorator); it runs for every analysis from then on."""
    if rule not in FLAG_RULES:
        FLAG_RULES.append(rule)
    return rule


def flags_for(analysis: Analysis) -> list[Flag]:
    """Every flag of every rule, most serious first, newest first within a severity."""
    found = [flag for rule in FLAG_RULES for flag in rule(analysis)]
    return sorted(found, key=lambda f: (f.rank, -(f.day or date.min).toordinal(), f.title))


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


@flag_rule
def crossings(analysis: Analysis) -> Iterable[Flag]:
    """One flag per crossed boundary, with each partner's reports as evidence, by date."""
    for item in analysis.adherence:
        reports = sorted(
            (c for partner in item.partners.values() for c in partner.crossings),
            key=lambda c: (c.day, c.role),
        )
        if len(reports) >= t.CROSSING:
            yield Flag(
                "crossing",
                "high",
                f"Boundary crossed: {item.boundary.text}",
                tuple(
                    f"{_day(c.day)}: reported by the {ROLE_NAMES[c.role]}"
                    + (f" ({c.note})" if c.note else "")
                    for c in reports
                ),
                reports[-1].day,
                couple_words=f"A boundary that was hard to keep: {item.boundary.text}. "
                "Something to talk about together, without blame.",
            )


@flag_rule
def disagreements(analysis: Analysis) -> Iterable[Flag]:
    for item in analysis.adherence:
        if item.agreement.differ:
            yield Flag(
                "disagreement",
                "medium",
                f"The partners' reports differ: {item.boundary.text}",
                tuple(
                    f"{_day(d)}: one reported kept, the other crossed"
                    for d in item.agreement.differ_days
                ),
                item.agreement.differ_days[-1],
                couple_words=f"You each remember some days differently: {item.boundary.text}. "
                "That is common, and worth talking through together.",
            )


@flag_rule
def worsening_metrics(analysis: Analysis) -> Iterable[Flag]:
    for trend in analysis.trends:
        for role, partner in trend.partners.items():
            change = partner.change
            if change is None:
                continue
            worse = change if trend.metric.lower_is_better else -change
            if worse >= t.METRIC_WORSENING:
                direction = "rose" if change > 0 else "fell"
                yield Flag(
                    "metric_worsening",
                    "medium",
                    f"{trend.metric.label} {direction} for the {ROLE_NAMES[role]}",
                    (
                        f"Mean {partner.mean:.1f} this period against {partner.previous_mean:.1f} "
                        f"the period before ({signed(change)})",
                    ),
                    analysis.period.end - timedelta(days=1),
                    couple_words=f"{trend.metric.label} has felt harder lately for the "
                    f"{ROLE_NAMES[role]}. Your clinician will make room for this.",
                )


@flag_rule
def high_distress(analysis: Analysis) -> Iterable[Flag]:
    for trend in analysis.trends:
        if trend.metric.key not in t.DISTRESS_KEYS:
            continue
        for role, partner in trend.partners.items():
            days = [(d, v) for d, v in partner.daily.items() if v >= t.HIGH_DISTRESS]
            if days:
                yield Flag(
                    "high_distress",
                    "high",
                    f"High distress for the {ROLE_NAMES[role]}",
                    tuple(f"{_day(d)}: {v:g} out of 10" for d, v in days),
                    days[-1][0],
                    couple_words=f"Some days have been very hard for the {ROLE_NAMES[role]}. "
                    "Your clinician will make room for this.",
                )


@flag_rule
def low_completion(analysis: Analysis) -> Iterable[Flag]:
    for role, (done, expected, rate) in analysis.completion.items():
        if rate is not None and rate < t.LOW_COMPLETION:
            yield Flag(
                "low_completion",
                "medium",
                f"Few check-ins from the {ROLE_NAMES[role]}",
                (f"{done} of {expected} expected check-ins ({rate:.0%})",),
                analysis.period.end - timedelta(days=1),
                couple_words=f"Fewer check-ins from the {ROLE_NAMES[role]} lately. That is "
                "all right; you can talk about what would make them easier.",
            )


@flag_rule
def waiting_proposals(analysis: Analysis) -> Iterable[Flag]:
    for boundary in analysis.data.boundaries:
        waited = (analysis.data.today - boundary.created_on).days
        if boundary.status == "proposed" and waited > t.PROPOSAL_WAITING_DAYS:
            yield Flag(
                "proposal_waiting",
                "low",
                f"Proposed boundary waiting {waited} days: {boundary.text}",
                (
                    "Asked to talk about it in session"
                    if boundary.discuss_requested
                    else "Not yet accepted by the other partner",
                ),
                boundary.created_on,
                couple_words=f"A proposed boundary is still waiting to be agreed: {boundary.text}.",
            )
