"""The plain data a report template receives: frozen dataclasses, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Header:
    couple_label: str
    clinician: str
    period_text: str
    next_appointment: str
    stage: str
    stage_since: str
    generated: str
    audience: str  # clinician or couple


@dataclass(frozen=True)
class FlagItem:
    severity: str
    title: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class MetricLine:
    label: str
    injured: str  # "4.2 (+0.8)"
    involved: str
    gap: str


@dataclass(frozen=True)
class ChartItem:
    title: str
    svg: str


@dataclass(frozen=True)
class AdherenceLine:
    boundary: str
    check_period: str
    injured: str
    involved: str
    injured_change: str
    involved_change: str
    last_crossing: str
    disagree: str


@dataclass(frozen=True)
class CrossingItem:
    day: str
    boundary: str
    reporter: str
    note: str
    sort_key: int = 0


@dataclass(frozen=True)
class MeasureLine:
    instrument: str
    partner: str
    latest: str
    band: str
    change: str
    reliable: str  # the Jacobson-Truax category, or "no threshold on file"
    basis: str = ""  # a practice-set threshold's citation, or the instrument's score note


@dataclass(frozen=True)
class AssignmentLine:
    title: str
    who: str
    done: int
    late: int
    missed: int
    open: int


@dataclass(frozen=True)
class ResponseItem:
    day: str
    title: str
    who: str
    excerpt: str
    reference: str
    private: bool
    question: str = ""


@dataclass(frozen=True)
class ReportData:
    header: Header
    flags: tuple[FlagItem, ...]
    metric_lines: tuple[MetricLine, ...]
    completion: str
    charts: tuple[ChartItem, ...]
    adherence: tuple[AdherenceLine, ...]
    crossings: tuple[CrossingItem, ...]
    more_crossings: int
    measures: tuple[MeasureLine, ...]
    measure_charts: tuple[ChartItem, ...]
    assignments: tuple[AssignmentLine, ...]
    responses: tuple[ResponseItem, ...]
    more_responses: int
    agenda_note: str
    empty: bool
    weekly_charts: bool = False
    # Messages the clinician marked for the next session (see gather.AgendaMessage).
    agenda_messages: tuple = ()
    # The last signed session note's plan (practice.notes.followup.LastPlan), clinician only.
    last_plan: object | None = None
