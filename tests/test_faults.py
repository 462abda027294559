"""Faults under load, on loopback and bounded in time: a gunicorn worker killed mid-write,
Redis down for the sign-in throttle, Redis lost and back under a running report worker, and a
PostgreSQL cluster of the test's own restarted under `practice serve`."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import tempfile
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


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own, so it can be stopped and started at will (the
    shared server on 5432 serves the rest of the suite)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = closed_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mend-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/mend"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def create(self) -> None:
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-A", "trust",
            "-U", "postgres", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        self.start()
        self._as_postgres(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "mend"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w",
            "stop",
        )  # fmt: skip

    def remove(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(
    _postgres_bin() is None or shutil.which("runuser") is None or os.geteuid() != 0,
    reason="needs PostgreSQL's server programs and root (to run them as postgres)",
)
def test_the_app_recovers_by_itself_when_postgresql_restarts(tmp_path) -> None:
    from practice import migrate
    from tests.factories import make_world

    cluster = PrivatePostgres(_postgres_bin())
    try:
        cluster.create()
        migrate.upgrade(cluster.url)
        instance = tmp_path / "instance"
        app = create_app(
            {
                "ENV": "testing",
                "DATABASE_URL": cluster.url,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-for-mend",
                "INSTANCE_PATH": str(instance),
            }
        )
        with app.app_context():
            world = make_world(db.session)
            db.session.commit()
            partner = db.session.scalar(
                select(Partner).where(
                    Partner.couple_id == world.couple_a, Partner.role == "injured"
                )
            )
            email = db.session.get(User, partner.user_id).email
        db.get_engine(app).dispose()

        env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_"))}
        env.update(
            PRACTICE_ENV="development",
            PRACTICE_DATABASE_URL=cluster.url,
            PRACTICE_INSTANCE_PATH=str(instance),
            PRACTICE_LOG_LEVEL="WARNING",
        )
        port = closed_port()
        base = f"http://127.0.0.1:{port}"
        log_path = tmp_path / "serve.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [*practice_command(), "serve", "--allow-development",
                 "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            acknowledged, attempted, recovered_in = _writes_across_a_restart(
                cluster, server, base, log_path, email, world.boundary_a
            )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
        assert recovered_in < 10
        with app.app_context():
            stored = {
                log.period_start.isoformat(): log.note
                for log in db.session.scalars(
                    select(BoundaryLog).where(
                        BoundaryLog.boundary_id == world.boundary_a,
                        BoundaryLog.partner_id == partner.id,
                    )
                )
            }
        db.get_engine(app).dispose()
        for day, note in acknowledged.items():
            later = attempted[day][attempted[day].index(note) :]
            assert stored.get(day) in later, (day, note, stored.get(day))
    finally:
        cluster.remove()


def _writes_across_a_restart(cluster, server, base, log_path, email, boundary_id):
    """Boundary logs written before, during and after a restart of the database: what was
    acknowledged, what was attempted per day, and seconds from "back" to the first write."""
    from tests.factories import PASSWORD

    wait_until_alive(server, base, log_path)
    browser = _browser()
    token = TOKEN.search(_send(browser, f"{base}/login")[1]).group(1)
    signed = _send(
        browser, f"{base}/login", {"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed[0] == 302
    token = TOKEN.search(_send(browser, f"{base}/today")[1]).group(1)
    acknowledged: dict[str, str] = {}
    attempted: dict[str, list[str]] = {}

    def log_once() -> bool:
        count = sum(len(notes) for notes in attempted.values()) + 1
        day = (date.today() - timedelta(days=count % 3)).isoformat()
        note = f"restart-note-{count}"
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
        return status == 302

    assert all([log_once() for _ in range(20)])  # every worker thread has a connection open
    # A restart between requests costs nothing: each pooled connection is checked before use.
    cluster.stop()
    cluster.start()
    quiet_restart = [log_once() for _ in range(20)]
    assert all(quiet_restart), quiet_restart
    # A longer outage: refused while away, and back by itself within seconds.
    cluster.stop()
    assert not any([log_once() for _ in range(5)])  # none acknowledged while it is away
    cluster.start()
    back = time.monotonic()
    while not log_once():
        assert time.monotonic() - back < 10, "not recovered within 10 s of the restart"
        time.sleep(0.2)
    recovered_in = time.monotonic() - back
    after = [log_once() for _ in range(30)]
    assert all(after), after  # every worker's pool replaced its dead connections
    assert _send(browser, f"{base}/today")[0] == 200
    return acknowledged, attempted, recovered_in
