"""Faults under load, on loopback and bounded in time: a gunicorn worker killed mid-write,
Redis down for the sign-in throttle, and Redis lost and back under a running report worker."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select

from practice import create_app
from practice.db import db
from practice.models import Boundary, BoundaryLog, Partner, Report, ReportRequest, User
from tests.test_health import closed_port
from tests.test_serve import fetch, practice_command, wait_until_alive

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the status itself is the acknowledgement


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


def _send(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _workers(master: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry.name))
    return children


@pytest.mark.slow
def test_a_killed_worker_loses_at_most_the_request_in_flight(tmp_path) -> None:
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_"))}
    env.update(PRACTICE_INSTANCE_PATH=str(instance), PRACTICE_ENV="development")
    command = practice_command()
    subprocess.run(
        [*command, "demo", "--no-serve"], env=env, check=True, capture_output=True, timeout=120
    )
    app = create_app({"INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        boundary = db.session.scalars(
            select(Boundary)
            .where(Boundary.status == "active", Boundary.check_period == "daily")
            .order_by(Boundary.id)
        ).first()
        boundary_id = boundary.id
        partner = db.session.scalar(
            select(Partner).where(
                Partner.couple_id == boundary.couple_id, Partner.role == "injured"
            )
        )
        email = db.session.get(User, partner.user_id).email
    port = closed_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                *command,
                "serve",
                "--allow-development",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_alive(server, base, log_path)
        browser = _browser()
        token = TOKEN.search(_send(browser, f"{base}/login")[1]).group(1)
        status, _ = _send(
            browser,
            f"{base}/login",
            {
                "email": email,
                "password": "mend-demo-password",
                "csrf_token": token,
            },
        )
        assert status == 302
        token = TOKEN.search(_send(browser, f"{base}/today")[1]).group(1)

        acknowledged: dict[str, str] = {}
        attempted: dict[str, list[str]] = {}
        failures = 0
        killed = None
        for i in range(60):
            if i == 20:
                killed = _workers(server.pid)[0]
                os.kill(killed, signal.SIGKILL)
            day = (date.today() - timedelta(days=i % 3)).isoformat()
            note = f"fault-note-{i}"
            attempted.setdefault(day, []).append(note)
            try:
                status, _ = _send(
                    browser,
                    f"{base}/boundaries/{boundary_id}/log",
                    {"csrf_token": token, "day": day, "status": "kept", "note": note},
                )
            except OSError:
                status = 0
            if status == 302:  # saved (a refusal answers 303, back to the form)
                acknowledged[day] = note
            else:
                failures += 1
        assert killed is not None
        # Only what was in flight when the worker died may fail; the master replaced it.
        assert failures <= 1, failures
        assert len(_workers(server.pid)) == 2
        assert fetch(f"{base}/healthz")[0] == 200
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
    with app.app_context():
        stored = {
            log.period_start.isoformat(): log.note
            for log in db.session.scalars(
                select(BoundaryLog).where(
                    BoundaryLog.boundary_id == boundary_id, BoundaryLog.partner_id == partner.id
                )
            )
        }
    for day, note in acknowledged.items():
        # Every acknowledged write is there (or a later one for the same day, even if its
        # answer was lost with the worker).
        later = attempted[day][attempted[day].index(note) :]
        assert stored.get(day) in later, (day, note, stored.get(day))


def test_sign_in_stays_throttled_and_open_when_redis_is_down(
    database_url: str, tmp_path, world
) -> None:
    from tests.conftest import MendClient, sign_in
    from tests.factories import PASSWORD
    from tests.test_health import make_app

    down = make_app(tmp_path, database_url, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    down.test_client_class = MendClient
    # The right password still signs in: the counters fell back to this process...
    assert sign_in(down.test_client(), "b@clinic.test", PASSWORD).status_code == 302
    # ...and they still count: a guesser is slowed down exactly as with Redis.
    browser = down.test_client()
    statuses = [
        browser.submit("/login", {"email": "a@clinic.test", "password": "not it"}).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def _start_redis(port: int) -> subprocess.Popen:
    """A Redis of this test's own on loopback, keeping nothing on disk (as CI's does)."""
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not _answers(port):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.1)
    return server


def _answers(port: int) -> bool:
    try:
        return bool(Redis(port=port, socket_connect_timeout=0.5).ping())
    except RedisError:
        return False


def _until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not {what} within {seconds:.0f} s"
        time.sleep(0.5)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_queued_reports_resume_when_redis_comes_back(database_url: str, tmp_path, world) -> None:
    from tests.conftest import MendClient, sign_in
    from tests.factories import PASSWORD
    from tests.test_health import make_app

    port = closed_port()
    settings = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "QUEUE_PREFIX": f"mendfault-{port}",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    app = make_app(tmp_path, database_url, **settings)
    app.test_client_class = MendClient
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_"))}
    env.update(
        PRACTICE_ENV="development",
        PRACTICE_DATABASE_URL=database_url,
        PRACTICE_INSTANCE_PATH=str(tmp_path / "instance"),  # the same keys as the web app
        PRACTICE_REDIS_URL=settings["REDIS_URL"],
        PRACTICE_QUEUE_PREFIX=settings["QUEUE_PREFIX"],
        PRACTICE_LOG_LEVEL="INFO",
    )
    redis = _start_redis(port)
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [*practice_command(), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    clinician = app.test_client()
    assert sign_in(clinician, "a@clinic.test", PASSWORD).status_code == 302

    def ask() -> str:
        page = clinician.submit(f"/couples/{world.couple_a}/report", {"period": "14"})
        assert page.status_code == 302
        return page.headers["Location"]

    def printed(location: str) -> bool:
        assert worker.poll() is None, f"the worker stopped:\n{log_path.read_text()}"
        return "Download the PDF" in clinician.get(location).get_data(as_text=True)

    try:
        before = ask()
        _until(lambda: printed(before), 60, "printed while Redis was up")

        redis.kill()  # gone at once, and with it every job it held
        redis.wait(timeout=10)
        during = ask()
        html = clinician.get(during).get_data(as_text=True)
        assert "Waiting for the print queue" in html
        assert clinician.get(f"/couples/{world.couple_a}").status_code == 200
        time.sleep(3)
        assert worker.poll() is None, f"the worker stopped:\n{log_path.read_text()}"

        redis = _start_redis(port)  # back, empty
        _until(lambda: printed(during), 60, "printed once Redis was back")
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.kill()
        redis.wait(timeout=10)
    with app.app_context():
        wanted = db.session.scalars(select(ReportRequest).order_by(ReportRequest.id.desc())).first()
        assert (wanted.status, wanted.attempts) == ("ready", 1)
        assert (
            db.session.scalar(
                select(func.count()).select_from(Report).where(Report.id == wanted.report_id)
            )
            == 1
        )
