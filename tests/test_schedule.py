"""Recurrence rules and occurrence states, as plain functions with hand-checked dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from practice.exercises.schedule import (
    Rule,
    RuleError,
    can_answer,
    check_rule,
    describe,
    is_occurrence,
    occurrence_state,
    occurrences,
    weekday_mask,
)

D = date.fromisoformat


def test_daily_occurrences_are_half_open_and_respect_the_end() -> None:
    rule = Rule("daily", D("2026-01-30"), end_on=D("2026-02-02"))
    assert occurrences(rule, D("2026-01-01"), D("2026-03-01")) == [
        D("2026-01-30"),
        D("2026-01-31"),
        D("2026-02-01"),
        D("2026-02-02"),
    ]
    assert occurrences(rule, D("2026-01-31"), D("2026-02-01")) == [D("2026-01-31")]


def test_weekly_rule_across_a_month_end() -> None:
    # 2026-01-26 is a Monday; Mondays and Thursdays across the January/February boundary.
    rule = Rule("weekly", D("2026-01-26"), weekdays=weekday_mask([0, 3]))
    assert occurrences(rule, D("2026-01-26"), D("2026-02-10")) == [
        D("2026-01-26"),
        D("2026-01-29"),
        D("2026-02-02"),
        D("2026-02-05"),
        D("2026-02-09"),
    ]


def test_weekly_rule_across_a_year_end_and_leap_day() -> None:
    rule = Rule("weekly", D("2027-12-27"), weekdays=weekday_mask([6]))  # Sundays
    assert occurrences(rule, D("2027-12-27"), D("2028-01-10")) == [D("2028-01-02"), D("2028-01-09")]
    daily = Rule("daily", D("2028-02-28"), end_on=D("2028-03-01"))
    assert occurrences(daily, D("2028-02-01"), D("2028-04-01")) == [
        D("2028-02-28"),
        D("2028-02-29"),
        D("2028-03-01"),
    ]


def test_a_year_of_daily_occurrences_is_derived_not_stored() -> None:
    rule = Rule("daily", D("2026-01-01"))
    assert len(occurrences(rule, D("2026-01-01"), D("2027-01-01"))) == 365


def test_pauses_skip_occurrences_until_resumed() -> None:
    rule = Rule("daily", D("2026-03-01"), pauses=((D("2026-03-03"), D("2026-03-05")),))
    assert occurrences(rule, D("2026-03-01"), D("2026-03-07")) == [
        D("2026-03-01"),
        D("2026-03-02"),
        D("2026-03-05"),
        D("2026-03-06"),
    ]
    open_pause = Rule("daily", D("2026-03-01"), pauses=((D("2026-03-02"), None),))
    assert occurrences(open_pause, D("2026-03-01"), D("2026-03-10")) == [D("2026-03-01")]


def test_once_has_its_due_day_only() -> None:
    rule = Rule("once", D("2026-05-01"), due_on=D("2026-05-08"))
    assert occurrences(rule, D("2026-05-01"), D("2026-06-01")) == [D("2026-05-08")]
    assert is_occurrence(rule, D("2026-05-08")) and not is_occurrence(rule, D("2026-05-07"))
    assert can_answer(rule, D("2026-05-08"), today=D("2026-05-02"))  # open from its start
    assert not can_answer(rule, D("2026-05-08"), today=D("2026-04-30"))


@pytest.mark.parametrize(
    "rule, message",
    [
        (Rule("daily", D("2026-05-10"), end_on=D("2026-05-01")), "end date is before"),
        (Rule("weekly", D("2026-05-10"), weekdays=0), "at least one weekday"),
        (Rule("once", D("2026-05-10")), "due date"),
        (Rule("once", D("2026-05-10"), due_on=D("2026-05-01")), "due date is before"),
        # 2026-05-11 is a Monday: a Sunday-only rule that ends the same day never happens.
        (
            Rule("weekly", D("2026-05-11"), end_on=D("2026-05-11"), weekdays=weekday_mask([6])),
            "None of the chosen weekdays",
        ),
        (Rule("hourly", D("2026-05-10")), "once, daily or weekly"),
    ],
)
def test_impossible_rules_are_refused(rule: Rule, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        check_rule(rule)


def test_weekday_mask_refuses_days_outside_the_week() -> None:
    with pytest.raises(RuleError):
        weekday_mask([7])


def test_states_of_an_occurrence() -> None:
    daily = Rule("daily", D("2026-01-01"))
    day = D("2026-01-10")
    assert occurrence_state(daily, day, today=day, submitted_on=None) == "due"
    assert (
        occurrence_state(daily, day, today=day - timedelta(days=1), submitted_on=None) == "upcoming"
    )
    assert (
        occurrence_state(daily, day, today=day + timedelta(days=7), submitted_on=None) == "overdue"
    )
    assert (
        occurrence_state(daily, day, today=day + timedelta(days=8), submitted_on=None) == "missed"
    )
    assert occurrence_state(daily, day, today=day + timedelta(days=3), submitted_on=day) == "done"
    late = day + timedelta(days=2)
    assert occurrence_state(daily, day, today=day + timedelta(days=3), submitted_on=late) == "late"
    once = Rule("once", D("2026-01-01"), due_on=day)
    assert (
        occurrence_state(once, day, today=day + timedelta(days=30), submitted_on=None) == "overdue"
    )


def test_recurring_occurrences_can_be_answered_for_a_week() -> None:
    daily = Rule("daily", D("2026-01-01"))
    day = D("2026-01-10")
    assert can_answer(daily, day, today=day + timedelta(days=7))
    assert not can_answer(daily, day, today=day + timedelta(days=8))
    assert not can_answer(daily, day + timedelta(days=1), today=day)  # not before its day


def test_descriptions_read_naturally() -> None:
    assert describe(Rule("once", D("2026-01-01"), due_on=D("2026-12-03"))) == "Once, due 3 Dec 2026"
    weekly = Rule("weekly", D("2026-01-05"), weekdays=weekday_mask([0, 3]))
    assert describe(weekly) == "Weekly on Monday and Thursday, from 5 Jan 2026"
    daily = Rule("daily", D("2026-01-05"), end_on=D("2026-02-01"))
    assert describe(daily) == "Daily from 5 Jan 2026 until 1 Feb 2026"
