"""`practice serve`: gunicorn's settings, the trusted-proxy rule, and a real start and stop."""

from __future__ import annotations

import gc
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import select

from practice.config import ConfigError
from practice.db import db
from practice.gunicorn_conf import default_workers, options, post_fork
from practice.models import AuditEvent
from practice.serve import MendServer
from tests import factories
from tests.conftest import MendClient, _empty_all_tables
from tests.test_health import closed_port, make_app

MARKER = "zq-private-marker-5150"


@pytest.mark.parametrize("cores, workers", [(1, 3), (2, 5), (3, 7), (4, 8), (64, 8)])
def test_workers_follow_the_cores_up_to_a_cap(cores: int, workers: int) -> None:
    assert default_workers(cores) == workers


def test_gunicorn_options_come_from_the_settings(app: Flask) -> None:
    chosen = options(app.config)
    assert chosen["bind"] == ["127.0.0.1:8000"]
    assert chosen["workers"] == default_workers()
    assert chosen["forwarded_allow_ips"] == ""  # no proxy is trusted unless one is named
    assert chosen["logger_class"] == "gunicorn.glogging.Logger"
    app.config.update(
        BIND="0.0.0.0:9000", WEB_WORKERS=3, TRUSTED_PROXIES="10.0.0.5", LOG_FORMAT="json"
    )
    chosen = options(app.config)
    assert chosen["bind"] == ["0.0.0.0:9000"]
    assert chosen["workers"] == 3
    assert chosen["forwarded_allow_ips"] == "10.0.0.5"
    assert chosen["logger_class"] == "practice.gunicorn_conf.JsonLogger"


def test_each_worker_leaves_the_masters_connections_alone(app: Flask) -> None:
    engine = db.get_engine(app)
    with engine.connect():
        pass
    inherited = engine.pool
    assert inherited.checkedin() == 1
    post_fork(SimpleNamespace(app=SimpleNamespace(flask_app=app)), worker=None)
    assert engine.pool is not inherited and engine.pool.checkedin() == 0
    assert inherited.checkedin() == 1  # not closed: the master's sockets are not the worker's
    inherited.dispose()


def test_the_master_compiles_the_templates_and_freezes_its_heap_before_forking(app: Flask) -> None:
    """A worker, a recycled one too, inherits the compiled templates instead of compiling its
    own on its first pages."""
    names = app.jinja_env.list_templates(extensions=["html"])
    assert "couples/detail.html" in names
    assert len(app.jinja_env.cache or {}) < len(names)
    try:
        assert MendServer(app, {"bind": ["127.0.0.1:0"]}).load() is app
        assert gc.get_freeze_count() > 0  # the master's objects, out of the collector's sight
    finally:
        gc.unfreeze()
    cached = {key[1] for key in app.jinja_env.cache}  # (loader ref, name)
    assert cached >= set(names)


def test_serve_refuses_an_instance_that_is_not_in_production(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 1
    assert "PRACTICE_ENV is testing" in result.output
    assert "--allow-development" in result.output


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("TRUSTED_PROXIES", "10.0.0.1/8", "PRACTICE_TRUSTED_PROXIES: '10.0.0.1/8' is not"),
        ("TRUSTED_PROXIES", "*", r"PRACTICE_TRUSTED_PROXIES: '\*' is not"),
        ("WEB_WORKERS", "0", "PRACTICE_WEB_WORKERS must be 1 or more"),
    ],
)
def test_serving_settings_are_checked(tmp_path, monkeypatch, name, value, message) -> None:
    from practice import create_app

    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRACTICE_" + name, value)
    with pytest.raises(ConfigError, match=message):
        create_app()


@pytest.fixture
def proxied_app(database_url: str, tmp_path):
    """The app behind a proxy on 10.0.0.0/8, with the usual people in it."""
    app = make_app(tmp_path, database_url, TRUSTED_PROXIES="10.0.0.0/8")
    app.test_client_class = MendClient
    with app.app_context():
        factories.make_world(db.session)
        db.session.commit()
    yield app
    _empty_all_tables(app)
    db.get_engine(app).dispose()


