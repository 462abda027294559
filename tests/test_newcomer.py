"""A newcomer's first ten minutes: the demo's logins line up, `practice demo --reset` starts
over, demo data never lies in the future, one log line per request, a favicon, and a README
tour whose accounts are the demo's."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import DateTime, create_engine, func, select, text

from practice.db import Base, db
from practice.demo import DEMO_COUPLES, demo_logins, load_demo
from practice.models import Appointment, User
from tests.test_cli import instance as instance
from tests.test_cli import run

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_logins_print_as_an_aligned_table(instance: dict) -> None:
    result = run(["demo", "--no-serve"], instance)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "@mend.example" in line]
    assert len(rows) == len(demo_logins()) == 8
    columns = {row.index(email) for row, (_role, email) in zip(rows, demo_logins(), strict=True)}
    assert len(columns) == 1, rows  # every email starts in the same column
    assert all(row[: row.index("@")].split()[-1] in row for row in rows)


def test_demo_reset_starts_over_with_fresh_demo_data(instance: dict, tmp_path) -> None:
    assert run(["demo", "--no-serve"], instance).returncode == 0
    added = run(["create-user", "--role", "clinician", "--link", "new@clinic.test"], instance)
    assert added.returncode == 0, added.stderr
    again = run(["demo", "--no-serve"], instance)
    assert "nothing added (--reset starts over)" in again.stdout

    reset = run(["demo", "--reset", "--no-serve"], instance)
    assert reset.returncode == 0, reset.stderr
    assert "Removed every table" in reset.stdout and "Demo data loaded." in reset.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'instance' / 'practice.db'}")
    try:
        with engine.connect() as conn:
            emails = set(conn.scalars(select(User.__table__.c.email)))
            assert "new@clinic.test" not in emails
            assert {email for _role, email in demo_logins()} == emails
    finally:
        engine.dispose()


def test_demo_reset_is_refused_in_production(instance: dict) -> None:
    result = run(["demo", "--reset", "--no-serve"], {**instance, "PRACTICE_ENV": "production"})
    assert result.returncode != 0
    assert "Demo data loaded." not in result.stdout


def test_demo_data_loaded_in_the_morning_has_nothing_dated_later(app: Flask) -> None:
    """Answers "tonight at 20:15" must not show as sent when the demo is opened at 08:05."""
    now = datetime.combine(datetime.now(UTC).date(), time(8, 5), tzinfo=UTC)
    with app.app_context():
        load_demo(db.session, now=now)
        db.session.commit()
        later = []
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, DateTime):
                    continue
                if column is Appointment.__table__.c.starts_at:
                    continue  # the next sessions are meant to be ahead
                newest = db.session.scalar(select(func.max(column)))
                if newest is not None and _aware(newest) > now:
                    later.append(f"{table.name}.{column.name} = {newest}")
        assert later == []
        # Still recent activity: something was answered within the last day.
        newest_answer = db.session.scalar(text("SELECT max(submitted_at) FROM responses"))
        assert _aware(newest_answer) > now - timedelta(days=1)


def _aware(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_a_request_is_logged_once_and_a_generated_key_warned_once(tmp_path) -> None:
    script = textwrap.dedent(
        f"""
        import threading, urllib.request, urllib.error
        from werkzeug.serving import make_server
        from practice import create_app
        app = create_app({{"ENV": "development", "INSTANCE_PATH": {str(tmp_path)!r},
                          "DATABASE_URL": "sqlite:///{tmp_path}/p.db"}})
        server = make_server("127.0.0.1", 0, app)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{{server.server_port}}/no-such-page")
        except urllib.error.HTTPError as error:
            assert error.code == 404
        server.shutdown()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert len([line for line in log.splitlines() if "/no-such-page" in line]) == 1, log
    for what in ("secret key", "encryption key", "audit-trail key"):
        assert log.count(f"Generated a development {what}") == 1, log


def test_every_page_names_the_favicon_and_it_is_served(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert match, "no favicon link on the sign-in page"
    icon = client.get(match.group(1))
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")


def test_the_readme_tour_names_the_demos_accounts_couple_by_couple() -> None:
    readme = (ROOT / "README.md").read_text()
    tour = readme[readme.index("## A short tour") :]
    tour = tour[: tour.index("\n## ", 5)]
    named = set(re.findall(r"`([a-z]+@mend\.example)`", tour))
    assert named == {email for _role, email in demo_logins()}
    # Partners named together are partners of one couple, as the demo made them.
    for couple in DEMO_COUPLES:
        injured, involved = re.escape(couple.injured[1]), re.escape(couple.involved[1])
        pattern = rf"\*{couple.label}\*[^;]*?`{injured}`[^;]*?`{involved}`"
        assert re.search(pattern, tour), f"the tour should name {couple.label}'s partners"
