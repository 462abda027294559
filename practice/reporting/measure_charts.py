"""Questionnaire charts, one per partner: score bands (and so the cutoff) shaded, reliable
changes ringed, appointments marked. Shared by the dashboard and the report."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from practice.reporting.charts import Marker, Series, band_key, line_chart, responsive_chart


def measure_charts(analysis, names: dict[str, str], *, responsive: bool = False) -> list:
    """One chart per questionnaire and partner: bands shaded light to dark by how concerning
    they are and named in a key under the chart, reliable change ringed, appointments marked.
    `responsive`: drawn for phones and wider screens (web pages); otherwise once, for print."""
    from practice.measures.instruments import band_label
    from practice.measures.summary import measure_series

    by_instrument: dict[tuple[str, str], list] = {}
    for series in measure_series(analysis.data):
        by_instrument.setdefault((series.instrument.key, series.role), []).append(series)
    appointment = _("Appointment")
    markers = [Marker(day, appointment, "appointment") for day in analysis.data.appointments]
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
            bands.append((bottom, top, band_label(band.label), band.rank))
        lines = [
            Series(
                names[s.role],
                s.role,
                {r.day: r.total for r in s.rows},
                {r.day: r.total for r in s.rows},
            )
            for s in group
        ]
        draw = responsive_chart if responsive else line_chart
        svg = draw(
            instrument.short_name,
            lines,
            start,
            analysis.period.end,
            markers,
            y_min=instrument.minimum,
            y_max=instrument.maximum,
            bands=bands,
            highlight={s.role: s.reliable_days() for s in group},
        )
        # Both parts are escaped Markup (the drawing and the key).
        svg = Markup(svg + band_key(bands))  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
        charts.append((instrument, group, svg))
    return charts
