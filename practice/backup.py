"""Backups and restores of the whole database, safe while Mend is running.

SQLite uses the online backup API (a consistent copy even while workers write in WAL mode);
PostgreSQL uses pg_dump's custom format from one snapshot. A restore only goes into an empty
database, so it can never mix a backup with live records.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump/pg_restore with a fixed argument list, no shell
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from practice import migrate
from practice.db import make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# SQLAlchemy URL query options that libpq reads from the environment (the rest are refused).
LIBPQ_QUERY_ENV = {
    "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "host": "PGHOST",
    "port": "PGPORT",
}


class BackupError(RuntimeError):
    """A backup or restore cannot go ahead; the message is one plain line."""


@dataclass(frozen=True)
class Restored:
    revision: str | None
    head: str | None

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head


def backup(database_url: str, out: Path) -> None:
    """Write a backup of the database at database_url to out (a new file, readable by owner)."""
    out = Path(out)
    if out.exists():
        raise BackupError(
            _("%(file)s already exists; choose a new file name for each backup.", file=str(out))
        )
    url = make_url(_plain(database_url))
    partial = out.with_name(out.name + ".partial")
    try:
        # Backups hold everything Mend knows: only the owner may read them.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        if url.get_backend_name() == "sqlite":
            _backup_sqlite(_sqlite_path(url), partial)
        elif url.get_backend_name() == "postgresql":
            _run(["pg_dump", "--format=custom", "--file", str(partial)], url)
        else:
            raise BackupError(
                _("Backups support SQLite and PostgreSQL, not %(kind)s.", kind=url.drivername)
            )
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def restore(backup_file: Path, database_url: str) -> Restored:
    """Restore backup_file into the empty database at database_url; returns its schema state."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(_("There is no backup file at %(file)s.", file=str(backup_file)))
    with backup_file.open("rb") as handle:
        magic = handle.read(len(SQLITE_MAGIC))
    url = make_url(_plain(database_url))
    backend = url.get_backend_name()
    if magic.startswith(SQLITE_MAGIC):
        kind = "sqlite"
    elif magic.startswith(PGDUMP_MAGIC):
        kind = "postgresql"
    else:
        raise BackupError(
            _("%(file)s is not a Mend backup (neither SQLite nor pg_dump).", file=str(backup_file))
        )
    if kind != backend:
        raise BackupError(
            _(
                "%(file)s is a %(kind)s backup but the database is %(backend)s; restore it "
                "into the same kind of database.",
                file=str(backup_file),
                kind=kind,
                backend=backend,
            )
        )
    engine = make_engine(database_url)
    try:
        if not is_empty(engine):
            raise BackupError(
                _("The database already holds tables. Restore only into a new, empty database.")
            )
        engine.dispose()
        if kind == "sqlite":
            _restore_sqlite(backup_file, _sqlite_path(url))
        else:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    url.database or "",
                    str(backup_file),
                ],
                url,
            )
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision(database_url)
    known = {script.revision for script in _scripts(database_url)}
    if revision is None:
        raise BackupError(
            _("The restored database has no schema revision; it is not a Mend backup.")
        )
    if revision not in known:
        raise BackupError(
            _(
                "The backup's schema revision %(revision)s is newer than this Mend; install "
                "the release it came from.",
                revision=revision,
            )
        )
    return Restored(revision=revision, head=head)


def is_empty(engine) -> bool:
    """True when the database holds no tables at all (not even an Alembic version table)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            count = conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            ).scalar_one()
        else:
            count = conn.execute(
                text(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                    "AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
                )
            ).scalar_one()
    return count == 0


def _scripts(database_url: str):
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate.alembic_config(database_url)).walk_revisions()


def _plain(database_url: str) -> str:
    if database_url.startswith("postgresql://"):
        return "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return database_url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(_("An in-memory SQLite database cannot be backed up or restored."))
    return Path(url.database)


def _backup_sqlite(source: Path, out: Path) -> None:
    if not source.is_file():
        raise BackupError(_("There is no database file at %(file)s.", file=str(source)))
    src = sqlite3.connect(source, timeout=30)
    dest = sqlite3.connect(out)
    try:
        # One step (pages=-1) copies a single consistent snapshot, whatever writers do meanwhile.
        src.backup(dest)
        # A backup is one self-contained file, not a database plus a -wal file.
        dest.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(dest)
    finally:
        dest.close()
        src.close()


def _restore_sqlite(backup_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
    dest = sqlite3.connect(target, timeout=30)
    try:
        _check_sqlite(src)
        src.backup(dest)
        dest.execute("PRAGMA journal_mode=WAL")
        _check_sqlite(dest)
    finally:
        dest.close()
        src.close()


def _check_sqlite(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(_("The SQLite integrity check failed: %(result)s", result=result))
    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise BackupError(_("The SQLite foreign key check failed."))


def libpq_environment(url: URL) -> dict[str, str]:
    """PG* variables for pg_dump/pg_restore: the password never appears on a command line."""
    env = {
        name: str(value)
        for name, value in (
            ("PGHOST", url.host),
            ("PGPORT", url.port),
            ("PGUSER", url.username),
            ("PGPASSWORD", url.password),
            ("PGDATABASE", url.database),
        )
        if value not in (None, "")
    }
    for key, value in url.query.items():
        if key not in LIBPQ_QUERY_ENV:
            raise BackupError(
                _(
                    "The database URL option %(option)s is not supported for backups.",
                    option=repr(key),
                )
            )
        env[LIBPQ_QUERY_ENV[key]] = value if isinstance(value, str) else value[0]
    return env


def _run(args: list[str], url: URL) -> None:
    program = shutil.which(args[0])
    if program is None:
        raise BackupError(
            _("%(program)s is not installed; install the PostgreSQL client tools.", program=args[0])
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(libpq_environment(url))
    # Fixed program and arguments, no shell, nothing a user typed.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [program, *args[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            _(
                "%(program)s failed: %(detail)s",
                program=args[0],
                detail=detail[-1] if detail else result.returncode,
            )
        )
