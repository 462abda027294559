"""Check-in trends per tracked metric and partner: daily values, rolling mean, period means,
change, slope per week, the gap between partners, and completion."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

from practice.analytics.data import MetricInfo, MetricRow, Period
from practice.analytics.thresholds import ROLLING_DAYS

ROLES = ("injured", "involved")


@dataclass(frozen=True)
class PartnerTrend:
    role: str
    daily: dict[date, float]  # one value per day (the mean when answered twice)
    rolling: dict[date, float]  # mean of the values in the ROLLING_DAYS days up to each day
    mean: float | None
    previous_mean: float | None
    slope_per_week: float | None

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean


@dataclass(frozen=True)
class MetricTrend:
    metric: MetricInfo
    partners: dict[str, PartnerTrend]
    gap: float | None  # mean absolute difference on days both answered
    gap_days: int


def daily_values(rows: Iterable[MetricRow], metric: str, role: str) -> dict[date, float]:
    """One value per day for a metric and partner (the mean of that day's answers)."""
    per_day: dict[date, list[float]] = defaultdict(list)
    for row in rows:
        if row.metric == metric and row.role == role:
            per_day[row.day].append(row.value)
    return {day: fmean(values) for day, values in sorted(per_day.items())}


def rolling_mean(daily: dict[date, float], window: int = ROLLING_DAYS) -> dict[date, float]:
    """For each day with a value: the mean of the values in the `window` days ending that day.

    One pass with a sliding window over the sorted days."""
    days = sorted(daily)
    result: dict[date, float] = {}
    total, first = 0.0, 0
    for index, day in enumerate(days):
        total += daily[day]
        while days[first] <= day - timedelta(days=window):
            total -= daily[days[first]]
            first += 1
        result[day] = total / (index - first + 1)
    return result


def slope_per_week(daily: dict[date, float]) -> float | None:
    """Least-squares slope of value against time, in points per week; None under two days."""
    if len(daily) < 2:
        return None
    origin = min(daily)
    xs = [(d - origin).days for d in daily]
    ys = list(daily.values())
    mx, my = fmean(xs), fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / sxx * 7


def metric_trend(metric: MetricInfo, rows: list[MetricRow], period: Period) -> MetricTrend:
    """The trend of one metric over the period, for both partners."""
    previous = period.previous()
    partners = {}
    for role in ROLES:
        all_days = daily_values(rows, metric.key, role)
        in_period = {d: v for d, v in all_days.items() if d in period}
        before = [v for d, v in all_days.items() if d in previous]
        partners[role] = PartnerTrend(
            role=role,
            daily=in_period,
            # Only the period's own days: the line starts at the first dot, not pulled
            # toward days the chart does not show.
            rolling=rolling_mean(in_period),
            mean=fmean(in_period.values()) if in_period else None,
            previous_mean=fmean(before) if before else None,
            slope_per_week=slope_per_week(in_period),
        )
    a, b = partners["injured"].daily, partners["involved"].daily
    both = sorted(set(a) & set(b))
    gap = fmean(abs(a[d] - b[d]) for d in both) if both else None
    return MetricTrend(metric, partners, gap, len(both))


def completion(
    expected: dict[str, frozenset[date]], rows: Iterable[MetricRow], period: Period, today: date
) -> dict[str, tuple[int, int, float | None]]:
    """Per partner: (check-in days answered, days expected, rate) in the period up to today."""
    answered: dict[str, set[date]] = defaultdict(set)
    for row in rows:
        answered[row.role].add(row.day)
    result = {}
    for role in ROLES:
        days = {d for d in expected.get(role, frozenset()) if d in period and d <= today}
        done = len(days & answered[role])
        result[role] = (done, len(days), done / len(days) if days else None)
    return result
