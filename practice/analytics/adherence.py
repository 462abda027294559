"""Boundary adherence per boundary and reporting partner, and how the partners' reports agree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from practice.analytics.data import BoundaryFacts, LogRow, Period, monday

ROLES = ("injured", "involved")


@dataclass(frozen=True)
class Crossing:
    day: date
    role: str
    note: str | None


@dataclass(frozen=True)
class PartnerAdherence:
    role: str
    expected: int
    kept: int
    crossed: int
    not_applicable: int
    unreported: int
    crossings: tuple[Crossing, ...]
    last_crossing: date | None
    days_since_last_crossing: int | None
    # How long before today, or before the period's last day for a period already over, in
    # words that say which: "3 days ago", "34 days before the period's end".
    last_crossing_age: str | None = None

    @property
    def rate(self) -> float | None:
        """kept / (kept + crossed); None ("no data", never 0 or 100 %) when both are zero."""
        judged = self.kept + self.crossed
        return self.kept / judged if judged else None


@dataclass(frozen=True)
class Agreement:
    both_kept: int
    both_crossed: int
    differ: int
    differ_days: tuple[date, ...]


@dataclass(frozen=True)
class BoundaryAdherence:
    boundary: BoundaryFacts
    partners: dict[str, PartnerAdherence]
    agreement: Agreement


def _active_on(boundary: BoundaryFacts, day: date) -> bool:
    if boundary.active_from is None or day < boundary.active_from:
        return False
    if boundary.retired_on is not None and day >= boundary.retired_on:
        return False
    return not any(start <= day and (end is None or day < end) for start, end in boundary.pauses)


def expected_periods(boundary: BoundaryFacts, period: Period, today: date) -> list[date]:
    """The days (daily) or week Mondays (weekly) a report is expected, up to today."""
    last = min(period.end, today + timedelta(days=1))
    if boundary.check_period == "daily":
        return [
            d
            for d in Period(period.start, max(period.start, last)).each_day()
            if _active_on(boundary, d)
        ]
    weeks = []
    week = monday(period.start)
    if week < period.start:
        week += timedelta(days=7)
    while week < last:
        if any(_active_on(boundary, week + timedelta(days=i)) for i in range(7)):
            weeks.append(week)
        week += timedelta(days=7)
    return weeks


def crossing_age(days: int, period_over: bool) -> str:
    """Days since the last crossing, counted to today ("5 days ago") or, for a period that is
    over, to its last day ("34 days before the period's end"): never "ago" from a past day."""
    if period_over:
        if days == 0:
            return _("on the period's last day")
        return ngettext(
            "%(num)d day before the period's end", "%(num)d days before the period's end", days
        )
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(num)d day ago", "%(num)d days ago", days)


def boundary_adherence(
    boundary: BoundaryFacts,
    logs: Iterable[LogRow],
    period: Period,
    today: date,
    earlier_crossings: dict[tuple[int, str], date] | None = None,
) -> BoundaryAdherence:
    """Counts, rate, crossings and agreement for one boundary over the period."""
    expected = set(expected_periods(boundary, period, today))
    by_role: dict[str, dict[date, LogRow]] = {role: {} for role in ROLES}
    history_crossings: dict[str, list[LogRow]] = {role: [] for role in ROLES}
    for log in logs:
        if log.boundary_id != boundary.id or log.role not in by_role:
            continue
        if log.status == "crossed" and log.period_start < period.end:
            history_crossings[log.role].append(log)
        if log.period_start in expected:
            by_role[log.role][log.period_start] = log
    partners = {}
    for role in ROLES:
        reports = by_role[role]
        counts = {"kept": 0, "crossed": 0, "na": 0}
        for log in reports.values():
            counts[log.status] += 1
        crossings = tuple(
            sorted(
                (
                    Crossing(log.period_start, role, log.note)
                    for log in reports.values()
                    if log.status == "crossed"
                ),
                key=lambda c: c.day,
            )
        )
        earlier = (earlier_crossings or {}).get((boundary.id, role))
        candidates = [log.period_start for log in history_crossings[role]]
        last = max([*candidates, earlier] if earlier else candidates, default=None)
        reference = min(period.end - timedelta(days=1), today)
        partners[role] = PartnerAdherence(
            role=role,
            expected=len(expected),
            kept=counts["kept"],
            crossed=counts["crossed"],
            not_applicable=counts["na"],
            unreported=len(expected) - len(reports),
            crossings=crossings,
            last_crossing=last,
            days_since_last_crossing=(reference - last).days if last else None,
            last_crossing_age=crossing_age((reference - last).days, reference < today)
            if last
            else None,
        )
    both_kept = both_crossed = 0
    differ: list[date] = []
    for day in sorted(set(by_role["injured"]) & set(by_role["involved"])):
        a, b = by_role["injured"][day].status, by_role["involved"][day].status
        if "na" in (a, b):
            continue
        if a == b == "kept":
            both_kept += 1
        elif a == b == "crossed":
            both_crossed += 1
        else:
            differ.append(day)
    return BoundaryAdherence(
        boundary, partners, Agreement(both_kept, both_crossed, len(differ), tuple(differ))
    )
