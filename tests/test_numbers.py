"""Numbers a clinician reads mean what they say: day counts, signed changes, dates of answers,
the caseload's order (issue 16). Plain functions with hand-computed values; pages through the
HTTP client; the report read back from the PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from pypdf import PdfReader

from practice.analytics.data import Period
from practice.db import db
from practice.models import BoundaryLog, Couple, Response, utcnow
from practice.numfmt import points, signed
from practice.reporting.pipeline import report_html
from practice.reporting.printing import print_pdf
from practice.timefmt import calendar_days_between, format_since
from tests.factories import World, make_assignment, make_boundary, make_template

SYDNEY = ZoneInfo("Australia/Sydney")
TODAY = date.today()
TRUST = [
    {"key": "trust", "label": "Trust today", "kind": "scale", "min": 0, "max": 10, "tracked": True}
]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# 1. Day counts are calendar days in the practice's zone.


def test_calendar_days_count_the_days_on_a_calendar_not_whole_24_hours() -> None:
    entered = datetime(2026, 3, 12, 9, 0, tzinfo=SYDNEY)
    printed = datetime(2026, 3, 25, 8, 5, tzinfo=SYDNEY)
    assert (printed - entered).days == 12  # what used to be printed
    assert calendar_days_between(entered.astimezone(UTC), printed.astimezone(UTC), SYDNEY) == 13
    # 23:30 and 00:10 the next night, in the zone: one calendar day, though 40 minutes apart.
    late = datetime(2026, 3, 12, 23, 30, tzinfo=SYDNEY)
    assert calendar_days_between(late, late + timedelta(minutes=40), SYDNEY) == 1
    assert format_since(late, late + timedelta(minutes=40), SYDNEY) == "yesterday"
    assert format_since(entered, printed, SYDNEY) == "13 days ago"
    assert format_since(entered, entered + timedelta(hours=14), SYDNEY) == "today"


def _stage_entered(app: Flask, couple_id: int, moment: datetime) -> None:
    with app.app_context():
        couple = db.session.get(Couple, couple_id)
        for change in couple.stage_changes:
            change.changed_at = moment
        db.session.commit()


def test_the_report_counts_calendar_days_in_the_stage(app: Flask, world: World) -> None:
    _stage_entered(app, world.couple_a, datetime(2026, 3, 12, 9, 0, tzinfo=SYDNEY))
    now = datetime(2026, 3, 25, 8, 5, tzinfo=SYDNEY).astimezone(UTC)
    period = Period(date(2026, 3, 12), date(2026, 3, 26))
    with app.app_context():
        html = report_html(db.session, world.couple_a, period, "clinician", now, SYDNEY)
    text = " ".join(_text(print_pdf(html)).split())
    assert "since Thu 12 Mar 2026 (13 days)" in text
    assert "(14 days)" in text  # the period, 12 to 25 Mar


def test_the_couple_page_counts_calendar_days_in_the_stage(
    app: Flask, world: World, as_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["TIMEZONE"] = "Australia/Sydney"
    _stage_entered(app, world.couple_a, datetime(2026, 3, 12, 9, 0, tzinfo=SYDNEY))
    now = datetime(2026, 3, 25, 8, 5, tzinfo=SYDNEY).astimezone(UTC)
    monkeypatch.setattr("practice.templating.utcnow", lambda: now)
    page = as_user("a@clinic.test").get(f"/couples/{world.couple_a}").get_data(as_text=True)
    # 09:00 in Sydney on 12 Mar is 22:00 on 11 Mar in UTC: the day is the practice's.
    assert "In this stage since 12 Mar 2026 (13 days ago)." in page


# 2. A change that rounds to zero has no sign.


def test_signed_changes_that_round_to_zero_carry_no_sign() -> None:
    assert signed(-0.04) == "0.0"
    assert signed(0.04) == "0.0"
    assert signed(-0.0) == "0.0"
    assert signed(-0.06) == "-0.1"
    assert signed(0.26) == "+0.3"
    assert signed(0, 0) == "0"
    assert signed(3, 0) == "+3"
    assert signed(-2, 0) == "-2"
    assert signed(None) == "–"
    assert points(1.0 - 1.0) == "±0 pts"
    assert points(0.004) == "±0 pts"
    assert points(-0.004) == "±0 pts"
    assert points(0.75 - 0.625) == "+12 pts"  # 12.5 rounds to even
    assert points(0.5 - 1.0) == "-50 pts"
    assert points(None) == "–"


def _tiny_changes(app: Flask, world: World, last: date) -> Period:
    """Check-ins whose means move by under 0.05 (injured -0.045, involved +0.045) and a boundary
    kept every day by both in both periods; returns the 11-day period ending on last."""
    period = Period(last - timedelta(days=10), last + timedelta(days=1))
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, fields=TRUST)
        assignment = make_assignment(db.session, couple, template, days_ago=40)
        boundary = make_boundary(db.session, couple, "No texting him.", days_ago=40)
        before = {d: 5 + i % 2 for i, d in enumerate(period.previous().each_day()) if i < 2}
        injured = {d: 6 if i < 5 else 5 for i, d in enumerate(period.each_day())}  # 60 / 11
        involved = {d: 6 if i < 6 else 5 for i, d in enumerate(period.each_day())}  # 61 / 11
        for role, values in (("injured", injured), ("involved", involved)):
            partner = couple.partner(role)
            for day, value in {**before, **values}.items():
                db.session.add(
                    Response(
                        assignment_id=assignment.id,
                        occurrence_on=day,
                        slot=role,
                        partner_id=partner.id,
                        version_id=template.latest.id,
                        answers={"trust": value},
                        status="submitted",
                        revision=1,
                        visibility="shared",
                        submitted_at=utcnow(),
                    )
                )
            for day in Period(period.previous().start, period.end).each_day():
                db.session.add(
                    BoundaryLog(
                        boundary_id=boundary.id,
                        partner_id=partner.id,
                        period_start=day,
                        status="kept",
                    )
                )
        db.session.commit()
    return period


def test_the_dashboard_prints_a_change_that_rounds_to_zero_without_a_sign(
    app: Flask, world: World, as_user
) -> None:
    period = _tiny_changes(app, world, TODAY)
    first, last = period.start.isoformat(), (period.end - timedelta(days=1)).isoformat()
    page = (
        as_user("a@clinic.test")
        .get(f"/couples/{world.couple_a}/insights?period=custom&start={first}&end={last}")
        .get_data(as_text=True)
    )
    assert page.count("5.5 (0.0)") == 2  # 5.45 against 5.5, and 5.55 against 5.5
    assert "-0.0" not in page and "+0.0" not in page


def test_the_report_prints_a_change_that_rounds_to_zero_without_a_sign(
    app: Flask, world: World
) -> None:
    period = _tiny_changes(app, world, TODAY)
    with app.app_context():
        html = report_html(db.session, world.couple_a, period, "clinician", utcnow(), UTC)
    text = _text(print_pdf(html))
    assert text.count("5.5 (0.0)") == 2
    assert "-0.0" not in text and "+0.0" not in text
    assert "±0 pts" in text  # 100 % kept in both periods
    assert "+0 pts" not in text


# 5. The caseload says the order it is in.

CASELOAD_ORDER_WORDS = (
    "Safety concerns first, then couples with a boundary crossing this week, then couples with "
    "a session note due, then active, paused and closed couples, each by soonest appointment, "
    "then by label"
)


def test_the_caseload_sorts_in_the_order_it_describes() -> None:
    from practice.couples.services import CaseloadRow, caseload_order_text, sort_caseload

    soon = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
    later = soon + timedelta(days=7)

    def row(label, status="active", appointment=soon, crossings=0, concern=False, notes=0):
        return CaseloadRow(0, label, 1, status, appointment, None, crossings, concern, notes)

    # Each row would come earlier by every step after the one that places it.
    expected = [
        row("Z concern", "closed", None, concern=True),
        row("Y crossing", "paused", None, crossings=2),
        row("W note due", "closed", None, notes=1),
        row("X active soon", "active", soon),
        row("B active later", "active", later),
        row("c active later too", "active", later),
        row("A active, nothing booked", "active", None),
        row("A paused", "paused", soon),
        row("A closed", "closed", soon),
    ]
    assert caseload_order_text() == CASELOAD_ORDER_WORDS
    assert sort_caseload(reversed(expected)) == expected
    assert sort_caseload(sorted(expected, key=lambda r: r.label)) == expected


def test_the_caseload_page_says_its_order_and_lists_in_it(
    app: Flask, world: World, as_user
) -> None:
    from practice.models import SafetyCheck, User
    from tests.factories import make_appointment, make_couple, make_response

    with app.app_context():
        clinician = db.session.get(User, world.clinician_a)

        def couple(label: str, status: str, n: int) -> Couple:
            made = make_couple(db.session, clinician, label, f"x{n}@client.test", f"y{n}@c.test")
            made.status = status
            return made

        concern = couple("Concern closed", "closed", 1)
        template = make_template(db.session, clinician, title="Check")
        assignment = make_assignment(db.session, concern, template)
        answer = make_response(db.session, assignment, "injured")
        db.session.add(
            SafetyCheck(
                response_id=answer.id,
                couple_id=concern.id,
                partner_id=concern.partner("injured").id,
                role="injured",
                checked_on=TODAY,
                worrying=True,
            )
        )
        crossing = couple("Crossing paused", "paused", 2)
        db.session.add(
            BoundaryLog(
                boundary_id=make_boundary(db.session, crossing).id,
                partner_id=crossing.partner("involved").id,
                period_start=TODAY,
                status="crossed",
            )
        )
        make_appointment(db.session, couple("Active later", "active", 3), 10)
        make_appointment(db.session, couple("Paused soon", "paused", 4), 1)
        db.session.commit()  # Couple A: active, its appointment in 3 days
    page = as_user("a@clinic.test").get("/couples/").get_data(as_text=True)
    assert f"Your couples. {CASELOAD_ORDER_WORDS}." in page
    order = ["Concern closed", "Crossing paused", "Couple A", "Active later", "Paused soon"]
    assert sorted(order, key=page.index) == order


# 3. "Days ago" is counted from today; a period that is over counts to its own end.


def test_days_since_the_last_crossing_say_what_they_count_from() -> None:
    from practice.analytics.adherence import boundary_adherence
    from practice.analytics.data import BoundaryFacts, LogRow

    first = date(2026, 2, 1)
    boundary = BoundaryFacts(1, "No contact.", "daily", "active", first, active_from=first)
    logs = [LogRow(1, "injured", date(2026, 2, 10), "crossed")]
    today = date(2026, 3, 20)
    past = boundary_adherence(boundary, logs, Period(first, date(2026, 3, 16)), today)
    # The period's last day is 15 Mar: 33 days after 10 Feb, and 38 before today.
    assert past.partners["injured"].last_crossing_age == "33 days before the period's end"
    current = boundary_adherence(boundary, logs, Period(first, date(2026, 3, 21)), today)
    assert current.partners["injured"].last_crossing_age == "38 days ago"
    soon = [LogRow(1, "injured", date(2026, 3, 19), "crossed")]
    assert (
        boundary_adherence(boundary, soon, Period(first, date(2026, 3, 21)), today)
        .partners["injured"]
        .last_crossing_age
        == "yesterday"
    )
    assert (
        boundary_adherence(boundary, soon, Period(first, date(2026, 3, 20)), today)
        .partners["injured"]
        .last_crossing_age
        == "on the period's last day"
    )
    assert current.partners["involved"].last_crossing_age is None


def test_the_dashboard_says_ago_only_when_counting_from_today(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        db.session.add(
            BoundaryLog(
                boundary_id=world.boundary_a,
                partner_id=couple.partner("injured").id,
                period_start=TODAY - timedelta(days=5),
                status="crossed",
            )
        )
        db.session.commit()
    clinician = as_user("a@clinic.test")
    url = f"/couples/{world.couple_a}/insights"
    current = clinician.get(f"{url}?period=14").get_data(as_text=True)
    assert "(5 days ago)" in current
    first, last = TODAY - timedelta(days=9), TODAY - timedelta(days=3)
    past = clinician.get(
        f"{url}?period=custom&start={first.isoformat()}&end={last.isoformat()}"
    ).get_data(as_text=True)
    assert "(2 days before the period&#39;s end)" in past
    assert "days ago" not in past


# 4. An answer is dated by the day it was sent, not a one-off's due day.


def test_a_one_off_answer_is_dated_by_the_day_it_was_sent(
    app: Flask, world: World, as_user
) -> None:
    from practice.reporting.compose import _day
    from practice.timefmt import format_datetime

    due, sent = TODAY - timedelta(days=2), TODAY - timedelta(days=3)
    sent_at = datetime.combine(sent, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        template = make_template(db.session, None, title="One-off letter")
        assignment = make_assignment(
            db.session, couple, template, days_ago=6, schedule="once", due_on=due
        )
        db.session.add(
            Response(
                assignment_id=assignment.id,
                occurrence_on=due,
                slot="injured",
                partner_id=couple.partner("injured").id,
                version_id=template.latest.id,
                answers={"answer_1": "sent early"},
                status="submitted",
                revision=1,
                visibility="shared",
                submitted_at=sent_at,
            )
        )
        db.session.commit()
        html = report_html(
            db.session,
            world.couple_a,
            Period(TODAY - timedelta(days=13), TODAY + timedelta(days=1)),
            "clinician",
            utcnow(),
            UTC,
        )
    text = _text(print_pdf(html))
    assert _day(sent) in text and _day(due) not in text
    sent_text = format_datetime(sent_at, UTC)
    due_text = f"for {due:%a} {due.day} {due:%b}"
    timeline = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/responses")
    for page in (timeline, as_user("ia@client.test").get("/answers")):
        body = page.get_data(as_text=True)
        assert "One-off letter" in body and sent_text in body and due_text not in body
