"""A partner's own check-in history, and their partner's where the partner shares it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.analytics.data import MetricInfo, MetricRow, Period
from practice.analytics.thresholds import DISTRESS_KEYS
from practice.analytics.trends import metric_trend
from practice.exercises.visibility import AnswerFacts, partner_may_read
from practice.models import Assignment, Partner, Response, TemplateVersion


def checkin_trends(db: Session, partner: Partner, period: Period) -> tuple[list, bool]:
    """Trends of every tracked metric in the period, from the answers this partner may read;
    and whether any of the other partner's values were shared."""
    window = period.previous()
    rows = db.execute(
        select(
            Response.occurrence_on,
            Response.slot,
            Response.status,
            Response.visibility,
            Response.answers,
            Response.version_id,
            Response.assignment_id,
        )
        .join(Assignment, Assignment.id == Response.assignment_id)
        .where(
            Assignment.couple_id == partner.couple_id,
            Response.status == "submitted",
            Response.occurrence_on >= window.start,
            Response.occurrence_on < period.end,
            Response.slot.in_(("injured", "involved")),
        )
    ).all()
    versions = (
        dict(
            db.execute(
                select(TemplateVersion.id, TemplateVersion.definition).where(
                    TemplateVersion.id.in_(sorted({r.version_id for r in rows}))
                )
            ).all()
        )
        if rows
        else {}
    )
    own = {(r.assignment_id, r.occurrence_on) for r in rows if r.slot == partner.role}
    metrics: dict[str, MetricInfo] = {}
    values: list[MetricRow] = []
    shared = False
    for row in rows:
        facts = AnswerFacts(row.slot, row.status, row.visibility)
        if not partner_may_read(facts, partner.role, (row.assignment_id, row.occurrence_on) in own):
            continue
        for field in versions.get(row.version_id, {}).get("fields", []):
            if field.get("kind") != "scale" or not field.get("tracked"):
                continue
            value = row.answers.get(field["key"])
            if isinstance(value, int | float) and not isinstance(value, bool):
                metrics[field["key"]] = MetricInfo(
                    field["key"],
                    field["label"],
                    bool(field.get("lower_is_better")) or field["key"] in DISTRESS_KEYS,
                )
                values.append(MetricRow(field["key"], row.slot, row.occurrence_on, float(value)))
                shared = shared or row.slot != partner.role
    order = {"trust": 0, "emotional_safety": 1, "connection": 2, "distress": 3}
    ordered = sorted(metrics.values(), key=lambda m: order.get(m.key, 99))
    return [metric_trend(m, values, period) for m in ordered], shared


def history_period(days: int, today: date) -> Period:
    """The last `days` days up to today."""
    from datetime import timedelta

    return Period(today - timedelta(days=days - 1), today + timedelta(days=1))
