"""Step 2: draw the charts as SVG with the chart module the web dashboard uses."""

from __future__ import annotations

from practice.reporting.charts import Marker, Series, line_chart
from practice.reporting.data import ChartItem
from practice.reporting.gather import Gathered
from practice.reporting.measure_charts import measure_charts


def draw(gathered: Gathered) -> tuple[tuple[ChartItem, ...], tuple[ChartItem, ...]]:
    """The check-in charts, and (for the clinician) the questionnaire charts."""
    analysis = gathered.analysis
    names = {role: f"{name} ({role})" for role, name in gathered.names.items()}
    markers = [Marker(day, f"Stage {stage}", "stage") for day, stage in analysis.data.stage_changes]
    markers += [Marker(day, "Appointment", "appointment") for day in analysis.data.appointments]
    charts = []
    for trend in analysis.trends:
        series = [
            Series(names.get(role, role), role, p.daily, p.rolling)
            for role, p in trend.partners.items()
        ]
        title = trend.metric.label + (" (lower is better)" if trend.metric.lower_is_better else "")
        svg = line_chart(
            title,
            series,
            analysis.period.start,
            analysis.period.end,
            markers,
            width=680,
            height=200,
        )
        charts.append(ChartItem(title, str(svg)))
    questionnaires = []
    if gathered.audience == "clinician":
        for instrument, _group, svg in measure_charts(analysis, names):
            questionnaires.append(ChartItem(instrument.name, str(svg)))
    return tuple(charts), tuple(questionnaires)
