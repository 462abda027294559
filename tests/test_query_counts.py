"""The number of SQL statements behind the busiest pages does not grow with history."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import event

from practice.analytics.data import Period
from practice.analytics.loading import load_couple_data
from practice.db import db
from practice.exercises.visibility import CLINICIAN
from practice.models import BoundaryLog, Couple, Response, utcnow
from tests.factories import World, make_assignment, make_boundary, make_template


def _history(app: Flask, couple_id: int, days: int) -> None:
    """Daily check-ins from both partners and daily boundary logs for `days` days."""
    with app.app_context():
        couple = db.session.get(Couple, couple_id)
        template = make_template(
            db.session,
            None,
            fields=[
                {
                    "key": "trust",
                    "label": "Trust",
                    "kind": "scale",
                    "min": 0,
                    "max": 10,
                    "tracked": True,
                }
            ],
        )
        assignment = make_assignment(db.session, couple, template, days_ago=days)
        boundary = make_boundary(db.session, couple, "Daily boundary", days_ago=days + 1)
        today = utcnow().date()
        for n in range(1, days + 1):
            day = today - timedelta(days=n)
            for partner in couple.partners:
                db.session.add(
                    Response(
                        assignment_id=assignment.id,
                        occurrence_on=day,
                        slot=partner.role,
                        partner_id=partner.id,
                        version_id=template.latest.id,
                        answers={"trust": n % 11},
                        status="submitted",
                        revision=1,
                        visibility="shared",
                        submitted_at=utcnow(),
                    )
                )
                db.session.add(
                    BoundaryLog(
                        boundary_id=boundary.id,
                        partner_id=partner.id,
                        period_start=day,
                        status="crossed" if n % 9 == 0 else "kept",
                    )
                )
        db.session.commit()


def _count(app: Flask, call) -> int:
    statements = 0

    def counter(*_args):
        nonlocal statements
        statements += 1

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", counter)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return statements


def test_statement_counts_are_the_same_with_a_week_and_a_year(
    app: Flask, world: World, as_user
) -> None:
    _history(app, world.couple_a, 7)
    _history(app, world.couple_b, 365)
    clinician_a, clinician_b = as_user("a@clinic.test"), as_user("b@clinic.test")
    client_a, client_b = as_user("ia@client.test"), as_user("ib@client.test")
    pages = {}
    for name, a_call, b_call in (
        (
            "dashboard",
            lambda: clinician_a.get(f"/couples/{world.couple_a}/insights?period=90"),
            lambda: clinician_b.get(f"/couples/{world.couple_b}/insights?period=90"),
        ),
        ("caseload", lambda: clinician_a.get("/couples/"), lambda: clinician_b.get("/couples/")),
        ("today", lambda: client_a.get("/today"), lambda: client_b.get("/today")),
        ("boundaries", lambda: client_a.get("/boundaries"), lambda: client_b.get("/boundaries")),
    ):
        pages[name] = (_count(app, a_call), _count(app, b_call))

    def analytics(couple_id: int):
        def call():
            with app.app_context():
                today = utcnow().date()
                from zoneinfo import ZoneInfo

                load_couple_data(
                    db.session,
                    couple_id,
                    Period(today - timedelta(days=90), today + timedelta(days=1)),
                    today,
                    ZoneInfo("UTC"),
                    CLINICIAN,
                )

        return call

    pages["analytics"] = (
        _count(app, analytics(world.couple_a)),
        _count(app, analytics(world.couple_b)),
    )
    for name, (week, year) in pages.items():
        assert week == year, f"{name}: {week} statements with a week, {year} with a year"
        assert week < 25, f"{name}: {week} statements"
