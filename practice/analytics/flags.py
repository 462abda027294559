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

from flask_babel import gettext as _
from flask_babel import ngettext

from practice.analytics import thresholds as t
from practice.i18n import lazy_gettext as _l
from practice.numfmt import decimal, number, percent, signed
from practice.timefmt import format_weekday

if TYPE_CHECKING:
    from practice.analytics.summary import Analysis

# "safety" is reserved for private safety concerns: they always come first.
SEVERITY = ("safety", "high", "medium", "low")
# Titles, evidence and couple's words are written when the flags are computed, in the language
# of whoever reads them (a page's reader, or the language a report is printed in).
ROLE_NAMES = {"injured": _l("injured partner"), "involved": _l("involved partner")}


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
    return format_weekday(day)


def _inline(text: str) -> str:
    """A boundary's words inside a sentence that ends with its own full stop (no "..")."""
    return text.rstrip().removesuffix(".")


def _who(role: str) -> str:
    return str(ROLE_NAMES[role])


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
                _("Boundary crossed: %(boundary)s", boundary=item.boundary.text),
                tuple(
                    _(
                        "%(day)s: reported by the %(who)s (%(note)s)",
                        day=_day(c.day),
                        who=_who(c.role),
                        note=c.note,
                    )
                    if c.note
                    else _("%(day)s: reported by the %(who)s", day=_day(c.day), who=_who(c.role))
                    for c in reports
                ),
                reports[-1].day,
                couple_words=_(
                    "A boundary that was hard to keep: %(boundary)s. "
                    "Something to talk about together, without blame.",
                    boundary=_inline(item.boundary.text),
                ),
            )


@flag_rule
def disagreements(analysis: Analysis) -> Iterable[Flag]:
    for item in analysis.adherence:
        if item.agreement.differ:
            yield Flag(
                "disagreement",
                "medium",
                _("The partners' reports differ: %(boundary)s", boundary=item.boundary.text),
                tuple(
                    _("%(day)s: one reported kept, the other crossed", day=_day(d))
                    for d in item.agreement.differ_days
                ),
                item.agreement.differ_days[-1],
                couple_words=_(
                    "You each remember some days differently: %(boundary)s. "
                    "That is common, and worth talking through together.",
                    boundary=_inline(item.boundary.text),
                ),
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
                scale, who = trend.metric.label, _who(role)
                yield Flag(
                    "metric_worsening",
                    "medium",
                    _("%(scale)s rose for the %(who)s", scale=scale, who=who)
                    if change > 0
                    else _("%(scale)s fell for the %(who)s", scale=scale, who=who),
                    (
                        _(
                            "Mean %(mean)s this period against %(before)s the period before "
                            "(%(change)s)",
                            mean=decimal(partner.mean),
                            before=decimal(partner.previous_mean),
                            change=signed(change),
                        ),
                    ),
                    analysis.period.end - timedelta(days=1),
                    couple_words=_(
                        "%(scale)s has felt harder lately for the %(who)s. "
                        "Your clinician will make room for this.",
                        scale=scale,
                        who=who,
                    ),
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
                    _("High distress for the %(who)s", who=_who(role)),
                    tuple(
                        _("%(day)s: %(value)s out of 10", day=_day(d), value=number(v))
                        for d, v in days
                    ),
                    days[-1][0],
                    couple_words=_(
                        "Some days have been very hard for the %(who)s. "
                        "Your clinician will make room for this.",
                        who=_who(role),
                    ),
                )


@flag_rule
def low_completion(analysis: Analysis) -> Iterable[Flag]:
    for role, (done, expected, rate) in analysis.completion.items():
        if rate is not None and rate < t.LOW_COMPLETION:
            yield Flag(
                "low_completion",
                "medium",
                _("Few check-ins from the %(who)s", who=_who(role)),
                (
                    _(
                        "%(done)d of %(expected)d expected check-ins (%(rate)s)",
                        done=done,
                        expected=expected,
                        rate=percent(rate),
                    ),
                ),
                analysis.period.end - timedelta(days=1),
                couple_words=_(
                    "Fewer check-ins from the %(who)s lately. That is all right; you can talk "
                    "about what would make them easier.",
                    who=_who(role),
                ),
            )


@flag_rule
def waiting_proposals(analysis: Analysis) -> Iterable[Flag]:
    for boundary in analysis.data.boundaries:
        waited = (analysis.data.today - boundary.created_on).days
        if boundary.status == "proposed" and waited > t.PROPOSAL_WAITING_DAYS:
            yield Flag(
                "proposal_waiting",
                "low",
                ngettext(
                    "Proposed boundary waiting %(num)d day: %(boundary)s",
                    "Proposed boundary waiting %(num)d days: %(boundary)s",
                    waited,
                    boundary=boundary.text,
                ),
                (
                    _("Asked to talk about it in session")
                    if boundary.discuss_requested
                    else _("Not yet accepted by the other partner"),
                ),
                boundary.created_on,
                couple_words=_(
                    "A proposed boundary is still waiting to be agreed: %(boundary)s.",
                    boundary=_inline(boundary.text),
                ),
            )
