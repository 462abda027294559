"""Benchmark: a partner's Today page and a worksheet with 1 month and 1 year of daily check-ins.

Occurrences are derived from the rule, so the pages' cost should not grow with history. Prints
requests per second (WSGI test client, no network), each page's throughput as a ratio of a
bare route on the same app in the same run, and SQL statements per page.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from _common import bench_app, rate, signed_in, statements

from practice.db import db
from tests.factories import (
    make_assignment,
    make_couple,
    make_response,
    make_template,
    make_user,
)

ROUNDS = 5
REQUESTS = 150


def build(days: int, folder: Path):
    app = bench_app(folder, f"today-{days}")
    with app.app_context():
        clinician = make_user(db.session, "bench@clinic.test", "clinician")
        couple = make_couple(db.session, clinician, "Bench", "i@c.test", "v@c.test", 3)
        template = make_template(db.session, clinician)
        for extra in range(3):  # a few exercises, as a real couple would have
            assignment = make_assignment(db.session, couple, template, days_ago=days - extra)
            for day in range(1, days - extra):
                for slot in ("injured", "involved"):
                    make_response(db.session, assignment, slot, days_ago=day)
        db.session.commit()
        worksheet = f"/tasks/{assignment.id}/{date.today().isoformat()}"
    return app, signed_in(app, "i@c.test"), worksheet


def main() -> None:
    print(f"today benchmark: median of {ROUNDS} rounds x {REQUESTS} requests, SQLite")
    print(f"{'history':>8} {'page':>10} {'req/s':>7} {'bare req/s':>11} {'ratio':>6} {'SQL':>4}")
    with tempfile.TemporaryDirectory() as tmp:
        for days in (30, 365):
            app, client, worksheet = build(days, Path(tmp))
            bare = rate(client, "/__bare", ROUNDS, REQUESTS)
            for name, path in (
                ("today", "/today"),
                ("worksheet", worksheet),
                ("answers", "/answers"),
            ):
                page = rate(client, path, ROUNDS, REQUESTS)
                sql = statements(app, client, path)
                print(
                    f"{days:>7}d {name:>10} {page:>7.0f} {bare:>11.0f} {page / bare:>6.2f} {sql:>4}"
                )
            db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
