"""Benchmark: a partner's conversation page and its update check, with 1 and 2,000 messages.

The page shows one page of messages (30) whatever the history, and the update check answers
from the conversation's index: both should cost the same number of statements at 1 and at
2,000 messages. The reference is the smallest signed-in request (the form-token endpoint,
which loads the session like every page) measured in the same run; the target is an update
check (unchanged, 304) at 0.8 or more of its throughput. Prints requests per second (WSGI test
client, no network), ratios and SQL statements per request.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from _common import bench_app, rate, signed_in, statements

from practice.db import db
from practice.models import Message, utcnow
from tests.factories import make_couple, make_user

ROUNDS = 5
REQUESTS = 150


def build(count: int, folder: Path):
    app = bench_app(folder, f"messages-{count}")
    with app.app_context():
        clinician = make_user(db.session, "bench@clinic.test", "clinician")
        couple = make_couple(db.session, clinician, "Bench", "i@c.test", "v@c.test", 3)
        start = utcnow() - timedelta(minutes=count + 10)
        places = ("clinician", "injured", "involved")
        for n in range(count):
            place = places[n % 3]
            author = clinician if place == "clinician" else couple.partner(place).user
            when = start + timedelta(minutes=n)
            db.session.add(
                Message(
                    couple_id=couple.id,
                    thread="together",
                    author_id=author.id,
                    author_role=place,
                    body=f"Message {n}: a few ordinary sentences, as people write them.",
                    created_at=when,
                    changed_at=when,
                )
            )
        db.session.commit()
    return app, signed_in(app, "i@c.test")


def rate_304(client, path: str, rounds: int, requests: int) -> float:
    """Like rate(), for a request carrying the ETag it was last given (answers 304)."""
    import statistics
    import time

    etag = client.get(path).headers["ETag"]
    samples = []
    for _ in range(rounds):
        begin = time.perf_counter()
        for _ in range(requests):
            response = client.get(path, headers={"If-None-Match": etag})
            assert response.status_code == 304, response.status_code
        samples.append(requests / (time.perf_counter() - begin))
    return statistics.median(samples)


def statements_304(app, client, path: str) -> int:
    """SQL statements of one unchanged update check."""
    from sqlalchemy import event

    etag = client.get(path).headers["ETag"]
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", counter)
    client.get(path, headers={"If-None-Match": etag})
    event.remove(engine, "before_cursor_execute", counter)
    return count


def main() -> None:
    print(f"messages benchmark: median of {ROUNDS} rounds x {REQUESTS} requests, SQLite")
    print(f"{'messages':>8} {'request':>22} {'req/s':>7} {'ref req/s':>10} {'ratio':>6} {'SQL':>4}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in (1, 2000):
            app, client = build(count, Path(tmp))
            reference = rate(client, "/csrf-token", ROUNDS, REQUESTS)
            updates = "/messages/together/updates"
            rows = (
                (
                    "conversation page",
                    rate(client, "/messages/together", ROUNDS, REQUESTS),
                    statements(app, client, "/messages/together"),
                ),
                (
                    "update check (304)",
                    rate_304(client, updates, ROUNDS, REQUESTS),
                    statements_304(app, client, updates),
                ),
                (
                    "update check (new)",
                    rate(client, updates, ROUNDS, REQUESTS),
                    statements(app, client, updates),
                ),
            )
            for name, page, sql in rows:
                print(
                    f"{count:>8} {name:>22} {page:>7.0f} {reference:>10.0f} "
                    f"{page / reference:>6.2f} {sql:>4}"
                )
            db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
