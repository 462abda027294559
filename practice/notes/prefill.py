"""The note's pre-filled data: the report's own values for the note's window, frozen as plain
structured lines when the note is started, so later edits to the data do not rewrite it.

It runs the report's gather and compose steps for the clinician's copy (no second computation,
no charts) and keeps what a progress note needs."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.reporting.compose import compose
from practice.reporting.data import ReportData
from practice.reporting.gather import gather

# Groups in the order they are shown.
GROUPS = (
    ("session", "Session"),
    ("attention", "Needs attention"),
    ("measures", "Questionnaires"),
    ("checkins", "Check-ins (period mean and change)"),
    ("boundaries", "Boundary adherence"),
    ("assignments", "Assignments"),
    ("messages", "Messages marked for this session"),
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


def prefill_lines(report: ReportData, held: str) -> list[dict]:
    """The lines of the pre-filled section, from the report's data for the clinician."""
    h = report.header
    lines = [
        _line("session", 0, "When", held, {"held": held}),
        _line(
            "session",
            1,
            "Stage",
            f"{h.stage}, {h.stage_since}",
            {"stage": h.stage, "since": h.stage_since},
        ),
        _line("session", 2, "Period covered", h.period_text, {"period": h.period_text}),
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
        text = f"{m.latest}, {m.band}; change {m.change}; {m.reliable}"
        lines.append(_line("measures", i, f"{m.instrument}, {m.partner}", text, asdict(m)))
    for i, m in enumerate(report.metric_lines):
        text = f"injured partner {m.injured}; involved partner {m.involved}; gap {m.gap}"
        lines.append(_line("checkins", i, m.label, text, asdict(m)))
    for i, a in enumerate(report.adherence):
        text = f"injured partner {a.injured}; involved partner {a.involved}"
        lines.append(_line("boundaries", i, a.boundary, text, asdict(a)))
    for i, a in enumerate(report.assignments):
        text = f"done {a.done}, late {a.late}, missed {a.missed}, open {a.open}"
        lines.append(_line("assignments", i, f"{a.title} ({a.who})", text, asdict(a)))
    for i, m in enumerate(report.agenda_messages):
        lines.append(
            _line("messages", i, f"{m.author}, {m.sent} ({m.conversation})", m.text, asdict(m))
        )
    return lines


def build_prefill(
    db: Session, couple_id: int, period: Period, held: str, now: datetime, zone: tzinfo
) -> list[dict]:
    """The pre-filled lines for a note over the period, as the clinician's report has them."""
    report = compose(gather(db, couple_id, period, "clinician", now, zone), (), (), zone)
    return prefill_lines(report, held)


def grouped(lines: list[dict]) -> list[tuple[str, list[dict]]]:
    """The lines under their group titles, in GROUPS order, leaving out empty groups."""
    return [
        (title, [line for line in lines if line["group"] == key])
        for key, title in GROUPS
        if any(line["group"] == key for line in lines)
    ]
