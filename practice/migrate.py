"""Alembic, driven from the app's configuration (used by `practice db` and the demo)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Engine

from practice.paths import MIGRATIONS_DIR


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at Mend's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Step the schema back."""
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    """The newest revision among the migration scripts."""
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def drop_everything(engine: Engine) -> None:
    """Remove every table (and, on PostgreSQL, every function and trigger) of the schema, data
    and all: `practice demo --reset`. Not a migration: nothing is stepped back, it is gone."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            return
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        tables = MetaData()
        tables.reflect(conn)
        for table in reversed(tables.sorted_tables):
            table.drop(conn)
