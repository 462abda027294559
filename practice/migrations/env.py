"""Alembic environment: Mend's metadata, its engine settings, batch mode for SQLite."""

from __future__ import annotations

from alembic import context

import practice.models  # noqa: F401  (registers every table on Base.metadata)
from practice.db import Base, make_engine
from practice.models.types import compare_type

config = context.config


def render_item(kind, obj, autogen_context):
    """Render Mend's own column types with an import the migration can use."""
    if kind == "type" and type(obj).__module__ == "practice.models.types":
        autogen_context.imports.add("import practice.models.types")
        return f"practice.models.types.{type(obj).__name__}()"
    return False


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=compare_type,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Mend's migrations run online only: use `practice db upgrade`.")
run_migrations_online()
