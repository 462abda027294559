"""One analysis of a couple over a period: adherence, trends, completion and flags."""

from __future__ import annotations

from dataclasses import dataclass

from practice.analytics.adherence import BoundaryAdherence, boundary_adherence
from practice.analytics.data import CoupleData, Period
from practice.analytics.flags import Flag, flags_for
from practice.analytics.trends import MetricTrend, completion, metric_trend


@dataclass(frozen=True)
class Analysis:
    data: CoupleData
    period: Period
    adherence: tuple[BoundaryAdherence, ...]
    trends: tuple[MetricTrend, ...]
    completion: dict[str, tuple[int, int, float | None]]

    @property
    def flags(self) -> list[Flag]:
        return flags_for(self)


def _register_feature_rules() -> None:
    # Features that add flag rules register them on import; importing here keeps every caller
    # of analyse() unchanged.
    import practice.measures.flags  # noqa: F401


def analyse(data: CoupleData, period: Period) -> Analysis:
    """Analyse a couple's data over [period.start, period.end)."""
    _register_feature_rules()
    shown = [b for b in data.boundaries if b.active_from is not None]
    adherence = tuple(
        boundary_adherence(b, data.logs, period, data.today, data.earlier_crossings) for b in shown
    )
    rows = list(data.values)
    trends = tuple(metric_trend(metric, rows, period) for metric in data.metrics)
    return Analysis(
        data=data,
        period=period,
        adherence=adherence,
        trends=trends,
        completion=completion(data.expected_checkins, rows, period, data.today),
    )
