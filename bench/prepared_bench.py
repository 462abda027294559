"""Benchmark: opening a prepared report against printing one, at the server.

Seeds the report benchmark's couple (a year of daily check-ins by both partners, 12
boundaries logged daily, answers and questionnaires), books an appointment for tomorrow, lets
the scheduler prepare its report as it would in the evening, then, in one run, times through
the WSGI test client (no network): opening the prepared report (GET /reports/<id>, what the
couple page's "Open the report" does) and printing one (POST /couples/<id>/report, the same
report printed on request). Prints median and p95 of each, their ratio, and whether opening
meets the target of 100 ms at the server.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import signed_in  # noqa: E402
from report_bench import seed  # noqa: E402

from practice.db import db  # noqa: E402
from practice.models import Appointment, PreparedReport, utcnow  # noqa: E402
from practice.scheduling import run_scheduled  # noqa: E402

OPENS = 40
PRINTS = 8
TARGET = 0.100


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(call, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - start)
        assert response.status_code in (200, 302), response.status_code
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, couple_id = seed(Path(tmp))
        app.config["REPORTS_PER_MINUTE"] = 1000  # the limit is not under test
        with app.app_context():
            tomorrow = utcnow().date() + timedelta(days=1)
            db.session.add(
                Appointment(
                    couple_id=couple_id,
                    starts_at=datetime.combine(tomorrow, clock(10), tzinfo=UTC),
                )
            )
            db.session.commit()
            evening = datetime.combine(utcnow().date(), clock(21, 30), tzinfo=UTC)
            ran = run_scheduled(db.session, app, evening, UTC)
            assert ran.prepared == 1, ran
            report_id = db.session.scalar(select_report())
        browser = signed_in(app, "bench@clinic.test")
        opened = browser.get(f"/reports/{report_id}")
        assert opened.mimetype == "application/pdf", opened.status_code
        size = len(opened.data) // 1024
        token = csrf(browser)
        browser.post(f"/couples/{couple_id}/report", data={"csrf_token": token})  # warm
        prints = timed(
            lambda: browser.post(f"/couples/{couple_id}/report", data={"csrf_token": token}),
            PRINTS,
        )
        opens = timed(lambda: browser.get(f"/reports/{report_id}"), OPENS)
        print(
            "prepared report benchmark (SQLite, WSGI test client, no network; the report "
            f"benchmark's year of history; PDF {size} KB)"
        )
        rows = (("open prepared", opens), ("print on request", prints))
        print(f"{'':>18} {'runs':>5} {'median ms':>10} {'p95 ms':>8}")
        for name, samples in rows:
            print(
                f"{name:>18} {len(samples):>5} {statistics.median(samples) * 1000:>10.1f} "
                f"{p95(samples) * 1000:>8.1f}"
            )
        ratio = statistics.median(prints) / statistics.median(opens)
        verdict = "meets" if p95(opens) <= TARGET else "misses"
        print(
            f"summary: opening a prepared report is {ratio:.0f}x faster than printing one "
            f"(median); p95 {p95(opens) * 1000:.1f} ms {verdict} the 100 ms target"
        )


def select_report():
    from sqlalchemy import select

    return select(PreparedReport.report_id).where(PreparedReport.status == "ready")


def csrf(browser) -> str:
    import re

    page = browser.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


if __name__ == "__main__":
    main()
