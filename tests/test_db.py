"""SQLite connection settings, BEGIN IMMEDIATE keeping concurrent writers correct, and how a
read-only request ends its transaction."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from practice.access import get_couple_or_404
from practice.db import db, make_engine
from practice.models import AuditEvent, Couple


def test_sqlite_connections_are_configured(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    engine.dispose()


def _increment_concurrently(engine, workers: int = 4, rounds: int = 25) -> tuple[int, list[str]]:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS counter (n INTEGER NOT NULL)")
        conn.exec_driver_sql("DELETE FROM counter")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    errors: list[str] = []
    start = threading.Barrier(workers)

    def work() -> None:
        start.wait()
        for _ in range(rounds):
            try:
                with Session(engine) as session, session.begin():
                    # Read, then write: the pattern that deadlocks under a deferred BEGIN.
                    n = session.execute(text("SELECT n FROM counter")).scalar_one()
                    session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            except OperationalError as exc:
                errors.append(str(exc.orig))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT n FROM counter").scalar_one(), errors


def test_immediate_transactions_lose_no_writes(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}").execution_options(sqlite_immediate=True)
    total, errors = _increment_concurrently(engine)
    assert errors == []
    assert total == 4 * 25
    engine.dispose()


def test_deferred_transactions_would_fail_the_same_work(tmp_path) -> None:
    """The control: with a plain BEGIN the same work loses writes or hits 'database is locked'."""
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    total, errors = _increment_concurrently(engine)
    assert errors or total < 4 * 25
    engine.dispose()


def test_requests_that_write_use_the_immediate_writer(app: Flask) -> None:
    def options_for(method: str) -> dict:
        with app.test_request_context("/", method=method):
            session = db.session
            return session.get_bind().get_execution_options()

    if app.config["DATABASE_URL"].startswith("sqlite"):
        assert options_for("POST").get("sqlite_immediate") is True
        assert options_for("GET").get("sqlite_immediate") is None


def test_a_read_keeps_postgresqls_prepared_statements(app: Flask, world, as_user) -> None:
    """psycopg forgets its prepared statements on every ROLLBACK: a read that changed nothing
    ends with COMMIT instead, so the next request on the connection skips planning."""
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's (SQLite has no server to plan on)")
    app.add_url_rule(
        "/__prepared",
        "prepared",
        lambda: str(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))),
    )
    browser = as_user("a@clinic.test")
    for _ in range(8):  # psycopg prepares a statement on its fifth run
        assert browser.get(f"/couples/{world.couple_a}").status_code == 200
    assert int(browser.get("/__prepared").get_data(as_text=True)) > 0


def test_a_read_that_changed_something_keeps_none_of_it(app: Flask, world, as_user) -> None:
    """A GET never writes what it changed (flushed, only in memory, or an UPDATE run on the
    session); the view it records is kept."""

    def change(flush: bool) -> str:
        couple = get_couple_or_404(world.couple_a)
        couple.label = "changed by a read"
        if flush:
            db.session.flush()
        return "ok"

    def update_statement() -> str:
        get_couple_or_404(world.couple_a)
        db.session.execute(
            update(Couple).where(Couple.id == world.couple_a).values(label="changed by a read")
        )
        return "ok"

    app.add_url_rule("/__flushed", "flushed", lambda: change(True))
    app.add_url_rule("/__dirty", "dirty", lambda: change(False))
    app.add_url_rule("/__update", "update", update_statement)
    browser = as_user("a@clinic.test")
    with app.app_context():
        views_before = _views_of(world.couple_a)
    for path in ("/__flushed", "/__dirty", "/__update"):
        assert browser.get(path).status_code == 200
    with app.app_context():
        assert db.session.get(Couple, world.couple_a).label != "changed by a read"
        assert _views_of(world.couple_a) == views_before + 3


def _views_of(couple_id: int) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "viewed", AuditEvent.couple_id == couple_id
        )
    )
