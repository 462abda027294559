"""Alembic migrations and the models agree, and upgrade/downgrade round-trips, on each database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import practice.models  # noqa: F401
from practice import migrate
from practice.db import Base, make_engine
from practice.models.types import compare_type


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": compare_type})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_match_the_models_and_round_trip(backend: str, empty_database_url) -> None:
    url = empty_database_url(backend)
    migrate.upgrade(url)
    assert _differences(url) == []
    assert _tables(url) >= {t.name for t in Base.metadata.sorted_tables}

    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}

    migrate.upgrade(url)
    assert _differences(url) == []
    engine = make_engine(url)
    assert migrate.current_revision(engine) == migrate.head_revision(url)
    engine.dispose()


def test_a_model_change_without_a_migration_is_detected(backend: str, empty_database_url) -> None:
    """The agreement check can fail: a column added to the models only shows up as a difference."""
    from sqlalchemy import Column, Integer

    url = empty_database_url(backend)
    migrate.upgrade(url)
    table = Base.metadata.tables["couples"]
    extra = Column("not_migrated", Integer, nullable=True)
    table.append_column(extra)
    try:
        kinds = [d[0] for d in _differences(url)]
    finally:
        table._columns.remove(extra)
    assert kinds == ["add_column"]
