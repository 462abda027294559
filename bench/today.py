"""Benchmark: a partner's Today page and a worksheet with 1 month and 1 year of daily check-ins.

Occurrences are derived from the rule, so the pages' cost should not grow with history. Prints
requests per second (WSGI test client, no network), each page's throughput as a ratio of a
bare route on the same app in the same run, and SQL statements per page.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from practice import create_app, migrate  # noqa: E402
from practice.db import db  # noqa: E402
from tests.factories import (  # noqa: E402
    PASSWORD,
    make_assignment,
    make_couple,
    make_response,
    make_template,
    make_user,
)

ROUNDS = 5
REQUESTS = 150


def build(days: int, folder: Path):
    url = f"sqlite:///{folder / f'today-{days}.db'}"
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
        couple = make_couple(db.session, clinician, "Bench", "i@c.test", "v@c.test", 3)
        template = make_template(db.session, clinician)
        for extra in range(3):  # a few exercises, as a real couple would have
            assignment = make_assignment(db.session, couple, template, days_ago=days - extra)
            for day in range(1, days - extra):
                for slot in ("injured", "involved"):
                    make_response(db.session, assignment, slot, days_ago=day)
        db.session.commit()
        worksheet = f"/tasks/{assignment.id}/{date.today().isoformat()}"
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "i@c.test", "password": PASSWORD, "csrf_token": token})
    return app, client, worksheet


def rate(client, path: str) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(REQUESTS):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        samples.append(REQUESTS / (time.perf_counter() - start))
    return statistics.median(samples)


def statements(app, client, path: str) -> int:
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
    print(f"today benchmark: median of {ROUNDS} rounds x {REQUESTS} requests, SQLite")
    print(f"{'history':>8} {'page':>10} {'req/s':>7} {'bare req/s':>11} {'ratio':>6} {'SQL':>4}")
    with tempfile.TemporaryDirectory() as tmp:
        for days in (30, 365):
            app, client, worksheet = build(days, Path(tmp))
            bare = rate(client, "/__bare")
            for name, path in (
                ("today", "/today"),
                ("worksheet", worksheet),
                ("answers", "/answers"),
            ):
                page = rate(client, path)
                sql = statements(app, client, path)
                print(
                    f"{days:>7}d {name:>10} {page:>7.0f} {bare:>11.0f} {page / bare:>6.2f} {sql:>4}"
                )
            db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