def failed_sign_in_address(app: Flask, peer: str) -> str:
    """Fail a sign-in from `peer` claiming to be 203.0.113.9; the address the audit kept."""
    browser = app.test_client()
    response = browser.submit(
        "/login",
        {"email": "a@clinic.test", "password": "not the password"},
        # Over HTTPS (as the proxy says) the CSRF check also wants a same-origin referrer.
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "Referer": "https://localhost/login",
        },
        environ_base={"REMOTE_ADDR": peer},
    )
    assert response.status_code == 200
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.ip)
            .where(AuditEvent.action == "sign_in_failed")
            .order_by(AuditEvent.id.desc())
        ).first()


def test_a_trusted_proxy_names_the_client(proxied_app: Flask) -> None:
    assert failed_sign_in_address(proxied_app, "10.1.2.3") == "203.0.113.9"


def test_anyone_else_cannot_pick_their_address(proxied_app: Flask) -> None:
    assert failed_sign_in_address(proxied_app, "192.0.2.50") == "192.0.2.50"


def test_without_trusted_proxies_the_header_is_ignored(app: Flask, world) -> None:
    assert failed_sign_in_address(app, "10.1.2.3") == "10.1.2.3"


# --- the real server ------------------------------------------------------------------------


def practice_command() -> list[str]:
    script = Path(sys.executable).with_name("practice")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from practice.cli import main; sys.exit(main())"]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until_alive(server: subprocess.Popen, base: str, log_path: Path) -> None:
    """Until gunicorn answers /healthz (60 s at most; the log is shown if it does not)."""
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, f"gunicorn stopped:\n{log_path.read_text()}"
        try:
            if fetch(f"{base}/healthz") == (200, '{"status":"ok"}\n'):
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"no answer in 60 s:\n{log_path.read_text()}"
        time.sleep(0.2)


@pytest.mark.slow
def test_practice_serve_starts_gunicorn_answers_and_stops_on_sigterm(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_"))}
    env.update(
        PRACTICE_INSTANCE_PATH=str(tmp_path / "instance"),
        PRACTICE_ENV="development",
        PRACTICE_LOG_FORMAT="json",
    )
    command = practice_command()
    subprocess.run(
        [*command, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
    )
    port = closed_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [*command, "serve", "--allow-development", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_alive(server, base, log_path)

        status, body = fetch(f"{base}/readyz")
        assert status == 200 and json.loads(body)["status"] == "ready"
        status, body = fetch(f"{base}/login?next=/couples/&note={MARKER}")
        assert status == 200 and 'name="password"' in body

        # An idle keep-alive connection outlives a few seconds' pause (a person reading a
        # page; a balancer holding its pool), so a request sent on it is not lost to a close.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/healthz")
            assert connection.getresponse().read() == b'{"status":"ok"}\n'
            opened_from = connection.sock.getsockname()
            time.sleep(6)
            connection.request("GET", "/healthz")
            assert connection.getresponse().status == 200
            assert connection.sock.getsockname() == opened_from  # the same connection
        finally:
            connection.close()

        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=40) == 0
        assert time.monotonic() - stopping < 35  # within the graceful timeout
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)

    output = log_path.read_text()
    assert MARKER not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    messages = [line.get("message", "") for line in lines]
    assert sum("Booting worker" in m for m in messages) == 2
    assert any(
        x["logger"] == "practice.serve" and "PRACTICE_REDIS_URL is not set" in x["message"]
        for x in lines
    )  # two workers, no shared throttle counters: said once, at the start
    login = [x for x in lines if x["logger"] == "practice.request" and x["path"] == "/login"]
    assert len(login) == 1 and login[0]["status"] == 200 and login[0]["endpoint"] == "auth.login"
    access = [x for x in lines if x["logger"] == "gunicorn.access"]
    assert any('"GET /login" 200' in x["message"] for x in access)
    assert any("Shutting down" in m for m in messages)
