"""Benchmark: starting a session note (the pre-fill included) against the report's gather step
for the same window, in one run.

Seeds the report benchmark's couple (a year of daily check-ins by both partners, 12 boundaries
logged daily, answers and questionnaires), books a session yesterday and one 14 days before,
then times, alternating, N times each: the report's gather step for the session's window, and
starting that session's note (window, pre-fill through gather and compose, the note row) rolled
back each time. Prints the median and p95 of each and the ratio of medians. Target: starting a
note <= gather + 20 % (ratio <= 1.20).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report_bench import seed  # noqa: E402
from sqlalchemy import select  # noqa: E402

from practice.db import db  # noqa: E402
from practice.models import Appointment, Couple, User, utcnow  # noqa: E402
from practice.notes.formats import get_format  # noqa: E402
from practice.notes.services import start_appointment_note, window_for  # noqa: E402
from practice.reporting.gather import gather  # noqa: E402

UTC = ZoneInfo("UTC")
RUNS = 30


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, couple_id = seed(Path(tmp))
        with app.app_context():
            now = utcnow()
            for days in (15, 1):
                db.session.add(
                    Appointment(couple_id=couple_id, starts_at=now - timedelta(days=days))
                )
            db.session.commit()
            appointment = db.session.scalars(
                select(Appointment).order_by(Appointment.starts_at.desc())
            ).first()
            appointment_id = appointment.id
            clinician_id = db.session.get(Couple, couple_id).clinician_id
        gathers, starts = [], []
        with app.app_context():
            for _ in range(RUNS + 2):
                appointment = db.session.get(Appointment, appointment_id)
                clinician = db.session.get(User, clinician_id)
                period = window_for(db.session, couple_id, appointment.starts_at, UTC)
                t0 = time.perf_counter()
                gather(db.session, couple_id, period, "clinician", utcnow(), UTC)
                t1 = time.perf_counter()
                start_appointment_note(
                    db.session, appointment, clinician, get_format("dap"), utcnow(), UTC
                )
                db.session.flush()
                t2 = time.perf_counter()
                db.session.rollback()
                gathers.append(t1 - t0)
                starts.append(t2 - t1)
        gathers, starts = gathers[2:], starts[2:]  # the first two warm the caches
        days = period.days
        g, s = statistics.median(gathers), statistics.median(starts)
        print(f"window: {days} days; {RUNS} runs each, alternating")
        print(f"report gather step: median {g * 1000:.1f} ms, p95 {_p95(gathers) * 1000:.1f} ms")
        p95 = _p95(starts) * 1000
        print(f"start a note (pre-fill included): median {s * 1000:.1f} ms, p95 {p95:.1f} ms")
        verdict = "met" if s <= 1.2 * g else "NOT met"
        print(f"ratio start/gather (median): {s / g:.2f} (target <= 1.20: {verdict})")


if __name__ == "__main__":
    main()
