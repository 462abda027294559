"""SQLite writers queue on Mend's own turn (a lock file beside the database), held from
BEGIN IMMEDIATE until the connection goes back to the pool."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from practice.db import make_engine
from practice.sqlite_turns import WriterTurns, turns_for


def _writer(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    return engine, engine.execution_options(sqlite_immediate=True)


def _taken(path: Path) -> bool:
    """Whether some writer holds the turn (asked through a descriptor of our own)."""
    fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_write_holds_the_turn_until_its_connection_is_back_in_the_pool(tmp_path: Path) -> None:
    path = tmp_path / "mend.db"
    engine, writer = _writer(path)
    assert not _taken(path)
    with writer.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert _taken(path)
    assert not _taken(path)  # committed
    with pytest.raises(RuntimeError), writer.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
        raise RuntimeError
    assert not _taken(path)  # rolled back
    with engine.begin() as conn:  # a read transaction takes no turn
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
        assert not _taken(path)


def test_a_second_transaction_on_the_same_connection_keeps_its_turn(tmp_path: Path) -> None:
    path = tmp_path / "mend.db"
    _engine, writer = _writer(path)
    with writer.connect() as conn:
        for n in (1, 2):  # would wait for itself if it asked again
            with conn.begin():
                conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        assert _taken(path)
    assert not _taken(path)


def test_threads_take_turns_and_every_write_lands(tmp_path: Path) -> None:
    path = tmp_path / "mend.db"
    engine, writer = _writer(path)

    def write() -> None:
        for _ in range(20):
            with writer.begin() as conn:
                last = conn.execute(text("SELECT coalesce(max(n), 0) FROM t")).scalar()
                conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": last + 1})

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        # Read-then-write under the turn: no two writers saw the same last row.
        assert conn.execute(text("SELECT count(DISTINCT n), max(n) FROM t")).one() == (80, 80)


def _hold_turn(path: str, started, release) -> None:
    _engine, writer = _writer(Path(path))
    with writer.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (100)"))
        started.set()
        release.wait(10)


def test_another_process_waits_for_the_turn_then_writes(tmp_path: Path) -> None:
    path = tmp_path / "mend.db"
    engine, writer = _writer(path)
    context = multiprocessing.get_context("fork")
    started, release = context.Event(), context.Event()
    child = context.Process(target=_hold_turn, args=(str(path), started, release))
    child.start()
    try:
        assert started.wait(10)
        assert _taken(path)
        threading.Timer(0.3, release.set).start()
        with writer.begin() as conn:  # waits for the child's commit, then goes ahead
            conn.execute(text("INSERT INTO t VALUES (200)"))
    finally:
        release.set()
        child.join(10)
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT n FROM t")).scalars()) == [100, 200]


def test_a_turn_never_given_back_ends_as_database_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "mend.db"
    _writer(path)
    holder = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # someone who never finishes
    try:
        turns = WriterTurns(str(path), timeout=0.2)
        with pytest.raises(OperationalError, match="database is locked"):
            turns.take()
        turns_again = WriterTurns(str(path), timeout=0.2)
        fcntl.flock(holder, fcntl.LOCK_UN)
        turns_again.take()  # free again: taken at once
        turns_again.give_back()
    finally:
        os.close(holder)
    assert turns_for(str(path), 1) is turns_for(str(tmp_path / "." / "mend.db"), 1)


def test_a_grown_write_ahead_log_is_emptied_once_its_readers_are_done(
    tmp_path: Path, monkeypatch
) -> None:
    """Under load some page is always reading, so SQLite never starts its log again by itself:
    a write that finds it grown empties it, waiting only a moment for readers."""
    import importlib
    import time

    practice_db = importlib.import_module("practice.db")
    monkeypatch.setattr(practice_db, "WAL_RESTART_BYTES", 64 * 1024)
    # The pause after a try a reader held up is read from a clock this test moves by hand, so
    # a busy machine cannot end it early or late (conditions, not wall-clock time).
    clock = [time.monotonic()]
    monkeypatch.setattr(practice_db, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    tries = []
    real_restart = practice_db.restart_wal

    def counted_restart(dbapi_connection) -> bool:
        tries.append(real_restart(dbapi_connection))
        return tries[-1]

    monkeypatch.setattr(practice_db, "restart_wal", counted_restart)
    path = tmp_path / "mend.db"
    wal = Path(f"{path}-wal")
    engine, writer = _writer(path)
    reading = engine.connect()
    reading.begin()
    assert reading.execute(text("SELECT count(*) FROM t")).scalar() == 0  # a snapshot held
    for n in range(50):
        with writer.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            conn.execute(text("CREATE TABLE IF NOT EXISTS pad (b BLOB)"))
            conn.execute(text("INSERT INTO pad VALUES (zeroblob(8192))"))
    # The reader kept the log from being emptied...
    assert wal.stat().st_size > 64 * 1024
    # ...and held up no write for long: one try waited a moment for it, and the writes after
    # it, inside the pause, did not try again.
    assert tries == [False]
    reading.rollback()
    reading.close()
    with writer.begin() as conn:  # a write inside the pause leaves the log as it is
        conn.execute(text("INSERT INTO t VALUES (99)"))
    assert wal.stat().st_size > 64 * 1024 and tries == [False]
    clock[0] += practice_db.WAL_RESTART_PAUSE_SECONDS  # the pause is over: the next write...
    with writer.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (100)"))  # ...empties it
    assert tries == [False, True]
    assert wal.stat().st_size == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 52
