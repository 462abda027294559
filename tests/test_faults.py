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
from tests.hygiene import die_with_parent
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


def _environment(**settings: str) -> dict[str, str]:
    """This process's environment without its PRACTICE_ settings, plus these (as PRACTICE_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_"))}
    env.update({f"PRACTICE_{name}": value for name, value in settings.items()})
    return env


def _serve(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """`practice serve` with two workers on a free loopback port, answering; and its address."""
    port = closed_port()
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [*practice_command(), "serve", "--allow-development",
             "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_alive(server, base, log_path)
    except BaseException:
        _stop(server)
        raise
    return server, base


def _stop(process: subprocess.Popen | None, seconds: float = 40) -> None:
    """Ask a process to stop (SIGTERM), kill it if it has not within `seconds`, and reap it."""
    if process is None:
        return
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait(timeout=30)


class BoundaryWriter:
    """A partner logging one boundary over HTTP, day after day in turn, noting each write before
    sending it and which ones the server acknowledged."""

    def __init__(self, base: str, email: str, password: str, boundary_id: int) -> None:
        self.base, self.boundary_id = base, boundary_id
        self.browser = _browser()
        token = TOKEN.search(_send(self.browser, f"{base}/login")[1]).group(1)
        signed = _send(
            self.browser,
            f"{base}/login",
            {"email": email, "password": password, "csrf_token": token},
        )
        assert signed[0] == 302
        self.token = TOKEN.search(_send(self.browser, f"{base}/today")[1]).group(1)
        self.attempted: dict[str, list[str]] = {}
        self.acknowledged: dict[str, str] = {}
        self.count = 0

    def write(self) -> bool:
        """One boundary log; True when the server acknowledged it."""
        self.count += 1
        day = (date.today() - timedelta(days=self.count % 3)).isoformat()
        note = f"fault-note-{self.count}"
        self.attempted.setdefault(day, []).append(note)
        try:
            status, _ = _send(
                self.browser,
                f"{self.base}/boundaries/{self.boundary_id}/log",
                {"csrf_token": self.token, "day": day, "status": "kept", "note": note},
            )
        except OSError:
            status = 0
        if status == 302:  # saved (a refusal answers 303, back to the form)
            self.acknowledged[day] = note
        return status == 302

    def assert_kept(self, app, partner_id: int) -> None:
        """Every acknowledged write is in the database (or a later one for the same day, whose
        answer may have been lost in flight)."""
        with app.app_context():
            stored = {
                log.period_start.isoformat(): log.note
                for log in db.session.scalars(
                    select(BoundaryLog).where(
                        BoundaryLog.boundary_id == self.boundary_id,
                        BoundaryLog.partner_id == partner_id,
                    )
                )
            }
        assert self.acknowledged
        for day, note in self.acknowledged.items():
            later = self.attempted[day][self.attempted[day].index(note) :]
            assert stored.get(day) in later, (day, note, stored.get(day))


@pytest.mark.slow
def test_a_killed_worker_loses_at_most_the_request_in_flight(tmp_path) -> None:
    instance = tmp_path / "instance"
    env = _environment(INSTANCE_PATH=str(instance), ENV="development")
    subprocess.run(
        [*practice_command(), "demo", "--no-serve"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    app = create_app({"INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        boundary = db.session.scalars(
            select(Boundary)
            .where(Boundary.status == "active", Boundary.check_period == "daily")
            .order_by(Boundary.id)
        ).first()
        partner = db.session.scalar(
            select(Partner).where(
                Partner.couple_id == boundary.couple_id, Partner.role == "injured"
            )
        )
        email = db.session.get(User, partner.user_id).email
        # The demo's own logs of these days may be too old to edit by now: start afresh.
        for entry in db.session.scalars(
            select(BoundaryLog).where(
                BoundaryLog.boundary_id == boundary.id,
                BoundaryLog.partner_id == partner.id,
                BoundaryLog.period_start >= date.today() - timedelta(days=3),
            )
        ):
            db.session.delete(entry)
        db.session.commit()
    server, base = _serve(env, tmp_path / "serve.log")
    try:
        writer = BoundaryWriter(base, email, "mend-demo-password", boundary.id)
        failures = 0
        killed = None
        for i in range(60):
            if i == 20:
                killed = _workers(server.pid)[0]
                os.kill(killed, signal.SIGKILL)
            failures += not writer.write()
        assert killed is not None
        # Only what was in flight when the worker died may fail; the master replaced it.
        assert failures <= 1, failures
        assert len(_workers(server.pid)) == 2
        assert fetch(f"{base}/healthz")[0] == 200
    finally:
        _stop(server)
    writer.assert_kept(app, partner.id)


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
        preexec_fn=die_with_parent,
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
    env = _environment(
        ENV="development",
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(tmp_path / "instance"),  # the same keys as the web app
        REDIS_URL=settings["REDIS_URL"],
        QUEUE_PREFIX=settings["QUEUE_PREFIX"],
        LOG_LEVEL="INFO",
    )
    log_path = tmp_path / "worker.log"
    redis = worker = None

    def ask() -> str:
        page = clinician.submit(f"/couples/{world.couple_a}/report", {"period": "14"})
        assert page.status_code == 302
        return page.headers["Location"]

    def printed(location: str) -> bool:
        assert worker.poll() is None, f"the worker stopped:\n{log_path.read_text()}"
        return "Download the PDF" in clinician.get(location).get_data(as_text=True)

    try:
        redis = _start_redis(port)
        with open(log_path, "wb") as log:
            worker = subprocess.Popen(
                [*practice_command(), "worker"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )
        clinician = app.test_client()
        assert sign_in(clinician, "a@clinic.test", PASSWORD).status_code == 302
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
        _stop(worker, 30)
        _stop(redis, 10)
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
    from tests.factories import PASSWORD, make_world

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

        env = _environment(
            ENV="development",
            DATABASE_URL=cluster.url,
            INSTANCE_PATH=str(instance),
            LOG_LEVEL="WARNING",
        )
        server, base = _serve(env, tmp_path / "serve.log")
        try:
            writer = BoundaryWriter(base, email, PASSWORD, world.boundary_a)
            recovered_in = _writes_across_a_restart(cluster, writer)
            assert _send(writer.browser, f"{base}/today")[0] == 200
        finally:
            _stop(server)
        assert recovered_in < 10
        writer.assert_kept(app, partner.id)
        db.get_engine(app).dispose()
    finally:
        cluster.remove()


def _writes_across_a_restart(cluster: PrivatePostgres, writer: BoundaryWriter) -> float:
    """Writes before, across and after restarts of the database; returns the seconds from the
    database being back to the first acknowledged write."""
    assert all([writer.write() for _ in range(20)])  # every worker thread has a connection open
    # A restart between requests costs nothing: each pooled connection is checked before use.
    cluster.stop()
    cluster.start()
    quiet_restart = [writer.write() for _ in range(20)]
    assert all(quiet_restart), quiet_restart
    # A longer outage: refused while away, and back by itself within seconds.
    cluster.stop()
    assert not any([writer.write() for _ in range(5)])  # none acknowledged while it is away
    cluster.start()
    back = time.monotonic()
    while not writer.write():
        assert time.monotonic() - back < 10, "not recovered within 10 s of the restart"
        time.sleep(0.2)
    recovered_in = time.monotonic() - back
    after = [writer.write() for _ in range(30)]
    assert all(after), after  # every worker's pool replaced its dead connections
    return recovered_in
