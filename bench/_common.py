"""What the benchmarks share: an app on a fresh SQLite file, signing in, timing pages, and
counting SQL statements."""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from practice import create_app, migrate  # noqa: E402
from practice.db import db  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402


def bench_app(folder: Path, name: str):
    """The Mend app on a new, migrated SQLite file, with a bare route as the baseline."""
    url = f"sqlite:///{folder / f'{name}.db'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "bench-secret-key-long-enough-for-mend",
            "INSTANCE_PATH": str(folder / f"instance-{name}"),
        }
    )
    app.add_url_rule("/__bare", "bare", lambda: "ok")
    return app


def signed_in(app, email: str):
    """A test client signed in through the sign-in form."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def rate(client, path: str, rounds: int, requests: int) -> float:
    """Median requests per second over the rounds."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        samples.append(requests / (time.perf_counter() - start))
    return statistics.median(samples)


def statements(app, client, path: str) -> int:
    """SQL statements one request for the page issues."""
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", counter)
    client.get(path)
    event.remove(engine, "before_cursor_execute", counter)
    return count
