"""Questionnaire charts: both partners, score bands shaded, reliable changes ringed."""

from __future__ import annotations

from practice.reporting.charts import Series, line_chart


def measure_charts(analysis, names: dict[str, str]) -> list:
    """One chart per questionnaire: both partners, bands shaded, reliable change ringed."""
    from practice.measures.summary import measure_series

    by_instrument: dict[str, list] = {}
    for series in measure_series(analysis.data):
        by_instrument.setdefault(series.instrument.key, []).append(series)
    charts = []
    start = min((r.day for r in analysis.data.measures), default=analysis.period.start)
    start = min(start, analysis.period.start)
    for group in by_instrument.values():
        instrument = group[0].instrument
        bands = []
        for index, band in enumerate(instrument.bands):
            top = (
                instrument.bands[index + 1].minimum - 0.5
                if index + 1 < len(instrument.bands)
                else instrument.maximum
            )
            bottom = band.minimum - 0.5 if index else instrument.minimum
            bands.append((bottom, top, band.label))
        lines = [
            Series(
                names[s.role],
                s.role,
                {r.day: r.total for r in s.rows},
                {r.day: r.total for r in s.rows},
            )
            for s in group
        ]
        svg = line_chart(
            instrument.short_name,
            lines,
            start,
            analysis.period.end,
            y_min=instrument.minimum,
            y_max=instrument.maximum,
            bands=bands,
            highlight={s.role: s.reliable_days() for s in group},
        )
        charts.append((instrument, group, svg))
    return charts
