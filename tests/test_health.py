"""/healthz and /readyz over HTTP, and recovery from connections the database server dropped."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from practice import create_app, migrate
from practice.db import db, make_engine
from practice.models import AuditEvent, UserSession, utcnow
from tests import factories
from tests.conftest import MendClient, _pg_admin_url


def make_app(tmp_path, database_url: str, **settings) -> Flask:
    """An app of the tests' kind on a database of its own."""
    return create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-mend",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **settings,
        }
    )


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_readyz_is_ready_on_a_migrated_database(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "schema": "ok", "redis": "skipped"},
        "scheduler": {"last_ran": None},
    }


def test_healthz_answers_without_a_database(tmp_path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'missing-folder' / 'practice.db'}")
    browser = app.test_client()
    live = browser.get("/healthz")
    assert live.status_code == 200
    assert live.get_json() == {"status": "ok"}
    ready = browser.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"] == {
        "database": "unreachable",
        "schema": "unknown",
        "redis": "skipped",
    }
    assert "missing-folder" not in ready.get_data(as_text=True)  # no error text, no URL


@pytest.mark.parametrize("revision", ["0010_couple_closed_at", None])
def test_readyz_refuses_a_schema_behind_head(
    backend: str, empty_database_url, tmp_path, revision: str | None
) -> None:
    url = empty_database_url(backend)
    if revision:
        migrate.upgrade(url, revision)
    app = make_app(tmp_path, url)
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {
            "status": "not ready",
            "checks": {"database": "ok", "schema": "not at head", "redis": "skipped"},
            "scheduler": {"last_ran": None},
        }
        migrate.upgrade(url)
        assert app.test_client().get("/readyz").status_code == 200
    finally:
        db.get_engine(app).dispose()


def test_readyz_refuses_when_redis_does_not_answer(database_url: str, tmp_path) -> None:
    app = make_app(tmp_path, database_url, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"] == {
            "database": "ok",
            "schema": "ok",
            "redis": "unreachable",
        }
    finally:
        db.get_engine(app).dispose()


@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
def test_readyz_checks_redis_when_configured(database_url: str, tmp_path) -> None:
    app = make_app(tmp_path, database_url, REDIS_URL="redis://127.0.0.1:6379/0")
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 200
        assert response.get_json()["checks"]["redis"] == "ok"
    finally:
        db.get_engine(app).dispose()


def test_probes_are_not_activity_and_not_audited(app: Flask, world, as_user) -> None:
    browser = as_user("a@clinic.test")

    def idle_for(minutes: int) -> None:
        with app.app_context():
            db.session.execute(
                update(UserSession)
                .where(UserSession.user_id == world.clinician_a)
                .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
            )
            db.session.commit()

    def state():
        with app.app_context():
            seen = db.session.scalar(
                select(UserSession.last_seen_at).where(UserSession.user_id == world.clinician_a)
            )
            return seen, db.session.scalar(select(func.count()).select_from(AuditEvent))

    idle_for(5)
    before = state()
    assert browser.get("/healthz").status_code == 200
    assert browser.get("/readyz").status_code == 200
    assert "Set-Cookie" not in browser.get("/readyz").headers
    assert state() == before
    assert browser.get(f"/couples/{world.couple_a}").status_code == 200
    seen, audited = state()
    assert seen > before[0] and audited > before[1]  # a real page is both


def _backend_pids(url: str) -> list[int]:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": make_url(url).database},
                )
            )
    finally:
        engine.dispose()


def _terminate_connections(url: str) -> int:
    """What a database restart does to the app: every server-side connection is cut."""
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            killed = conn.scalars(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": make_url(url).database},
            ).all()
    finally:
        engine.dispose()
    deadline = time.monotonic() + 10
    while _backend_pids(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(killed)


def test_a_database_restart_costs_at_most_the_requests_in_flight(
    backend: str, empty_database_url, tmp_path, as_user
) -> None:
    if backend != "postgresql":
        pytest.skip("connections are cut on the PostgreSQL server; SQLite has none")
    url = empty_database_url(backend)
    migrate.upgrade(url)
    app = make_app(tmp_path, url)
    try:
        with app.app_context():
            world = factories.make_world(db.session)
            db.session.commit()
        app.test_client_class = MendClient
        browser = app.test_client()
        signed_in = browser.submit(
            "/login", {"email": "a@clinic.test", "password": factories.PASSWORD}
        )
        assert signed_in.status_code == 302
        page = f"/couples/{world.couple_a}"
        assert browser.get(page).status_code == 200  # the pool now holds live connections

        assert _terminate_connections(url) >= 1
        started = time.monotonic()
        assert browser.get(page).status_code == 200  # the pool replaced the dead connection
        assert browser.get("/readyz").status_code == 200
        assert time.monotonic() - started < 5

        # Without pre-ping the same cut fails the next request: the check above is not idle.
        bare = make_engine(url, pool_pre_ping=False)
        try:
            with bare.connect() as conn:
                conn.execute(text("SELECT 1"))
            _terminate_connections(url)
            with pytest.raises(OperationalError), bare.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            bare.dispose()
    finally:
        db.get_engine(app).dispose()
