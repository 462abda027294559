"""Engine and one session per app context, on plain SQLAlchemy 2.

SQLite gets foreign keys, WAL, a busy timeout and BEGIN IMMEDIATE for write transactions:
with a deferred BEGIN, two workers that both read then write fail with "database is locked"
instead of waiting their turn.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Executable, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine, Result
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from practice.sqlite_turns import turns_for

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Past this size the log is checkpointed and emptied after a write (see restart_wal).
WAL_RESTART_BYTES = 16 * 1024 * 1024
WAL_RESTART_WAIT_MS = 50
WAL_RESTART_PAUSE_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 10
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHANGED = "practice.changed"  # session.info: this transaction flushed or ran a write
WRITER_TURN = "practice.writer_turn"  # a pooled SQLite connection holds the turn to write


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with Mend's connection settings for SQLite or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Pre-ping replaces a connection the server dropped (a restart, a failover) before a request
    # uses it, so a restart costs at most the requests in flight.
    kwargs.setdefault("pool_pre_ping", True)
    # A database host that stops answering fails a request (and /readyz) in seconds, not minutes.
    kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # PRAGMA takes no bound parameters; the value is a constant of this module.
        # nosemgrep: mend-no-formatted-sql
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    database = engine.url.database
    turns = (
        turns_for(database, SQLITE_BUSY_TIMEOUT_MS / 1000)
        if database and database != ":memory:" and not database.startswith("file:")
        else None
    )

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get("sqlite_immediate", False):
            conn.exec_driver_sql("BEGIN")
            return
        info = conn.connection.info
        # The turn is kept until the connection goes back to the pool (after its COMMIT or
        # ROLLBACK, never before), so a second transaction on the same checkout has it already.
        if turns is not None and not info.get(WRITER_TURN):
            turns.take()
            info[WRITER_TURN] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    if turns is not None:
        wal = f"{database}-wal"

        def _give_back(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
            if record is not None and record.info.pop(WRITER_TURN, False):
                turns.give_back()

        next_restart = [0.0]  # after a try that a long read held up, writes go on unhindered

        def _checked_in(dbapi_connection: Any, record: Any) -> None:
            # Back in the pool after a write: still this writer's turn, so no Mend writer waits
            # on the restart's lock, only (briefly) for it.
            try:
                due = time.monotonic() >= next_restart[0] and _size(wal) > WAL_RESTART_BYTES
                writer = record is not None and record.info.get(WRITER_TURN)
                if writer and due and not restart_wal(dbapi_connection):
                    next_restart[0] = time.monotonic() + WAL_RESTART_PAUSE_SECONDS
            finally:
                _give_back(dbapi_connection, record)

        event.listen(engine, "checkin", _checked_in)
        for name in ("invalidate", "detach", "close"):
            event.listen(engine, name, _give_back)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def restart_wal(dbapi_connection: Any) -> bool:
    """Checkpoint SQLite's write-ahead log and start it again from empty.

    SQLite starts its log again only when a write begins while no reader still reads from it;
    on a busy server some page is nearly always reading, so the log can grow without end (it
    reached 900 MB in load tests while reads were held open longer), and every read searches
    it. This waits a moment for the readers of the moment to finish (new ones read the
    database file), then empties it; if a long read is under way it gives up after
    WAL_RESTART_WAIT_MS (False) and a later write tries again.
    """
    # PRAGMA takes no bound parameters; the values are constants of this module.
    try:
        # nosemgrep: mend-no-formatted-sql
        dbapi_connection.execute(f"PRAGMA busy_timeout={WAL_RESTART_WAIT_MS}")
        busy, _log, _done = dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
    except sqlite3.Error:
        return False
    finally:
        # nosemgrep: mend-no-formatted-sql
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


class Database:
    """Holds the engine; hands out one Session per app context and closes it on teardown."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        writer = engine.execution_options(sqlite_immediate=True)
        app.extensions["practice.db"] = {
            "engine": engine,
            "reader": sessionmaker(bind=engine, expire_on_commit=False),
            "writer": sessionmaker(bind=writer, expire_on_commit=False),
            "writer_engine": writer,
        }
        app.teardown_appcontext(self._close_session)
        if not getattr(Session, "_practice_changes_noted", False):
            event.listen(Session, "after_flush", _note_flush)
            event.listen(Session, "do_orm_execute", _note_write)
            event.listen(Session, "after_transaction_end", _forget_changes)
            Session._practice_changes_noted = True

    @property
    def session(self) -> Session:
        """The session of the current app context (a writer unless the request is a GET)."""
        session = g.get("_practice_db_session")
        if session is None:
            state = current_app.extensions["practice.db"]
            read_only = has_request_context() and request.method in READ_ONLY_METHODS
            session = state["reader" if read_only else "writer"]()
            g._practice_db_session = session
        return session

    def rows(self, statement: Executable, params: dict[str, Any] | None = None) -> Result[Any]:
        """Plain rows of a select of columns (not of whole objects), in the session's
        transaction but past the ORM's execution, whose result handling costs more than a
        small read itself. For reads only: a write here is not seen by the session's events."""
        return self.session.connection().execute(statement, params or {})

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read-only session of its own, for slow work in a writing request (checking
        a password, printing a PDF) that must not hold SQLite's write lock while it runs."""
        session = current_app.extensions["practice.db"]["reader"]()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A short write transaction on a plain connection, committed when the block ends (for
        Core-only writes such as the audit trail's appends after a read)."""
        with current_app.extensions["practice.db"]["writer_engine"].begin() as connection:
            yield connection

    def get_engine(self, app: Flask | None = None) -> Engine:
        """The engine of the given or current app."""
        return (app or current_app).extensions["practice.db"]["engine"]

    @staticmethod
    def untouched_read(session: Session) -> bool:
        """A PostgreSQL session of a read-only request that changed nothing, so committing it
        is the same as rolling it back, and cheaper: psycopg forgets its prepared statements
        on every ROLLBACK, so a read that rolled back made the next request plan its queries
        again."""
        return (
            session.bind is not None
            and session.bind.dialect.name == "postgresql"
            and has_request_context()
            and request.method in READ_ONLY_METHODS
            and session.in_transaction()
            and CHANGED not in session.info
            and not (session.new or session.dirty or session.deleted)
        )

    def _close_session(self, exc: BaseException | None) -> None:
        session = g.pop("_practice_db_session", None)
        if session is None:
            return
        try:
            if exc is None and self.untouched_read(session):
                session.commit()
        except SQLAlchemyError:
            pass  # the close below rolls back
        session.close()


def _note_flush(session: Session, _context: Any) -> None:
    session.info[CHANGED] = True


def _note_write(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[CHANGED] = True


def _forget_changes(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(CHANGED, None)


db = Database()
