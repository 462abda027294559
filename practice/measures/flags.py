"""Flags from questionnaires and safety checks, added to the analytics' flag list."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from practice.analytics.flags import ROLE_NAMES, Flag, flag_rule
from practice.i18n import lazy_gettext as _l
from practice.measures.instruments import band_label
from practice.measures.library import SAFETY_WORRYING
from practice.measures.summary import measure_series
from practice.numfmt import number, signed
from practice.timefmt import format_weekday

WORRY_WORDS = {
    "afraid": _l("feels afraid of their partner"),
    "threatened": _l("has been threatened"),
    "pressured": _l("has been pressured, controlled or forced"),
    "hurt": _l("has been physically hurt"),
    "safe_at_home": _l("does not feel safe at home"),
}
assert set(WORRY_WORDS) == set(SAFETY_WORRYING)


def _day(day) -> str:
    return format_weekday(day)  # as the other flags write dates


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
                _("Safety concern from the %(who)s", who=ROLE_NAMES[role]),
                tuple(
                    _("%(day)s: %(worry)s", day=_day(row.day), worry=WORRY_WORDS.get(w, w))
                    for w in row.worries
                ),
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
                _(
                    "Thoughts of self-harm reported by the %(who)s (PHQ-9 item 9)",
                    who=ROLE_NAMES[series.role],
                ),
                (
                    _(
                        "%(day)s: item 9 answered %(answer)d of 3; PHQ-9 total %(total)d "
                        "(%(band)s)",
                        day=_day(row.day),
                        answer=row.self_harm_item,
                        total=row.total,
                        band=band_label(row.band),
                    ),
                ),
                row.day,
                clinician_only=True,
            )


@flag_rule
def measure_changes(analysis) -> Iterable[Flag]:
    """Reliable deterioration from the first administration; a move into a worse band."""
    for series in measure_series(analysis.data):
        name, who = series.instrument.short_name, str(ROLE_NAMES[series.role])
        latest = series.latest
        if latest.day not in analysis.period:
            continue
        if series.reliable == "deteriorated":
            yield Flag(
                "reliable_deterioration",
                "high",
                _(
                    "%(questionnaire)s: reliable deterioration for the %(who)s",
                    questionnaire=name,
                    who=who,
                ),
                (
                    _(
                        "%(first_day)s: %(first)d; %(latest_day)s: %(latest)d (change %(change)s, "
                        "threshold %(threshold)s)",
                        first_day=_day(series.first.day),
                        first=series.first.total,
                        latest_day=_day(latest.day),
                        latest=latest.total,
                        change=signed(series.change, 0),
                        # Two places at most, without trailing zeros: "5.2", "6", "4.25".
                        threshold=number(round(series.reliable_change, 2)),
                    ),
                ),
                latest.day,
                clinician_only=True,
            )
        previous = series.previous
        if previous is not None and latest.band_rank > previous.band_rank:
            yield Flag(
                "worse_band",
                "medium",
                _(
                    "%(questionnaire)s: into a worse band for the %(who)s",
                    questionnaire=name,
                    who=who,
                ),
                (
                    _(
                        "%(before_day)s: %(before)d (%(before_band)s); %(latest_day)s: %(latest)d "
                        "(%(latest_band)s)",
                        before_day=_day(previous.day),
                        before=previous.total,
                        before_band=band_label(previous.band),
                        latest_day=_day(latest.day),
                        latest=latest.total,
                        latest_band=band_label(latest.band),
                    ),
                ),
                latest.day,
                clinician_only=True,
            )
