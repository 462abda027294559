"""Benchmark: the pre-session report, step by step, and the render processes.

Seeds one couple with 365 days of daily check-ins by both partners (4 tracked scales), 12
boundaries logged daily by both, 80 worksheet answers and fortnightly CSI-4 and PHQ-9; then
prints, for a 14-day and a whole-year report: seconds for gather, draw, lay out and print (in a
warm process), pages, PDF size, and end-to-end time as a ratio of the print step. Then 20
reports with one and with two render processes, and 100 reports in one process with and
without recycling, printing throughput and memory growth; and the print step with the bundled
font subset by HarfBuzz and by fontTools (as on a machine without libharfbuzz-subset0). The
last line sums it up.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from practice import create_app, migrate  # noqa: E402
from practice.analytics.data import Period  # noqa: E402
from practice.db import db  # noqa: E402
from practice.models import BoundaryLog, MeasureScore, Response, utcnow  # noqa: E402
from practice.reporting.compose import compose  # noqa: E402
from practice.reporting.draw import draw  # noqa: E402
from practice.reporting.gather import gather  # noqa: E402
from practice.reporting.layout import lay_out  # noqa: E402
from practice.reporting.printing import print_pdf  # noqa: E402
from tests.factories import (  # noqa: E402
    make_assignment,
    make_boundary,
    make_couple,
    make_template,
    make_user,
)

UTC = ZoneInfo("UTC")
FIELDS = [
    {
        "key": k,
        "label": k.replace("_", " ").title(),
        "kind": "scale",
        "min": 0,
        "max": 10,
        "tracked": True,
    }
    for k in ("trust", "emotional_safety", "connection", "distress")
]


def seed(folder: Path):
    url = f"sqlite:///{folder / 'report.db'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "bench-secret-key-long-enough-for-mend",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    with app.app_context():
        clinician = make_user(db.session, "bench@clinic.test", "clinician")
        couple = make_couple(db.session, clinician, "Bench", "i@c.test", "v@c.test", 4)
        checkin = make_template(db.session, None, fields=FIELDS)
        reflection = make_template(db.session, None)
        assignment = make_assignment(db.session, couple, checkin, days_ago=365)
        weekly = make_assignment(db.session, couple, reflection, days_ago=280)
        scored = make_assignment(db.session, couple, reflection, days_ago=365)
        boundaries = [
            make_boundary(
                db.session, couple, f"Boundary {i + 1}: an agreement in plain words", days_ago=366
            )
            for i in range(12)
        ]
        today = utcnow().date()
        for n in range(1, 366):
            day = today - timedelta(days=n)
            for partner in couple.partners:
                answers = {
                    f["key"]: (n * 3 + len(f["key"]) + len(partner.role)) % 11 for f in FIELDS
                }
                db.session.add(
                    Response(
                        assignment_id=assignment.id,
                        occurrence_on=day,
                        slot=partner.role,
                        partner_id=partner.id,
                        version_id=checkin.latest.id,
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
                            status="crossed" if (n + boundary.id) % 41 == 0 else "kept",
                        )
                    )
        for n in range(80):
            partner = couple.partners[n % 2]
            db.session.add(
                Response(
                    assignment_id=weekly.id,
                    occurrence_on=today - timedelta(days=3 * n + 1),
                    slot=partner.role,
                    partner_id=partner.id,
                    version_id=reflection.latest.id,
                    answers={"answer_1": "A considered paragraph about the week. " * 4, "mood": 5},
                    status="submitted",
                    revision=1,
                    visibility="shared",
                    submitted_at=utcnow(),
                )
            )
        for n in range(0, 365, 14):
            for partner in couple.partners:
                for instrument, total, rank in (
                    ("csi4", 8 + n // 40, 1),
                    ("phq9", 14 - n // 60, 2),
                ):
                    response = Response(
                        assignment_id=scored.id,
                        occurrence_on=today - timedelta(days=n),
                        slot=partner.role,
                        partner_id=partner.id,
                        version_id=reflection.latest.id,
                        answers={},
                        status="submitted",
                        revision=1,
                        visibility="clinician",
                        submitted_at=utcnow(),
                    )
                    # One fake response per score keeps the unique (assignment, day, slot).
                    response.occurrence_on -= timedelta(days=1 if instrument == "csi4" else 2)
                    db.session.add(response)
                    db.session.flush()
                    db.session.add(
                        MeasureScore(
                            response_id=response.id,
                            couple_id=couple.id,
                            partner_id=partner.id,
                            role=partner.role,
                            instrument=instrument,
                            administered_on=today - timedelta(days=n),
                            total=total,
                            band="bench",
                            band_rank=rank,
                        )
                    )
        db.session.commit()
        return app, couple.id


def steps(app, couple_id: int, period: Period) -> dict:
    with app.app_context():
        now = utcnow()
        t0 = time.perf_counter()
        gathered = gather(db.session, couple_id, period, "clinician", now, UTC)
        t1 = time.perf_counter()
        charts, measure = draw(gathered)
        t2 = time.perf_counter()
        html = lay_out(compose(gathered, charts, measure, UTC))
        t3 = time.perf_counter()
    pdf = print_pdf(html)
    t4 = time.perf_counter()
    from pypdf import PdfReader

    return {
        "gather": t1 - t0,
        "draw": t2 - t1,
        "layout": t3 - t2,
        "print": t4 - t3,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "kb": len(pdf) / 1024,
        "html": html,
    }


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def render_many(html: str, count: int) -> tuple[float, float]:
    print_pdf(html)  # warm
    start = rss_mb()
    for _ in range(count):
        print_pdf(html)
    return start, rss_mb()


def timed_batch(html: str, workers: int, count: int) -> float:
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        list(pool.map(print_pdf, [html] * workers))  # warm every process
        start = time.perf_counter()
        list(pool.map(print_pdf, [html] * count))
        return time.perf_counter() - start


def _without_harfbuzz_subset() -> None:
    """A render process as on a machine without libharfbuzz-subset0: WeasyPrint subsets the
    bundled font with fontTools instead."""
    import weasyprint.pdf.fonts

    weasyprint.pdf.fonts.harfbuzz_subset = None


def _print_times(html: str, count: int) -> list[float]:
    print_pdf(html)  # warm
    times = []
    for _ in range(count):
        start = time.perf_counter()
        print_pdf(html)
        times.append(time.perf_counter() - start)
    return times


def font_both_ways(html: str, count: int = 7) -> tuple[float, float]:
    """Median print step with the bundled font, subset by HarfBuzz and by fontTools."""
    medians = []
    for initializer in (None, _without_harfbuzz_subset):
        with ProcessPoolExecutor(
            1, mp_context=get_context("spawn"), initializer=initializer
        ) as pool:
            medians.append(statistics.median(pool.submit(_print_times, html, count).result()))
    return medians[0], medians[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, couple_id = seed(Path(tmp))
        today = utcnow().date()
        periods = {
            "14-day": Period(today - timedelta(days=13), today + timedelta(days=1)),
            "year": Period(today - timedelta(days=364), today + timedelta(days=1)),
        }
        steps(app, couple_id, periods["14-day"])  # warm the process (imports, fonts)
        print(
            "report benchmark (SQLite; 365 days x 2 partners x 4 scales; 12 boundaries "
            "logged daily by both; 80 answers; fortnightly CSI-4 and PHQ-9)"
        )
        print(
            f"{'report':>7} {'gather':>7} {'draw':>6} {'layout':>7} {'print':>6} "
            f"{'total':>6} {'ratio':>6} {'pages':>5} {'KB':>6}"
        )
        results = {}
        for name, period in periods.items():
            runs = [steps(app, couple_id, period) for _ in range(3)]
            median = {
                k: statistics.median(r[k] for r in runs)
                for k in ("gather", "draw", "layout", "print")
            }
            total = sum(median.values())
            results[name] = (total, total / median["print"], runs[0])
            print(
                f"{name:>7} {median['gather']:>7.3f} {median['draw']:>6.3f} "
                f"{median['layout']:>7.3f} {median['print']:>6.3f} {total:>6.3f} "
                f"{total / median['print']:>6.2f} {runs[0]['pages']:>5} {runs[0]['kb']:>6.0f}"
            )
        html = results["14-day"][2]["html"]
        harfbuzz, fonttools = font_both_ways(html)
        print(
            f"print step, bundled Inter font (14-day, median of 7): HarfBuzz-subset "
            f"{harfbuzz:.3f} s, fontTools fallback {fonttools:.3f} s "
            f"({fonttools / harfbuzz:.2f}x slower without libharfbuzz-subset0)"
        )
        one = timed_batch(html, 1, 20)
        two = timed_batch(html, 2, 20)
        print(
            f"20 reports: 1 process {one:.1f} s, 2 processes {two:.1f} s, "
            f"speed-up {one / two:.2f}x (cores: {os.cpu_count()})"
        )
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            start, end = pool.submit(render_many, html, 100).result()
        print(
            f"100 reports in one process: RSS {start:.0f} -> {end:.0f} MB "
            f"(+{end - start:.0f} MB); render processes are recycled every 50 reports"
        )
        with ProcessPoolExecutor(1, mp_context=get_context("spawn"), max_tasks_per_child=1) as pool:
            recycled = [pool.submit(render_many, html, 50).result() for _ in range(2)]
        growth = max(e - s for s, e in recycled)
        print(f"recycled after 50: largest growth in one process +{growth:.0f} MB")
        print(
            f"summary: 14-day {results['14-day'][0]:.2f} s ({results['14-day'][1]:.2f}x print), "
            f"year {results['year'][0]:.2f} s ({results['year'][1]:.2f}x print), "
            f"fontTools {fonttools / harfbuzz:.2f}x HarfBuzz, "
            f"2 processes {one / two:.2f}x, memory +{end - start:.0f} MB/100 unrecycled, "
            f"+{growth:.0f} MB/50 recycled"
        )


if __name__ == "__main__":
    main()
