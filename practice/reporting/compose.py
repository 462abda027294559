"""Turn gathered numbers and drawn charts into the report's plain, formatted data.

The couple's copy leaves out private answers, safety checks, questionnaire scores, every
clinician-only flag and note, and the notes partners wrote on boundary logs."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from practice.measures.summary import measure_series
from practice.numfmt import day_count, points, signed
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
from practice.stages import STAGES
from practice.timefmt import calendar_days_between

MAX_CROSSINGS = 25
ROLE = {"injured": "injured partner", "involved": "involved partner", "together": "together"}
WHO = {
    "each": "each partner",
    "injured": "injured partner",
    "involved": "involved partner",
    "together": "both together",
}


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _moment(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _rate(rate: float | None) -> str:
    return "no data" if rate is None else f"{rate:.0%}"


def _points(current: float | None, before: float | None) -> str:
    return points(None if current is None or before is None else current - before)


MAX_EVIDENCE = 4


def _capped(evidence: tuple[str, ...]) -> tuple[str, ...]:
    """The latest few lines of evidence, and how many more are in the app."""
    if len(evidence) <= MAX_EVIDENCE:
        return evidence
    more = len(evidence) - MAX_EVIDENCE
    return (*evidence[-MAX_EVIDENCE:], f"and {more} earlier, listed in Mend")


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
        period_text=f"{_day(period.start)} to {_day(last_day)} ({day_count(period.days)})",
        next_appointment=(
            _moment(gathered.next_appointment, zone) if gathered.next_appointment else "none booked"
        ),
        stage=f"{gathered.stage}. {STAGES[gathered.stage].name}",
        stage_since=f"since {_day(gathered.stage_since.astimezone(zone).date())} "
        f"({day_count(calendar_days_between(gathered.stage_since, gathered.generated, zone))})",
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
        f"{ROLE[role]}: {done} of {expected} ({_rate(rate)})"
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
            cells[role] = (
                f"{_rate(p.rate)} · kept {p.kept}, crossed {p.crossed}, unreported {p.unreported}"
            )
            old = prior.partners[role].rate if prior else None
            cells[role + "_change"] = _points(p.rate, old)
            for crossing in p.crossings:
                crossings.append(
                    CrossingItem(
                        _day(crossing.day),
                        item.boundary.text,
                        ROLE[role],
                        (crossing.note or "") if clinician else "",
                    )
                )
        lasts = [p.last_crossing for p in item.partners.values() if p.last_crossing]
        adherence.append(
            AdherenceLine(
                item.boundary.text,
                item.boundary.check_period,
                cells["injured"],
                cells["involved"],
                cells["injured_change"],
                cells["involved_change"],
                _day(max(lasts)) if lasts else "none",
                str(item.agreement.differ) if item.agreement.differ else "",
            )
        )
    measures = ()
    if clinician:
        measures = tuple(
            MeasureLine(
                s.instrument.short_name,
                ROLE[s.role],
                f"{s.latest.total} ({_day(s.latest.day)})",
                s.latest.band,
                f"{signed(s.change, 0)} since {_day(s.first.day)}",
                s.category if s.category is not None else "no threshold on file",
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
            ROLE[r.slot],
            r.excerpt,
            f"Full text in Mend: answer no. {r.id}",
            r.visibility == "clinician" or r.private_kind,
            r.question,
        )
        for r in visible[:MAX_RESPONSES]
    )
    assignments = tuple(
        AssignmentLine(
            a.title,
            WHO[a.answered_by],
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
