"""A partner's own check-in history, and their partner's where the partner shares it."""

from __future__ import annotations

from datetime import date, timedelta, tzinfo

from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.analytics.loading import load_couple_data
from practice.analytics.trends import metric_trend
from practice.exercises.visibility import partner_audience
from practice.models import Partner


def checkin_trends(
    db: Session, partner: Partner, period: Period, today: date, zone: tzinfo
) -> tuple[list, bool]:
    """Trends of every tracked metric in the period, from the answers this partner may read
    (loaded for this partner's eyes, as every derived view is); and whether any of the other
    partner's values are among them."""
    data = load_couple_data(
        db, partner.couple_id, period, today, zone, partner_audience(partner.role)
    )
    answered = {value.metric for value in data.values}
    shared = any(value.role != partner.role for value in data.values)
    metrics = [metric for metric in data.metrics if metric.key in answered]
    return [metric_trend(m, list(data.values), period) for m in metrics], shared


def history_period(days: int, today: date) -> Period:
    """The last `days` days up to today."""
    return Period(today - timedelta(days=days - 1), today + timedelta(days=1))
