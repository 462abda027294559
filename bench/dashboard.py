"""Benchmark: the clinician's couple dashboard (analytics + charts) with 1 month, 6 months and
1 year of daily check-ins and boundary logs from both partners.

Prints requests per second of the dashboard for the last 3 months, a bare route on the same
app in the same run, their ratio, the time of loading and `analyse`, and SQL statements per
page. The page reads the 3 months it shows and the 3 months before them (its trends compare
the two): a month of history fills a sixth of that, 6 months fill it, and a year adds six
months before it, which the page must not pay for (compare the 180d and 365d rows).
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import bench_app, rate, signed_in, statements

from practice.analytics.data import Period
from practice.analytics.loading import load_couple_data
from practice.analytics.summary import analyse
from practice.db import db
from practice.exercises.visibility import CLINICIAN
from practice.models import BoundaryLog, Response, utcnow
from tests.factories import (
    make_assignment,
    make_boundary,
    make_couple,
    make_template,
    make_user,
)

ROUNDS = 5
REQUESTS = 40
FIELDS = [
    {"key": k, "label": k.title(), "kind": "scale", "min": 0, "max": 10, "tracked": True}
    for k in ("trust", "emotional_safety", "connection", "distress")
]


def build(days: int, folder: Path):
    app = bench_app(folder, f"dash-{days}")
    with app.app_context():
        clinician = make_user(db.session, "bench@clinic.test", "clinician")
        couple = make_couple(db.session, clinician, "Bench", "i@c.test", "v@c.test", 4)
        template = make_template(db.session, None, fields=FIELDS)
        assignment = make_assignment(db.session, couple, template, days_ago=days)
        boundaries = [
            make_boundary(db.session, couple, f"Boundary {i}", days_ago=days + 1) for i in range(3)
        ]
        today = utcnow().date()
        for n in range(1, days + 1):
            day = today - timedelta(days=n)
            for partner in couple.partners:
                answers = {f["key"]: (n * 7 + len(f["key"])) % 11 for f in FIELDS}
                db.session.add(
                    Response(
                        assignment_id=assignment.id,
                        occurrence_on=day,
                        slot=partner.role,
                        partner_id=partner.id,
                        version_id=template.latest.id,
                        answers=answers,
                        status="submitted",
                        revision=1,
                        visibility="shared",
                        submitted_at=utcnow(),
                    )
                )
                for boundary in boundaries:
                    db.session.add(
                        BoundaryLog(
                            boundary_id=boundary.id,
                            partner_id=partner.id,
                            period_start=day,
                            status="crossed" if n % 17 == 0 else "kept",
                        )
                    )
        db.session.commit()
        couple_id = couple.id
    return app, signed_in(app, "bench@clinic.test"), couple_id


def main() -> None:
    print(
        f"dashboard benchmark: median of {ROUNDS} rounds, SQLite, 4 tracked metrics, "
        "3 daily boundaries, both partners, period = last 90 days"
    )
    print(
        f"{'history':>8} {'dash req/s':>11} {'bare req/s':>11} {'ratio':>6} "
        f"{'load+analyse ms':>16} {'SQL':>4}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        # What the page reads is the 90 days shown and the 90 before them (the trends compare
        # the two): 30 days of history fill a sixth of that, 180 fill it, and 365 add six
        # months before it, which should cost nothing.
        for days in (30, 180, 365):
            app, client, couple_id = build(days, Path(tmp))
            path = f"/couples/{couple_id}/insights?period=90"
            bare = rate(client, "/__bare", ROUNDS, 400)
            dash = rate(client, path, ROUNDS, REQUESTS)
            with app.app_context():
                today = utcnow().date()
                period = Period(today - timedelta(days=89), today + timedelta(days=1))
                start = time.perf_counter()
                for _ in range(20):
                    analyse(
                        load_couple_data(
                            db.session, couple_id, period, today, ZoneInfo("UTC"), CLINICIAN
                        ),
                        period,
                    )
                per_call = (time.perf_counter() - start) / 20 * 1000
            sql = statements(app, client, path)
            print(
                f"{days:>7}d {dash:>11.0f} {bare:>11.0f} {dash / bare:>6.3f} "
                f"{per_call:>16.1f} {sql:>4}"
            )
            db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
