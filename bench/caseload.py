"""Benchmark: the clinician's caseload page against a bare route, with 5 and 200 couples.

Prints requests per second through the WSGI test client (no network), the page's throughput as a
ratio of a bare route on the same app in the same run, and the SQL statements per page, which
must not grow with the number of couples.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import bench_app, rate, signed_in, statements

from practice.db import db
from tests.factories import make_appointment, make_couple, make_user

ROUNDS = 5
REQUESTS = 200


def build(couples: int, folder: Path):
    app = bench_app(folder, f"bench-{couples}")
    with app.app_context():
        clinician = make_user(db.session, "bench@clinic.test", "clinician")
        for i in range(couples):
            couple = make_couple(
                db.session, clinician, f"Couple {i:04d}", f"i{i}@c.test", f"v{i}@c.test", 1 + i % 7
            )
            for days in (-21, -14, -7, 3, 10):
                make_appointment(db.session, couple, days + i % 3 / 10)
        db.session.commit()
    return app, signed_in(app, "bench@clinic.test")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"caseload benchmark: median of {ROUNDS} rounds x {REQUESTS} requests, SQLite")
        print(
            f"{'couples':>8} {'bare req/s':>11} {'caseload req/s':>15} {'ratio':>6} {'SQL/page':>9}"
        )
        for couples in (5, 200):
            app, client = build(couples, Path(tmp))
            bare = rate(client, "/__bare", ROUNDS, REQUESTS)
            page = rate(client, "/couples/", ROUNDS, REQUESTS)
            sql = statements(app, client, "/couples/")
            print(f"{couples:>8} {bare:>11.0f} {page:>15.0f} {page / bare:>6.2f} {sql:>9}")
            db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
