"""Benchmark: the clinician's caseload page against a bare route, with 5 and 200 couples.

Prints requests per second through the WSGI test client (no network), the page's throughput as a
ratio of a bare route on the same app in the same run, and the SQL statements per page, which
must not grow with the number of couples.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from practice import create_app, migrate  # noqa: E402
from practice.db import db  # noqa: E402
from tests.factories import PASSWORD, make_appointment, make_couple, make_user  # noqa: E402

ROUNDS = 5
REQUESTS = 200


def build(couples: int, folder: Path):
    url = f"sqlite:///{folder / f'bench-{couples}.db'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key-long-enough-for-mend",
            "INSTANCE_PATH": str(folder / "instance"),
            "LOG_LEVEL": "WARNING",
        }
    )
    app.add_url_rule("/__bare", "bare", lambda: "ok")
    with app.app_context():
        clinician = make_user(db.session, "bench@clinic.test", "clinician")
        for i in range(couples):
            couple = make_couple(
                db.session, clinician, f"Couple {i:04d}", f"i{i}@c.test", f"v{i}@c.test", 1 + i % 7
            )
            for days in (-21, -14, -7, 3, 10):
                make_appointment(db.session, couple, days + i % 3 / 10)
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": "bench@clinic.test", "password": PASSWORD, "csrf_token": token}
    )
    return app, client


def rate(client, path: str) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(REQUESTS):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        samples.append(REQUESTS / (time.perf_counter() - start))
    return statistics.median(samples)


def statements_per_page(app, client, path: str) -> int:
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", counter)
    client.get(path)
    event.remove(engine, "before_cursor_execute", counter)
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"caseload benchmark: median of {ROUNDS} rounds x {REQUESTS} requests, SQLite")
        print(
            f"{'couples':>8} {'bare req/s':>11} {'caseload req/s':>15} {'ratio':>6} {'SQL/page':>9}"
        )
        for couples in (5, 200):
            app, client = build(couples, Path(tmp))
            bare = rate(client, "/__bare")
            page = rate(client, "/couples/")
            sql = statements_per_page(app, client, "/couples/")
            print(f"{couples:>8} {bare:>11.0f} {page:>15.0f} {page / bare:>6.2f} {sql:>9}")
            db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
