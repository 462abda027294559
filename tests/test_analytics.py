"""The analytics as plain functions, with hand-computed expectations and properties."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practice.analytics import flags as flag_module
from practice.analytics.adherence import boundary_adherence, expected_periods
from practice.analytics.data import BoundaryFacts, CoupleData, LogRow, MetricInfo, MetricRow, Period
from practice.analytics.flags import Flag, flag_rule
from practice.analytics.summary import analyse
from practice.analytics.trends import metric_trend, rolling_mean, slope_per_week

D0 = date(2026, 3, 2)  # a Monday


def day(n: int) -> date:
    return D0 + timedelta(days=n)


DAILY = BoundaryFacts(1, "No contact", "daily", "active", created_on=day(0), active_from=day(0))


def test_adherence_counts_rates_crossings_and_agreement() -> None:
    logs = []
    injured = {
        0: "kept",
        1: "kept",
        2: "kept",
        3: "crossed",
        4: "kept",
        5: "na",
        6: "kept",
        7: "crossed",
        8: "kept",
    }  # day 9 unreported
    involved = {
        0: "kept",
        1: "kept",
        2: "kept",
        3: "crossed",
        4: "kept",
        5: "kept",
        6: "kept",
        7: "kept",
        9: "kept",
    }  # day 8 unreported
    logs += [
        LogRow(1, "injured", day(n), s, "note" if s == "crossed" else None)
        for n, s in injured.items()
    ]
    logs += [LogRow(1, "involved", day(n), s) for n, s in involved.items()]
    result = boundary_adherence(DAILY, logs, Period(day(0), day(10)), today=day(20))
    a, b = result.partners["injured"], result.partners["involved"]
    assert (a.expected, a.kept, a.crossed, a.not_applicable, a.unreported) == (10, 6, 2, 1, 1)
    assert a.rate == pytest.approx(6 / 8)
    assert [c.day for c in a.crossings] == [day(3), day(7)]
    assert a.last_crossing == day(7) and a.days_since_last_crossing == 2  # to day 9
    assert (b.kept, b.crossed, b.unreported) == (8, 1, 1) and b.rate == pytest.approx(8 / 9)
    # Both reported on days 0-7 (day 5: one n/a, not compared): kept on 0,1,2,4,6;
    # crossed on 3; they differ on 7.
    assert (result.agreement.both_kept, result.agreement.both_crossed) == (5, 1)
    assert result.agreement.differ == 1 and result.agreement.differ_days == (day(7),)


def test_no_kept_or_crossed_means_no_data_not_zero() -> None:
    logs = [LogRow(1, "injured", day(0), "na")]
    result = boundary_adherence(DAILY, logs, Period(day(0), day(3)), today=day(5))
    assert result.partners["injured"].rate is None
    assert result.partners["involved"].rate is None
    assert result.partners["involved"].unreported == 3


def test_expected_periods_respect_activation_pauses_retirement_and_today() -> None:
    paused = BoundaryFacts(
        2,
        "x",
        "daily",
        "active",
        created_on=day(0),
        active_from=day(2),
        retired_on=day(9),
        pauses=((day(4), day(6)),),
    )
    assert expected_periods(paused, Period(day(0), day(12)), today=day(7)) == [
        day(2),
        day(3),
        day(6),
        day(7),
    ]
    weekly = BoundaryFacts(3, "y", "weekly", "active", created_on=day(0), active_from=day(3))
    # Weeks starting on the Mondays D0, D0+7, D0+14; the period starts mid-week on day 1.
    assert expected_periods(weekly, Period(day(1), day(21)), today=day(30)) == [day(7), day(14)]
    assert expected_periods(weekly, Period(day(0), day(21)), today=day(30)) == [
        day(0),
        day(7),
        day(14),
    ]


def test_trend_means_change_slope_gap_and_rolling_mean() -> None:
    rows = [MetricRow("trust", "injured", day(n), v) for n, v in [(0, 2), (1, 3), (2, 4)]]
    rows += [MetricRow("trust", "injured", day(n), 6) for n in (-3, -2)]  # the period before
    rows += [MetricRow("trust", "involved", day(n), v) for n, v in [(1, 5), (2, 8)]]
    rows += [MetricRow("trust", "involved", day(2), 6)]  # twice that day: the mean, 7
    trend = metric_trend(MetricInfo("trust", "Trust"), rows, Period(day(0), day(3)))
    injured, involved = trend.partners["injured"], trend.partners["involved"]
    assert injured.daily == {day(0): 2, day(1): 3, day(2): 4}
    assert injured.mean == 3 and injured.previous_mean == 6 and injured.change == -3
    assert injured.slope_per_week == pytest.approx(7.0)  # +1 a day
    # The rolling mean starts inside the period: the days before it are not in the line.
    assert injured.rolling == {day(0): 2, day(1): pytest.approx(2.5), day(2): pytest.approx(3)}
    assert involved.daily == {day(1): 5, day(2): 7}
    assert trend.gap == pytest.approx((abs(3 - 5) + abs(4 - 7)) / 2) and trend.gap_days == 2


def test_helpers_on_short_series() -> None:
    assert slope_per_week({day(0): 5}) is None
    assert rolling_mean({}) == {}
    silent = metric_trend(MetricInfo("trust", "Trust"), [], Period(day(0), day(7)))
    assert silent.partners["injured"].mean is None and silent.gap is None


def _data(**kw) -> CoupleData:
    return CoupleData(today=kw.pop("today", day(13)), **kw)


def test_flags_with_evidence_most_serious_first() -> None:
    trust, distress = MetricInfo("trust", "Trust"), MetricInfo("distress", "Distress", True)
    values = [MetricRow("trust", "injured", day(n), 7) for n in range(-7, 0)]
    values += [MetricRow("trust", "injured", day(n), 4) for n in range(0, 7)]  # fell by 3
    values += [MetricRow("distress", "involved", day(n), 2) for n in range(-7, 0)]
    values += [MetricRow("distress", "involved", day(n), 4) for n in range(0, 6)]
    values += [MetricRow("distress", "involved", day(6), 9)]  # rose, and a 9
    logs = [
        LogRow(1, "involved", day(2), "crossed", "told her the same day"),
        LogRow(1, "injured", day(2), "crossed"),
        LogRow(1, "injured", day(4), "crossed"),
        LogRow(1, "involved", day(4), "kept"),
    ]
    proposed = BoundaryFacts(9, "Share travel plans", "weekly", "proposed", created_on=day(0))
    data = _data(
        boundaries=(DAILY, proposed),
        logs=tuple(logs),
        metrics=(trust, distress),
        values=tuple(values),
        expected_checkins={
            "injured": frozenset(day(n) for n in range(7)),
            "involved": frozenset(day(n) for n in range(14)),
        },
        today=day(9),
    )
    found = analyse(data, Period(day(0), day(7))).flags
    kinds = [f.kind for f in found]
    assert kinds[:2].count("crossing") == 1 and "high_distress" in kinds[:2]
    assert [f.severity for f in found] == sorted(
        (f.severity for f in found), key=flag_module.SEVERITY.index
    )
    assert "disagreement" in kinds and "metric_worsening" in kinds
    assert "proposal_waiting" in kinds  # 9 days > 7
    worsening = [f for f in found if f.kind == "metric_worsening"]
    assert {f.title for f in worsening} == {
        "Trust fell for the injured partner",
        "Distress rose for the involved partner",
    }
    distress_flag = next(f for f in found if f.kind == "high_distress")
    assert distress_flag.evidence == ("Sun 8 Mar: 9 out of 10",)
    crossing = next(f for f in found if f.kind == "crossing")
    assert crossing.evidence == (
        "Wed 4 Mar: reported by the injured partner",
        "Wed 4 Mar: reported by the involved partner (told her the same day)",
        "Fri 6 Mar: reported by the injured partner",
    )
    assert "low_completion" not in kinds  # everyone answered every expected day


def test_low_completion_is_flagged_with_its_numbers() -> None:
    values = tuple(MetricRow("trust", "involved", day(n), 5) for n in (0, 2, 4))
    data = _data(
        metrics=(MetricInfo("trust", "Trust"),),
        values=values,
        expected_checkins={"involved": frozenset(day(n) for n in range(7))},
    )
    found = analyse(data, Period(day(0), day(7))).flags
    (flag,) = [f for f in found if f.kind == "low_completion"]
    assert flag.title == "Few check-ins from the involved partner"
    assert flag.evidence == ("3 of 7 expected check-ins (43%)",)


def test_an_improving_distress_is_not_flagged() -> None:
    distress = MetricInfo("distress", "Distress", True)
    values = [MetricRow("distress", "injured", day(n), 7) for n in range(-7, 0)]
    values += [MetricRow("distress", "injured", day(n), 4) for n in range(0, 7)]
    found = analyse(_data(metrics=(distress,), values=tuple(values)), Period(day(0), day(7))).flags
    assert "metric_worsening" not in [f.kind for f in found]


def test_other_features_add_flag_rules_without_changing_callers() -> None:
    @flag_rule
    def always(analysis):
        yield Flag("safety_check", "safety", "A safety answer needs attention", ("private",))

    try:
        found = analyse(_data(), Period(day(0), day(7))).flags
        assert found[0].kind == "safety_check"  # safety always first
    finally:
        flag_module.FLAG_RULES.remove(always)
    assert analyse(_data(), Period(day(0), day(7))).flags == []


def test_an_empty_period_and_a_period_across_a_dst_change() -> None:
    empty = analyse(_data(boundaries=(DAILY,)), Period(day(5), day(5)))
    assert empty.adherence[0].partners["injured"].expected == 0
    # Europe's clocks went back on 25 Oct 2026: days are calendar days, so 7 days are 7.
    dst = BoundaryFacts(
        1, "x", "daily", "active", created_on=date(2026, 10, 1), active_from=date(2026, 10, 1)
    )
    result = boundary_adherence(
        dst, [], Period(date(2026, 10, 22), date(2026, 10, 29)), today=date(2026, 11, 1)
    )
    assert result.partners["injured"].expected == 7


def test_a_stage_change_inside_the_period_does_not_split_the_numbers() -> None:
    values = tuple(MetricRow("trust", "injured", day(n), 5) for n in range(7))
    data = _data(
        metrics=(MetricInfo("trust", "Trust"),), values=values, stage_changes=((day(3), 4),)
    )
    trend = analyse(data, Period(day(0), day(7))).trends[0]
    assert trend.partners["injured"].mean == 5 and len(trend.partners["injured"].daily) == 7


statuses = st.sampled_from(["kept", "crossed", "na"])
log_lists = st.lists(
    st.tuples(st.sampled_from(["injured", "involved"]), st.integers(0, 27), statuses),
    max_size=60,
    unique_by=lambda t: (t[0], t[1]),
)


def _rows(raw) -> list[LogRow]:
    return [LogRow(1, role, day(n), status) for role, n, status in raw]


@settings(max_examples=150, deadline=None)
@given(log_lists)
def test_rates_stay_between_zero_and_one(raw) -> None:
    result = boundary_adherence(DAILY, _rows(raw), Period(day(0), day(28)), today=day(40))
    for partner in result.partners.values():
        assert partner.rate is None or 0 <= partner.rate <= 1
        assert partner.kept + partner.crossed + partner.not_applicable + partner.unreported == 28


@settings(max_examples=100, deadline=None)
@given(log_lists, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(raw, rnd: random.Random) -> None:
    rows = _rows(raw)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    period = Period(day(0), day(28))
    assert boundary_adherence(DAILY, rows, period, day(40)) == boundary_adherence(
        DAILY, shuffled, period, day(40)
    )


@settings(max_examples=100, deadline=None)
@given(log_lists, st.integers(0, 28))
def test_splitting_a_period_and_combining_gives_the_same_counts(raw, cut: int) -> None:
    rows = _rows(raw)
    whole = boundary_adherence(DAILY, rows, Period(day(0), day(28)), day(40))
    first = boundary_adherence(DAILY, rows, Period(day(0), day(cut)), day(40))
    second = boundary_adherence(DAILY, rows, Period(day(cut), day(28)), day(40))
    for role in ("injured", "involved"):
        w, a, b = whole.partners[role], first.partners[role], second.partners[role]
        assert (w.kept, w.crossed, w.not_applicable, w.unreported) == (
            a.kept + b.kept,
            a.crossed + b.crossed,
            a.not_applicable + b.not_applicable,
            a.unreported + b.unreported,
        )
    assert whole.agreement.differ == first.agreement.differ + second.agreement.differ


def test_days_since_the_last_crossing_can_reach_before_the_logs() -> None:
    earlier = {(1, "injured"): day(-30)}
    logs = [LogRow(1, "injured", day(n), "kept") for n in range(10)]
    result = boundary_adherence(DAILY, logs, Period(day(0), day(10)), day(20), earlier)
    assert result.partners["injured"].last_crossing == day(-30)
    assert result.partners["injured"].days_since_last_crossing == 39
    assert result.partners["involved"].last_crossing is None
