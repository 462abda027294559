"""Flags from questionnaires and safety checks, added to the analytics' flag list."""

from __future__ import annotations

from collections.abc import Iterable

from practice.analytics.flags import ROLE_NAMES, Flag, flag_rule
from practice.measures.library import SAFETY_WORRYING
from practice.measures.summary import measure_series
from practice.numfmt import signed

WORRY_WORDS = {
    "afraid": "feels afraid of their partner",
    "threatened": "has been threatened",
    "pressured": "has been pressured, controlled or forced",
    "hurt": "has been physically hurt",
    "safe_at_home": "does not feel safe at home",
}
assert set(WORRY_WORDS) == set(SAFETY_WORRYING)


def _day(day) -> str:
    return f"{day:%a} {day.day} {day:%b}"  # as the other flags write dates


@flag_rule
def safety_answers(analysis) -> Iterable[Flag]:
    """The latest safety check of each partner, when it was worrying: always first."""
    latest = {}
    for row in analysis.data.safety:
        latest[row.role] = row
    for role, row in latest.items():
        if row.worrying:
            yield Flag(
                "safety_answer",
                "safety",
                f"Safety concern from the {ROLE_NAMES[role]}",
                tuple(f"{_day(row.day)}: {WORRY_WORDS.get(w, w)}" for w in row.worries),
                row.day,
                clinician_only=True,
            )


@flag_rule
def self_harm_item(analysis) -> Iterable[Flag]:
    """PHQ-9 item 9 above 0 in the latest PHQ-9 of a partner."""
    for series in measure_series(analysis.data):
        if series.instrument.key != "phq9":
            continue
        row = series.latest
        if (row.self_harm_item or 0) > 0:
            yield Flag(
                "self_harm",
                "safety",
                f"Thoughts of self-harm reported by the {ROLE_NAMES[series.role]} (PHQ-9 item 9)",
                (
                    f"{_day(row.day)}: item 9 answered {row.self_harm_item} of 3; "
                    f"PHQ-9 total {row.total} ({row.band})",
                ),
                row.day,
                clinician_only=True,
            )


@flag_rule
def measure_changes(analysis) -> Iterable[Flag]:
    """Reliable deterioration from the first administration; a move into a worse band."""
    for series in measure_series(analysis.data):
        name, who = series.instrument.short_name, ROLE_NAMES[series.role]
        latest = series.latest
        if latest.day not in analysis.period:
            continue
        if series.reliable == "deteriorated":
            yield Flag(
                "reliable_deterioration",
                "high",
                f"{name}: reliable deterioration for the {who}",
                (
                    f"{_day(series.first.day)}: {series.first.total}; {_day(latest.day)}: "
                    f"{latest.total} (change {signed(series.change, 0)}, threshold "
                    f"{series.reliable_change:.2f}".rstrip("0").rstrip(".")
                    + ")",
                ),
                latest.day,
                clinician_only=True,
            )
        previous = series.previous
        if previous is not None and latest.band_rank > previous.band_rank:
            yield Flag(
                "worse_band",
                "medium",
                f"{name}: into a worse band for the {who}",
                (
                    f"{_day(previous.day)}: {previous.total} ({previous.band}); "
                    f"{_day(latest.day)}: {latest.total} ({latest.band})",
                ),
                latest.day,
                clinician_only=True,
            )
