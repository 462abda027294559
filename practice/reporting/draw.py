"""Step 2: draw the charts as SVG with the chart module the web dashboard uses."""

from __future__ import annotations

from flask_babel import gettext as _

from practice.reporting.charts import Marker, Series, line_chart
from practice.reporting.data import ChartItem
from practice.reporting.gather import Gathered
from practice.reporting.measure_charts import measure_charts

# Longer reports chart weekly means: the printer's cost then stays flat with the period's length.
WEEKLY_AFTER_DAYS = 62


def weekly(points: dict) -> dict:
    """Mean per week (keyed by the week's Monday) of daily values."""
    from collections import defaultdict
    from datetime import timedelta
    from statistics import fmean

    weeks: dict = defaultdict(list)
    for day, value in points.items():
        weeks[day - timedelta(days=day.weekday())].append(value)
    return {week: fmean(values) for week, values in sorted(weeks.items())}


def partner_label(role: str, name: str) -> str:
    """'Alex (injured)': a partner's name and role, as the charts' keys show them."""
    if role == "injured":
        return _("%(name)s (injured)", name=name)
    if role == "involved":
        return _("%(name)s (involved)", name=name)
    return name


def draw(gathered: Gathered) -> tuple[tuple[ChartItem, ...], tuple[ChartItem, ...]]:
    """The check-in charts, and (for the clinician) the questionnaire charts."""
    analysis = gathered.analysis
    names = {role: partner_label(role, name) for role, name in gathered.names.items()}
    markers = [
        Marker(day, _("Stage %(stage)d", stage=stage), "stage")
        for day, stage in analysis.data.stage_changes
    ]
    appointment = _("Appointment")
    markers += [Marker(day, appointment, "appointment") for day in analysis.data.appointments]
    charts = []
    long = analysis.period.days > WEEKLY_AFTER_DAYS
    for trend in analysis.trends:
        series = [
            Series(
                names.get(role, role),
                role,
                weekly(p.daily) if long else p.daily,
                weekly(p.daily) if long else p.rolling,
            )
            for role, p in trend.partners.items()
        ]
        title = (
            _("%(scale)s (lower is better)", scale=trend.metric.label)
            if trend.metric.lower_is_better
            else trend.metric.label
        )
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
        for instrument, group, svg in measure_charts(analysis, names):
            title = _(
                "%(questionnaire)s: %(name)s",
                questionnaire=instrument.name,
                name=names[group[0].role],
            )
            questionnaires.append(ChartItem(title, str(svg)))
    return tuple(charts), tuple(questionnaires)
