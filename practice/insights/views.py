"""The clinician's couple dashboard: flags first, check-in trends, boundary adherence."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from practice.access import clinician_required, get_couple_or_404
from practice.analytics.loading import load_couple_data
from practice.analytics.summary import analyse
from practice.appointments.services import previous_appointment
from practice.db import db
from practice.exercises.visibility import CLINICIAN
from practice.insights.periods import CHOICES, PeriodError, choose_period
from practice.models import utcnow
from practice.reporting.charts import Marker, Series, responsive_chart
from practice.reporting.measure_charts import measure_charts
from practice.timefmt import local_today, practice_zone

bp = Blueprint("insights", __name__)


def charts_for(analysis, names: dict[str, str]) -> list:
    """One SVG chart per tracked metric, both partners, stage changes and appointments marked."""
    markers = [
        Marker(day, _("Stage %(stage)d", stage=stage), "stage")
        for day, stage in analysis.data.stage_changes
    ]
    markers += [Marker(day, _("Appointment"), "appointment") for day in analysis.data.appointments]
    charts = []
    for trend in analysis.trends:
        series = [
            Series(names[role], role, p.daily, p.rolling) for role, p in trend.partners.items()
        ]
        title = (
            _("%(scale)s (lower is better)", scale=trend.metric.label)
            if trend.metric.lower_is_better
            else trend.metric.label
        )
        charts.append(
            (
                trend,
                responsive_chart(
                    title, series, analysis.period.start, analysis.period.end, markers
                ),
            )
        )
    return charts


@bp.get("/couples/<int:couple_id>/insights")
@clinician_required
def dashboard(couple_id: int):
    """Flags, trends and adherence for a period the clinician chooses."""
    couple = get_couple_or_404(couple_id)
    zone = practice_zone()
    now = utcnow()
    today = local_today(zone, now)
    last = previous_appointment(db.session, couple.id, now)
    error = None
    try:
        choice, period = choose_period(
            request.args.get("period", "last"),
            today,
            last.starts_at.astimezone(zone).date() if last else None,
            request.args.get("start"),
            request.args.get("end"),
        )
    except PeriodError as exc:
        error = str(exc)
        choice, period = choose_period(
            "last", today, last.starts_at.astimezone(zone).date() if last else None
        )
    analysis = analyse(
        load_couple_data(db.session, couple.id, period, today, zone, CLINICIAN), period
    )
    roles = {"injured": _("injured partner"), "involved": _("involved partner")}
    names = {
        p.role: _("%(name)s (%(role)s)", name=p.user.display_name, role=roles.get(p.role, p.role))
        for p in couple.partners
    }
    return render_template(
        "insights/dashboard.html",
        couple=couple,
        analysis=analysis,
        flags=analysis.flags,
        charts=charts_for(analysis, names),
        measures=measure_charts(analysis, names, responsive=True),
        names=names,
        choice=choice,
        choices=CHOICES,
        period=period,
        error=error,
    ), 400 if error else 200
