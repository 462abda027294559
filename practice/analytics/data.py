"""The plain inputs and the period the analytics work on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """The days [start, end)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start)

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    def each_day(self):
        day = self.start
        while day < self.end:
            yield day
            day += timedelta(days=1)


def monday(day: date) -> date:
    """The Monday of the day's week (weekly boundaries are logged per week)."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class BoundaryFacts:
    id: int
    text: str
    check_period: str  # daily or weekly
    status: str  # proposed, active, paused, retired
    created_on: date
    active_from: date | None = None
    retired_on: date | None = None
    pauses: tuple[tuple[date, date | None], ...] = ()
    discuss_requested: bool = False


@dataclass(frozen=True)
class LogRow:
    boundary_id: int
    role: str  # injured or involved
    period_start: date
    status: str  # kept, crossed, na
    note: str | None = None


@dataclass(frozen=True)
class MetricRow:
    metric: str
    role: str
    day: date
    value: float


@dataclass(frozen=True)
class MetricInfo:
    key: str
    label: str
    lower_is_better: bool = False


@dataclass(frozen=True)
class MeasureRow:
    instrument: str
    role: str
    day: date
    total: int
    band: str
    band_rank: int
    self_harm_item: int | None = None


@dataclass(frozen=True)
class SafetyRow:
    role: str
    day: date
    worrying: bool
    worries: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoupleData:
    """Everything `analyse` needs, read once."""

    today: date
    boundaries: tuple[BoundaryFacts, ...] = ()
    logs: tuple[LogRow, ...] = ()
    metrics: tuple[MetricInfo, ...] = ()
    values: tuple[MetricRow, ...] = ()
    # Per role, the days a check-in with tracked metrics was expected (from the assignments).
    expected_checkins: dict[str, frozenset[date]] = field(default_factory=dict)
    # The last crossing each partner reported for each boundary before the logs above start.
    earlier_crossings: dict[tuple[int, str], date] = field(default_factory=dict)
    stage_changes: tuple[tuple[date, int], ...] = ()
    appointments: tuple[date, ...] = ()
    # Every administration and safety check, oldest first (change is measured from the first).
    measures: tuple[MeasureRow, ...] = ()
    safety: tuple[SafetyRow, ...] = ()
    # Practice-set reliable-change bases in force: instrument -> (sd, reliability, citation).
    practice_thresholds: dict[str, tuple[float, float, str]] = field(default_factory=dict)
