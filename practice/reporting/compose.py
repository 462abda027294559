"""Turn gathered numbers and drawn charts into the report's plain, formatted data.

The couple's copy leaves out private answers, safety checks, questionnaire scores, every
clinician-only flag and note, and the notes partners wrote on boundary logs."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from flask_babel import gettext as _
from flask_babel import ngettext

from practice.i18n import lazy_gettext as _l
from practice.measures.instruments import band_label
from practice.measures.summary import category_words, measure_series
from practice.numfmt import day_count, decimal, percent, points, signed
from practice.reporting.data import (
    AdherenceLine,
    AssignmentLine,
    ChartItem,
    CrossingItem,
    FlagItem,
    Header,
    MeasureLine,
    MetricLine,
    ReportData,
    ResponseItem,
)
from practice.reporting.draw import WEEKLY_AFTER_DAYS
from practice.reporting.gather import MAX_RESPONSES, Gathered
from practice.stages import stage_label
from practice.timefmt import calendar_days_between, format_datetime, format_weekday_date

MAX_CROSSINGS = 25
# Words are made when the report is composed, in the language it is printed in (force_locale).
ROLE = {
    "injured": _l("injured partner"),
    "involved": _l("involved partner"),
    "together": _l("together"),
}
WHO = {
    "each": _l("each partner"),
    "injured": _l("injured partner"),
    "involved": _l("involved partner"),
    "together": _l("both together"),
}
CHECK_PERIODS = {"daily": _l("daily"), "weekly": _l("weekly")}


def _day(day: date) -> str:
    return format_weekday_date(day)


def _moment(moment: datetime, zone: tzinfo) -> str:
    return format_datetime(moment, zone)


def _num(value: float | None) -> str:
    return decimal(value)


def _rate(rate: float | None) -> str:
    return percent(rate, empty=_("no data"))


def _role(role: str) -> str:
    return str(ROLE[role])


def _points(current: float | None, before: float | None) -> str:
    return points(None if current is None or before is None else current - before)


MAX_EVIDENCE = 4


def _capped(evidence: tuple[str, ...]) -> tuple[str, ...]:
    """The latest few lines of evidence, and how many more are in the app."""
    if len(evidence) <= MAX_EVIDENCE:
        return evidence
    more = len(evidence) - MAX_EVIDENCE
    return (
        *evidence[-MAX_EVIDENCE:],
        ngettext(
            "and %(num)d earlier, listed in Mend", "and %(num)d earlier, listed in Mend", more
        ),
    )


def compose(
    gathered: Gathered,
    charts: tuple[ChartItem, ...],
    measure_charts: tuple[ChartItem, ...],
    zone: tzinfo,
) -> ReportData:
    """The report's data for its audience."""
    clinician = gathered.audience == "clinician"
    analysis, period = gathered.analysis, gathered.period
    last_day = period.end - timedelta(days=1)
    header = Header(
        couple_label=gathered.couple_label,
        clinician=gathered.clinician,
        period_text=_(
            "%(start)s to %(end)s (%(days)s)",
            start=_day(period.start),
            end=_day(last_day),
            days=day_count(period.days),
        ),
        next_appointment=(
            _moment(gathered.next_appointment, zone)
            if gathered.next_appointment
            else _("none booked")
        ),
        stage=stage_label(gathered.stage),
        stage_since=_(
            "since %(day)s (%(days)s)",
            day=_day(gathered.stage_since.astimezone(zone).date()),
            days=day_count(calendar_days_between(gathered.stage_since, gathered.generated, zone)),
        ),
        generated=_moment(gathered.generated, zone),
        audience=gathered.audience,
    )
    if clinician:
        flags = tuple(FlagItem(f.severity, f.title, _capped(f.evidence)) for f in analysis.flags)
    else:
        # The couple's copy: words chosen for the couple, no severity, and where the partners'
        # reports differ only when the clinician chose to include it.
        flags = tuple(
            FlagItem("", f.couple_words, ())
            for f in analysis.flags
            if f.couple_words
            and not f.clinician_only
            and (f.kind != "disagreement" or gathered.include_differences)
        )

    def mean_change(trend, role: str) -> str:
        partner = trend.partners[role]
        return f"{_num(partner.mean)} ({signed(partner.change)})"

    metric_lines = tuple(
        MetricLine(
            trend.metric.label,
            mean_change(trend, "injured"),
            mean_change(trend, "involved"),
            _num(trend.gap),
        )
        for trend in analysis.trends
    )
    completion = "; ".join(
        _(
            "%(who)s: %(done)d of %(expected)d (%(rate)s)",
            who=_role(role),
            done=done,
            expected=expected,
            rate=_rate(rate),
        )
        for role, (done, expected, rate) in analysis.completion.items()
        if expected
    )
    before = {a.boundary.id: a for a in gathered.previous.adherence}
    adherence, crossings = [], []
    for item in analysis.adherence:
        prior = before.get(item.boundary.id)
        cells = {}
        for role in ("injured", "involved"):
            p = item.partners[role]
            cells[role] = _(
                "%(rate)s · kept %(kept)d, crossed %(crossed)d, unreported %(unreported)d",
                rate=_rate(p.rate),
                kept=p.kept,
                crossed=p.crossed,
                unreported=p.unreported,
            )
            old = prior.partners[role].rate if prior else None
            cells[role + "_change"] = _points(p.rate, old)
            for crossing in p.crossings:
                crossings.append(
                    CrossingItem(
                        _day(crossing.day),
                        item.boundary.text,
                        _role(role),
                        (crossing.note or "") if clinician else "",
                    )
                )
        lasts = [p.last_crossing for p in item.partners.values() if p.last_crossing]
        adherence.append(
            AdherenceLine(
                item.boundary.text,
                str(CHECK_PERIODS.get(item.boundary.check_period, item.boundary.check_period)),
                cells["injured"],
                cells["involved"],
                cells["injured_change"],
                cells["involved_change"],
                _day(max(lasts)) if lasts else _("none"),
                str(item.agreement.differ) if item.agreement.differ else "",
            )
        )
    measures = ()
    if clinician:
        measures = tuple(
            MeasureLine(
                s.instrument.short_name,
                _role(s.role),
                _("%(score)d (%(day)s)", score=s.latest.total, day=_day(s.latest.day)),
                band_label(s.latest.band),
                _("%(change)s since %(day)s", change=signed(s.change, 0), day=_day(s.first.day)),
                category_words(s.category),
                "; ".join(
                    filter(
                        None,
                        (
                            s.threshold_source
                            if s.threshold is not None and s.threshold.practice_set
                            else "",
                            s.instrument.score_note,
                        ),
                    )
                ),
            )
            for s in measure_series(analysis.data)
        )
    # gather() has already left out what this audience may not read; questionnaires and
    # safety checks are never in the couple's copy, whoever may read them.
    visible = [r for r in gathered.responses if clinician or not r.private_kind]
    responses = tuple(
        ResponseItem(
            _day(r.day),
            r.title,
            _role(r.slot),
            r.excerpt,
            _("Full text in Mend: answer no. %(number)d", number=r.id),
            r.visibility == "clinician" or r.private_kind,
            r.question,
        )
        for r in visible[:MAX_RESPONSES]
    )
    assignments = tuple(
        AssignmentLine(
            a.title,
            str(WHO[a.answered_by]),
            a.counts["done"],
            a.counts["late"],
            a.counts["missed"],
            a.counts["open"],
        )
        for a in gathered.assignments
    )
    has_checkins = any(p.daily for t in analysis.trends for p in t.partners.values())
    has_logs = any(
        p.kept + p.crossed + p.not_applicable
        for item in analysis.adherence
        for p in item.partners.values()
    )
    expected_logs = any(p.expected for item in analysis.adherence for p in item.partners.values())
    if not has_checkins:
        metric_lines, charts = (), ()
    if not expected_logs:
        adherence = []
    empty = not (has_checkins or has_logs or responses or measures or flags)
    return ReportData(
        header=header,
        flags=flags,
        metric_lines=metric_lines,
        completion=completion,
        charts=charts,
        adherence=tuple(adherence),
        crossings=tuple(sorted(crossings, key=lambda c: c.sort_key, reverse=True)[:MAX_CROSSINGS]),
        more_crossings=max(0, len(crossings) - MAX_CROSSINGS),
        measures=measures,
        measure_charts=measure_charts if clinician else (),
        assignments=assignments,
        responses=responses,
        more_responses=max(0, len(visible) - MAX_RESPONSES),
        agenda_note=gathered.agenda_note if clinician else "",
        agenda_messages=gathered.agenda_messages,
        last_plan=gathered.last_plan if clinician else None,
        empty=empty,
        weekly_charts=period.days > WEEKLY_AFTER_DAYS,
    )
