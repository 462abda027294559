"""The note's pre-filled data: the report's own values for the note's window, frozen as plain
structured lines when the note is started, so later edits to the data do not rewrite it.

It runs the report's gather and compose steps for the clinician's copy (no second computation,
no charts) and keeps what a progress note needs."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, tzinfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.i18n import lazy_gettext as _l
from practice.models import Couple, StageChange
from practice.numfmt import day_count
from practice.reporting.compose import compose
from practice.reporting.data import ReportData
from practice.reporting.gather import gather
from practice.stages import STAGES
from practice.timefmt import calendar_days_between, format_datetime

# Groups in the order they are shown.
GROUPS = (
    ("session", _l("Session")),
    ("attention", _l("Needs attention")),
    ("measures", _l("Questionnaires")),
    ("checkins", _l("Check-ins (period mean and change)")),
    ("boundaries", _l("Boundary adherence")),
    ("assignments", _l("Assignments")),
    ("messages", _l("Messages marked for this session")),
)
GROUP_TITLES = dict(GROUPS)


def _line(group: str, index: int, label: str, text: str, values: dict) -> dict:
    # As JSON keeps it (tuples become lists), so a stored line equals a freshly computed one.
    values = json.loads(json.dumps(values))
    return {
        "key": f"{group}-{index}",
        "group": group,
        "label": label,
        "text": text,
        "values": values,
    }


def prefill_lines(
    report: ReportData, held: str, stage: tuple[str, str] | None = None
) -> list[dict]:
    """The lines of the pre-filled section, from the report's data for the clinician; stage is
    (stage, since) as it was at the session, when that differs from the report's now."""
    h = report.header
    stage_name, since = stage or (h.stage, h.stage_since)
    lines = [
        _line("session", 0, _("When"), held, {"held": held}),
        _line(
            "session",
            1,
            _("Stage"),
            f"{stage_name}, {since}",
            {"stage": stage_name, "since": since},
        ),
        _line("session", 2, _("Period covered"), h.period_text, {"period": h.period_text}),
    ]
    for i, flag in enumerate(report.flags):
        evidence = "; ".join(flag.evidence)
        lines.append(
            _line(
                "attention",
                i,
                flag.severity.upper(),
                flag.title + (f" ({evidence})" if evidence else ""),
                asdict(flag),
            )
        )
    for i, m in enumerate(report.measures):
        text = _(
            "%(latest)s, %(band)s; change %(change)s; %(reliable)s",
            latest=m.latest,
            band=m.band,
            change=m.change,
            reliable=m.reliable,
        )
        if m.basis:
            text += f" ({m.basis})"
        lines.append(_line("measures", i, f"{m.instrument}, {m.partner}", text, asdict(m)))
    for i, m in enumerate(report.metric_lines):
        text = _(
            "injured partner %(injured)s; involved partner %(involved)s; gap %(gap)s",
            injured=m.injured,
            involved=m.involved,
            gap=m.gap,
        )
        lines.append(_line("checkins", i, m.label, text, asdict(m)))
    for i, a in enumerate(report.adherence):
        text = _(
            "injured partner %(injured)s; involved partner %(involved)s",
            injured=a.injured,
            involved=a.involved,
        )
        lines.append(_line("boundaries", i, a.boundary, text, asdict(a)))
    for i, a in enumerate(report.assignments):
        text = _(
            "done %(done)s, late %(late)s, missed %(missed)s, open %(open)s",
            done=a.done,
            late=a.late,
            missed=a.missed,
            open=a.open,
        )
        lines.append(_line("assignments", i, f"{a.title} ({a.who})", text, asdict(a)))
    for i, m in enumerate(report.agenda_messages):
        lines.append(
            _line("messages", i, f"{m.author}, {m.sent} ({m.conversation})", m.text, asdict(m))
        )
    return lines


def build_prefill(
    db: Session, couple_id: int, period: Period, held_at: datetime, now: datetime, zone: tzinfo
) -> list[dict]:
    """The pre-filled lines for a note over the period, as the clinician's report has them."""
    gathered = gather(db, couple_id, period, "clinician", now, zone)
    report = compose(gathered, (), (), zone)
    return prefill_lines(
        report, format_datetime(held_at, zone), stage_at(db, couple_id, held_at, zone)
    )


def stage_at(db: Session, couple_id: int, moment: datetime, zone: tzinfo) -> tuple[str, str]:
    """The couple's stage at a moment and since when, worded as the report's header words it
    (a note started days after its session records the stage of the session)."""
    changes = db.scalars(
        select(StageChange)
        .where(StageChange.couple_id == couple_id)
        .order_by(StageChange.changed_at, StageChange.id)
    ).all()
    couple = db.get(Couple, couple_id)
    before = [c for c in changes if c.changed_at <= moment]
    if before:
        stage, since = before[-1].to_stage, before[-1].changed_at
    elif changes:  # recorded after the moment: the stage it started from (or its first)
        stage, since = changes[0].from_stage or changes[0].to_stage, couple.created_at
    else:
        stage, since = couple.stage, couple.created_at
    local = since.astimezone(zone).date()
    days = max(0, calendar_days_between(since, moment, zone))
    return (
        f"{stage}. {STAGES[stage].name}",
        f"since {local:%a} {local.day} {local:%b %Y} ({day_count(days)})",
    )


def grouped(lines: list[dict]) -> list[tuple[str, list[dict]]]:
    """The lines under their group titles, in GROUPS order, leaving out empty groups."""
    return [
        (str(title), [line for line in lines if line["group"] == key])
        for key, title in GROUPS
        if any(line["group"] == key for line in lines)
    ]
