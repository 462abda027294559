"""SQLite connection settings, and BEGIN IMMEDIATE keeping concurrent writers correct."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from practice.db import db, make_engine


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
