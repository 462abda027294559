"""`practice backup` and `practice restore`: consistent under writes, exact when quiet, and
never into a database that already holds something."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.orm import Session

from practice import create_app, migrate
from practice.backup import BackupError, libpq_environment, restore
from practice.db import Base, make_engine
from practice.models import Appointment, Couple
from tests import factories
from tests.conftest import MendClient, sign_in


def _app_on(url: str, tmp_path: Path) -> Flask:
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-mend",
            "INSTANCE_PATH": str(tmp_path / f"instance-{abs(hash(url))}"),
        }
    )
    app.test_client_class = MendClient
    return app


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return rows


def _dangling_foreign_keys(url: str) -> list[str]:
    """Foreign keys that point at no row, checked in SQL on every table."""
    engine = make_engine(url)
    broken = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_key_constraints:
                pairs = list(zip(fk.columns, fk.elements, strict=True))
                parent = pairs[0][1].column.table
                missing = ~exists().where(
                    and_(*(element.column == column for column, element in pairs))
                ).select_from(parent)
                present = and_(*(column.is_not(None) for column, _ in pairs))
                count = conn.scalar(select(func.count()).select_from(table).where(present, missing))
                if count:
                    broken.append(f"{table.name}.{fk.name}: {count}")
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").first() is None
    engine.dispose()
    return broken


def _appointments(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(Appointment.__table__))
    engine.dispose()
    return count


class Writer(threading.Thread):
    """Keeps adding appointments, one committed transaction each, until stopped."""

    def __init__(self, app: Flask, url: str, couple_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.url, self.couple_id = app, url, couple_id
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        engine = make_engine(self.url)
        try:  # inside the app: agenda notes are encrypted with its key
            with self.app.app_context(), Session(engine) as session:
                couple = session.get(Couple, self.couple_id)
                while not self.stop.is_set():
                    factories.make_appointment(session, couple, 10 + self.written)
                    session.commit()
                    self.written += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            engine.dispose()


def test_backup_while_writing_restores_consistently_and_a_quiet_backup_exactly(
    app: Flask,
    world: factories.World,
    backend: str,
    database_url: str,
    empty_database_url,
    tmp_path: Path,
) -> None:
    runner = app.test_cli_runner()
    writer = Writer(app, database_url, world.couple_a)
    writer.start()
    while writer.written < 5 and writer.is_alive():
        threading.Event().wait(0.01)
    before = _appointments(database_url)
    busy = tmp_path / "busy.backup"
    result = runner.invoke(args=["backup", "--out", str(busy)])
    after = _appointments(database_url)
    written_during = writer.written
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "Keep the encryption keys separately" in result.output
    assert busy.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert written_during > 5, "the writer should have kept writing during the backup"

    busy_target = empty_database_url(backend)
    restored = _app_on(busy_target, tmp_path).test_cli_runner().invoke(args=["restore", str(busy)])
    assert restored.exit_code == 0, restored.output
    assert before <= _appointments(busy_target) <= after
    assert _dangling_foreign_keys(busy_target) == []
    engine = make_engine(busy_target)
    assert migrate.current_revision(engine) == migrate.head_revision(busy_target)
    engine.dispose()

    quiet = tmp_path / "quiet.backup"
    assert runner.invoke(args=["backup", "--out", str(quiet)]).exit_code == 0
    source = _rows(database_url)
    quiet_target = empty_database_url(backend)
    restored_app = _app_on(quiet_target, tmp_path)
    result = restored_app.test_cli_runner().invoke(args=["restore", str(quiet)])
    assert result.exit_code == 0, result.output
    assert f"schema is at {migrate.head_revision(quiet_target)}" in result.output
    copy = _rows(quiet_target)
    assert copy == source
    assert len(copy["appointments"]) == _appointments(database_url) > 2
    # The restored practice works: a clinician signs in and sees their couple.
    browser = restored_app.test_client()
    assert sign_in(browser, "a@clinic.test").status_code == 302
    assert "Couple A" in browser.get("/couples/").get_data(as_text=True)


def test_restore_refuses_a_database_that_is_not_empty(
    app: Flask, world: factories.World, database_url: str, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    file = tmp_path / "mend.backup"
    assert runner.invoke(args=["backup", "--out", str(file)]).exit_code == 0
    couples = _rows(database_url)["couples"]
    result = runner.invoke(args=["restore", str(file)])
    assert result.exit_code == 1
    assert "Restore only into a new, empty database." in result.output
    assert "Traceback" not in result.output
    assert _rows(database_url)["couples"] == couples
    # An existing backup file is never overwritten.
    again = runner.invoke(args=["backup", "--out", str(file)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_restore_refuses_what_is_not_a_backup(
    app: Flask, backend: str, empty_database_url, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    with pytest.raises(BackupError, match="is not a Mend backup"):
        restore(bogus, empty_database_url(backend))


def test_an_empty_sqlite_database_with_no_schema_is_reported(
    tmp_path: Path, empty_database_url
) -> None:
    import sqlite3

    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="no schema revision"):
        restore(blank, empty_database_url("sqlite"))


def test_the_postgres_password_goes_to_the_environment_not_the_arguments() -> None:
    from sqlalchemy.engine import make_url

    env = libpq_environment(
        make_url("postgresql+psycopg://mend:s3cr%40t@db.internal:6543/mend?sslmode=require")
    )
    assert env == {
        "PGHOST": "db.internal",
        "PGPORT": "6543",
        "PGUSER": "mend",
        "PGPASSWORD": "s3cr@t",
        "PGDATABASE": "mend",
        "PGSSLMODE": "require",
    }
    with pytest.raises(BackupError, match="not supported"):
        libpq_environment(make_url("postgresql+psycopg://mend@db/mend?gssencmode=disable"))


def test_restoring_an_older_backup_says_to_upgrade(
    backend: str, empty_database_url, tmp_path: Path
) -> None:
    old = empty_database_url(backend)
    migrate.upgrade(old, _previous_revision(old))
    file = tmp_path / "old.backup"
    from practice.backup import backup

    backup(old, file)
    target = empty_database_url(backend)
    result = _app_on(target, tmp_path).test_cli_runner().invoke(args=["restore", str(file)])
    assert result.exit_code == 0, result.output
    assert "run `practice db upgrade` next" in result.output
    engine = make_engine(target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            _previous_revision(old)
        )
    engine.dispose()


def _previous_revision(url: str) -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return script.get_revision(script.get_current_head()).down_revision
